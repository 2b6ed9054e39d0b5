"""Benchmark of the programme (issue 20): `python benchmarks/programme.py` prints a table.

Loading and checking programme/kz against the registry and scenarios; its status on a date; the indicators of
every bundled scenario on data/kz (the engine's runs timed apart from the indicators); the public /programme page,
first (runs every published scenario) and cached.
"""
from __future__ import annotations

import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def timed(fn, repeat: int = 5) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    from fastapi.testclient import TestClient

    from interbudget.analysis.programme import indicators
    from interbudget.dataset import load_dataset
    from interbudget.engine import run
    from interbudget.functions.registry import load_registry
    from interbudget.programme.data import load_for
    from interbudget.programme.status import measure_rows
    from interbudget.scenario import load_scenario
    from interbudget.web.app import create_app

    reg_dir, scen = ROOT / "registry" / "kz", ROOT / "scenarios"
    rows = []
    t, prog = timed(lambda: load_for(ROOT / "programme" / "kz", reg_dir, scen))
    rows.append(("load and check programme/kz", t, f"{len(prog.measures)} measures, {len(prog.preconditions)} preconditions"))
    t, _ = timed(lambda: measure_rows(prog, date(2026, 12, 1)))
    rows.append(("status on a date", t, ""))
    ds, reg = load_dataset(ROOT / "data" / "kz"), load_registry(reg_dir)
    files = sorted(scen.glob("*.yaml"))
    t, results = timed(lambda: {p.stem: run(ds, load_scenario(p)[0], p.name) for p in files}, 3)
    rows.append((f"engine runs, {len(files)} scenarios on data/kz", t, f"{ds.hierarchy.n} units"))
    t, _ = timed(lambda: indicators(results, reg))
    rows.append((f"indicators of {len(files)} scenarios + registry", t, ""))
    client = TestClient(create_app(ROOT / "data" / "kz", scen, reg_dir))
    t0 = time.perf_counter()
    assert client.get("/programme").status_code == 200
    rows.append(("/programme, first request", time.perf_counter() - t0, "runs every published scenario"))
    t, _ = timed(lambda: client.get("/programme"))
    rows.append(("/programme, cached", t, ""))
    print(f"{'case':52} {'seconds':>9}  note")
    for name, secs, note in rows:
        print(f"{name:52} {secs:9.3f}  {note}")


if __name__ == "__main__":
    main()
