"""Hashes of every output the shipped scenarios write on the bundled data.

`python tests/golden_outputs.py --write` records them (tests/golden/outputs.json); the test in
tests/test_golden_outputs.py recomputes them and fails on any byte that changed, so a refactor that should not
change behaviour is checked against outputs made before it.
"""
from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path

from typer.testing import CliRunner

from interbudget.cli import app

ROOT = Path(__file__).resolve().parent.parent
STORE = ROOT / "tests" / "golden" / "outputs.json"
KZ = ROOT / "data" / "kz"
EXAMPLE = ROOT / "data" / "example"


def cases() -> list[tuple[str, Path, Path]]:
    out = [(f"kz/{p.stem}", KZ, p) for p in sorted((ROOT / "scenarios").glob("*.yaml"))]
    out += [(f"example/{p.stem}", EXAMPLE, p) for p in sorted((EXAMPLE / "scenarios").glob("*.yaml"))]
    for name in ("kz-2024", "kz-2002"):
        ds = ROOT / "data" / name
        out += [(f"{name}/{p.stem}", ds, p) for p in sorted((ds / "scenarios").glob("*.yaml"))]
    return out


EXPLAIN = [  # (case, code, year): one budget of each level, and the track the case revises
    ("kz/current-law", "47", 2026), ("kz/option-3", "47", 2027), ("kz/option-4", "19", 2026),
    ("kz/normative-needs", "47", 2026), ("kz/targeted", "19", 2026),
]


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def compute(cases_: list[tuple[str, Path, Path]] | None = None) -> dict[str, str]:
    runner = CliRunner()
    hashes: dict[str, str] = {}
    chosen = cases_ if cases_ is not None else cases()
    by_name = {name: (ds, sc) for name, ds, sc in chosen}
    with tempfile.TemporaryDirectory() as tmp:
        for name, ds, sc in chosen:
            out = Path(tmp) / name.replace("/", "__")
            res = runner.invoke(app, ["simulate", str(ds), str(sc), "--out", str(out)])
            hashes[f"{name} exit"] = str(res.exit_code)
            if res.exit_code != 0:
                hashes[f"{name} output"] = _digest(res.output.encode())
                continue
            for f in sorted(out.iterdir()):  # manifest.json names the scenario by its absolute path: the checkout's own
                hashes[f"{name} {f.name}"] = _digest(f.read_bytes().replace(str(ROOT).encode(), b"<checkout>"))
        for name, code, year in EXPLAIN:
            if name not in by_name:
                continue
            ds, sc = by_name[name]
            res = runner.invoke(app, ["explain", str(ds), str(sc), "--code", code, "--year", str(year), "--json"])
            hashes[f"{name} explain {code} {year}"] = _digest(res.output.encode())
    return hashes


if __name__ == "__main__":
    if "--write" not in sys.argv:
        sys.exit("usage: python tests/golden_outputs.py --write")
    STORE.write_text(json.dumps(compute(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {STORE}")
