"""Runs started from the web execute in worker processes: the engine's numpy work then never waits for the web
threads' GIL (in one process a 0.03 s run of data/kz took seconds under 50 clients). Each worker loads the
dataset once and returns what the store keeps: budgets.csv and the manifest."""
from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

_DATASET = None


def init_worker(dataset: str, server_pid: int | None = None) -> None:
    global _DATASET  # noqa: PLW0603 -- the pool initializer sets the worker process's one dataset
    from ..dataset import load_dataset

    if server_pid is not None:
        die_with(server_pid)
    _DATASET = load_dataset(Path(dataset))


def die_with(server_pid: int, every_s: float = 0.2) -> None:
    """End this worker when the server process is gone, however it ended (kill -9 included): on Linux the kernel
    kills it (PR_SET_PDEATHSIG), and everywhere a daemon thread sees it re-parented and exits. Without this a
    worker idling on its queue outlives the server, and with it multiprocessing's resource tracker."""
    import os
    import signal
    import sys
    import threading

    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):
            pass
    if os.getppid() != server_pid:  # the server died while this worker started
        os._exit(1)

    def watch() -> None:
        while os.getppid() == server_pid:
            time.sleep(every_s)
        os._exit(1)

    threading.Thread(target=watch, name="interbudget-die-with-server", daemon=True).start()


def compute(doc: dict, name: str, version: int, fingerprint: str) -> tuple[str, dict]:
    """budgets.csv and the manifest of scenario NAME at VERSION (its document DOC)."""
    from ..engine import run
    from ..output import budgets_table, csv_bytes, manifest
    from ..scenario import validate_scenario

    if _DATASET is None:
        raise RuntimeError("runner.compute runs in a worker that init_worker has set up")
    t0 = time.perf_counter()
    res = run(_DATASET, validate_scenario(doc, f"{name} v{version}"), f"{name}@v{version}")
    csv = csv_bytes(budgets_table(res)).decode("utf-8")
    man = manifest(res, [])
    man["store_scenario"] = {"name": name, "version": version,
                             "content_sha256": hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()}
    man["dataset_fingerprint"] = fingerprint
    man["seconds"] = round(time.perf_counter() - t0, 3)
    return csv, man
