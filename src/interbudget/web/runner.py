"""Runs started from the web execute in worker processes: the engine's numpy work then never waits for the web
threads' GIL (in one process a 0.03 s run of data/kz took seconds under 50 clients). Each worker loads the
dataset once and returns what the store keeps: budgets.csv and the manifest."""
from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

_DATASET = None


def init_worker(dataset: str) -> None:
    global _DATASET
    from ..dataset import load_dataset

    _DATASET = load_dataset(Path(dataset))


def compute(doc: dict, name: str, version: int, fingerprint: str) -> tuple[str, dict]:
    """budgets.csv and the manifest of scenario NAME at VERSION (its document DOC)."""
    from ..engine import run
    from ..output import budgets_table, csv_bytes, manifest
    from ..scenario import validate_scenario

    t0 = time.perf_counter()
    res = run(_DATASET, validate_scenario(doc, f"{name} v{version}"), f"{name}@v{version}")
    csv = csv_bytes(budgets_table(res)).decode("utf-8")
    man = manifest(res, [])
    man["store_scenario"] = {"name": name, "version": version,
                             "content_sha256": hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()}
    man["dataset_fingerprint"] = fingerprint
    man["seconds"] = round(time.perf_counter() - t0, 3)
    return csv, man
