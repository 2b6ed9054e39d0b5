"""Benchmarks: one command (`make bench`), prints a table.

Each case runs in a fresh process (so its peak memory is its own) and is set
against the plain-Python reference implementation of the same calculation
(`interbudget.reference`) measured in the same run, on the same data or on a
slice of it. Targets from the engine issue:
  - a few thousand units: under 0.2 s per scenario after loading;
  - 250,000 units x 3 years x 20 taxes: under 5 s including loading from
    Parquet, peak memory under 4 GiB.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / ".cache"
sys.path.insert(0, str(HERE))


def worker(kind: str, folder: str, scenario: str, repeat: int) -> None:
    """Runs inside a child process; prints one JSON line."""
    import resource

    import yaml

    sys.path.insert(0, str(ROOT / "src"))
    sc = (None if kind in ("stress", "payments")
          else yaml.safe_load(Path(scenario).read_text()) if scenario.endswith(".yaml") else json.loads(scenario))
    if kind == "payments":  # folder = payments folder, scenario = backend
        from interbudget.dataset import load_dataset
        from interbudget.scale.aggregate import aggregate

        ds = load_dataset(ROOT / "data" / "kz")
        t0 = time.perf_counter()
        _receipts, recon = aggregate(Path(folder), ds.hierarchy.codes.tolist(), ds.taxes, ds.payer_names, [2026, 2027, 2028], scenario)
        secs = time.perf_counter() - t0
        n = sum(r["payments"] for r in recon.to_pylist())
        out = {"total": secs, "run": secs, "rows": n, "units": int(ds.hierarchy.n),
               "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
        print(json.dumps(out))
        return
    if kind == "stress":
        from interbudget.analysis.stress import Shocks, stress
        from interbudget.dataset import load_dataset
        from interbudget.engine import run
        from interbudget.scenario import load_scenario

        ds = load_dataset(folder)
        t0 = time.perf_counter()
        results = [run(ds, load_scenario(ROOT / "scenarios" / f)[0]) for f in
                   ("current-law.yaml", "option-2.yaml", "option-3.yaml", "option-4.yaml")]
        t_det = (time.perf_counter() - t0) / 4
        t1 = time.perf_counter()
        for res in results:
            stress(res, Shocks(draws=repeat))
        out = {"total": time.perf_counter() - t1, "run": t_det, "rows": int(ds.receipts.amount.size), "units": int(ds.hierarchy.n)}
        out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(out))
        return
    if kind == "engine":
        from interbudget.dataset import load_dataset
        from interbudget.engine import run
        from interbudget.scenario import Scenario, load_scenario

        s = load_scenario(scenario)[0] if scenario.endswith(".yaml") else Scenario.model_validate(sc)
        t0 = time.perf_counter()
        ds = load_dataset(folder)
        t_load = time.perf_counter() - t0
        runs = []
        for _ in range(repeat):
            for rec in (ds.receipts, ds.receipts_actual):
                if rec is not None:
                    rec._cache.clear()  # each run aggregates its receipts again
            t1 = time.perf_counter()
            run(ds, s)
            runs.append(time.perf_counter() - t1)
        out = {"load": t_load, "run": min(runs), "total": t_load + runs[0], "rows": int(ds.receipts.amount.size), "units": int(ds.hierarchy.n)}
    else:
        from interbudget.reference import simulate

        if scenario.endswith(".yaml"):
            from interbudget.scenario import load_scenario, scenario_dict

            sc = scenario_dict(load_scenario(scenario)[0])
        t0 = time.perf_counter()
        simulate(folder, sc)
        out = {"total": time.perf_counter() - t0, "run": time.perf_counter() - t0}
    out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def measure(kind: str, folder: Path, scenario: str, repeat: int = 3) -> dict:
    res = subprocess.run([sys.executable, __file__, "--worker", kind, str(folder), scenario, str(repeat)],
                         capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--units", type=int, default=250_000, help="units in the large federation")
    ap.add_argument("--taxes", type=int, default=20)
    ap.add_argument("--payments", type=int, default=100_000_000, help="payments aggregated with DuckDB")
    ap.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        worker(a.worker[0], a.worker[1], a.worker[2], int(a.worker[3]))
        return

    import federation as fed
    from rich.console import Console
    from rich.table import Table

    rows = []
    # 1. the bundled Kazakhstan data, every scenario, all tracks
    for sc in sorted((ROOT / "scenarios").glob("*.yaml")):
        e = measure("engine", ROOT / "data" / "kz", str(sc), repeat=5)
        r = measure("reference", ROOT / "data" / "kz", str(sc))
        rows.append((f"data/kz, {sc.stem}", e["units"], e["rows"], e["total"], f"load {e['load']:.3f} + run {e['run']:.4f}",
                     r["run"], e["peak_mib"], "—"))
    # 2. a few thousand units (the size of Kazakhstan's budgets), all options
    mid = CACHE / "fed-3000"
    if not (mid / "units.csv").exists():
        fed.write_csv(fed.generate(3000, 20, seed=2), mid)
    for opt, method in [(1, "M3"), (2, "M3"), (3, "M3"), (4, "M3"), (1, "M1"), (2, "M2"), (4, "M4")]:
        sc = json.dumps(fed.scenario(opt, method))
        e = measure("engine", mid, sc, repeat=5)
        r = measure("reference", mid, sc)
        rows.append((f"3,000 units, option {opt}, {method}", e["units"], e["rows"], e["total"],
                     f"load {e['load']:.3f} + run {e['run']:.4f}", r["run"], e["peak_mib"], "run < 0.2 s"))
    # 3. the large federation from Parquet, against the reference on a 1 % slice
    big = CACHE / f"fed-{a.units}-{a.taxes}"
    if not (big / "units.parquet").exists():
        print(f"generating {a.units:,} units x 3 years x {a.taxes} taxes into {big} ...", flush=True)
        fed.write_parquet(fed.generate(a.units, a.taxes, seed=3), big)
    small = CACHE / f"fed-slice-{a.units // 100}-{a.taxes}"
    if not (small / "units.csv").exists():
        fed.write_csv(fed.generate(max(a.units // 100, 300), a.taxes, seed=3), small)
    for opt, method in [(1, "M3"), (2, "M3"), (2, "M2")]:
        sc = json.dumps(fed.scenario(opt, method))
        e = min((measure("engine", big, sc, repeat=1) for _ in range(3)), key=lambda m: m["total"])  # best of 3 processes
        es = measure("engine", small, sc, repeat=3)
        r = measure("reference", small, sc)
        scale = e["rows"] / es["rows"]  # the baseline grows linearly with rows: extrapolate the slice
        rows.append((f"{a.units:,} units x {a.taxes} taxes, option {opt}, {method}", e["units"], e["rows"], e["total"],
                     f"load {e['load']:.2f} + run {e['run']:.2f}", r["run"] * scale, e["peak_mib"], "< 5 s, < 4096 MiB"))
        rows.append((f"  slice: {es['units']:,} units (baseline measured here)", es["units"], es["rows"], es["total"],
                     f"load {es['load']:.3f} + run {es['run']:.4f}", r["run"], es["peak_mib"], "—"))

    # 4. stress tests: 10,000 draws of the Kazakhstan dataset under the four options, against one deterministic run
    st = json.loads(subprocess.run([sys.executable, __file__, "--worker", "stress", str(ROOT / "data" / "kz"), "-", "10000"],
                                   capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])
    rows.append(("data/kz stress, 10,000 draws, options 1-4", st["units"], st["rows"], st["total"],
                 f"= {st['total'] / st['run']:,.0f} deterministic runs", st["run"] * 4, st["peak_mib"], "< 30 s"))

    # 5. payments -> receipts: 100 million rows with DuckDB; DuckDB and Spark on the same 10-million-row file
    from interbudget.dataset import load_dataset
    from interbudget.scale.payments import generate

    for n_rows in (a.payments, 10_000_000):
        folder = CACHE / f"payments-{n_rows}"
        if not (folder / "payments").is_dir():
            print(f"generating {n_rows:,} payments into {folder} ...", flush=True)
            generate(load_dataset(ROOT / "data" / "kz"), folder, n_rows, seed=5, chunk=5_000_000)
    big = measure("payments", CACHE / f"payments-{a.payments}" / "payments", "duckdb", 1)
    rows.append((f"payments -> receipts, {a.payments:,} rows, DuckDB", big["units"], big["rows"], big["total"],
                 f"{big['rows'] / big['total']:,.0f} rows/s", float("nan"), big["peak_mib"], "< 60 s, < 8192 MiB"))
    ten = CACHE / "payments-10000000" / "payments"
    d10, s10 = measure("payments", ten, "duckdb", 1), measure("payments", ten, "spark", 1)
    rows.append(("payments, 10,000,000 rows, DuckDB against Spark local[2]", d10["units"], d10["rows"], d10["total"],
                 f"{d10['rows'] / d10['total']:,.0f} vs {s10['rows'] / s10['total']:,.0f} rows/s", s10["total"], d10["peak_mib"], "—"))

    t = Table(title="interbudget benchmarks: load + run in seconds; baseline = the plain-Python reference "
                    "(reads the CSV and computes), measured in the same run")
    for c in ("case", "units", "receipt rows", "interbudget s", "of which", "baseline s", "speed-up", "peak MiB", "target"):
        t.add_column(c, justify="left" if c in ("case", "what is timed", "target") else "right")
    for case, units, nrows, secs, what, base, peak, target in rows:
        stress_row = "stress" in case
        no_base = base != base  # NaN: no baseline for this case
        t.add_row(case, f"{units:,}", f"{nrows:,}", f"{secs:.4f}", what,
                  "—" if no_base else f"{base:.3f}" + (" (from slice)" if " x " in case else " (4 runs)" if stress_row else
                                                       " (Spark)" if "Spark" in case else ""),
                  "—" if stress_row or no_base else f"{base / secs:,.0f}x", f"{peak:,.0f}", target)
    Console(width=200).print(t)


if __name__ == "__main__":
    main()
