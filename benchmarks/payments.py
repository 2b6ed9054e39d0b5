"""Payments -> receipts on DuckDB against a raw DuckDB pass over the same Parquet files, in the same run.

The raw pass is what any hand-written script has to do at least: one GROUP BY territory x tax x year x payer
category (sum and count), plus the duplicate-id check (payment ids occurring more than once). The pipeline is
`interbudget.scale.aggregate.aggregate` (what `interbudget receipts aggregate` runs): the same two passes plus
every check of the reconciliation (unknown KATO code, tax, payer category, date outside the years, repeated ids
resolved, refunds counted). Each case runs in a fresh process, so its peak memory (ru_maxrss) is its own; the
figures are the best of --repeat processes, the cases interleaved. Target (issue 18): pipeline <= 1.5 x raw.

    .venv/bin/python benchmarks/payments.py [--rows 100000000] [--repeat 1] [--cache DIR]
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
YEARS = [2026, 2027, 2028]
TARGET = 1.5


def _peak_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    """CPU seconds of this process, all threads (steadier than wall time on a machine shared with others)."""
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def raw(folder: Path) -> dict:
    import duckdb

    src = f"read_parquet('{folder}/*.parquet')"
    con = duckdb.connect()
    t0, c0 = time.perf_counter(), _cpu()
    groups = con.sql(f"SELECT kato, tax, year(date) AS year, category, sum(amount_tiyn) AS amount_tiyn, count(*) AS payments "
                     f"FROM {src} GROUP BY ALL").to_arrow_table()
    t1, c1 = time.perf_counter(), _cpu()
    repeated = con.execute(f"SELECT count(*) FROM (SELECT payment_id FROM {src} GROUP BY payment_id HAVING count(*) > 1)").fetchone()[0]
    t2, c2 = time.perf_counter(), _cpu()
    return {"group_by": t1 - t0, "duplicates": t2 - t1, "total": t2 - t0, "cpu_group_by": c1 - c0, "cpu_duplicates": c2 - c1, "cpu": c2 - c0,
            "groups": groups.num_rows, "repeated_ids": repeated,
            "payments": int(sum(groups["payments"].to_pylist())), "amount": int(sum(groups["amount_tiyn"].to_pylist())),
            "peak_mib": _peak_mib()}


def pipeline(folder: Path) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    from interbudget.dataset import load_dataset
    from interbudget.scale.aggregate import aggregate

    ds = load_dataset(ROOT / "data" / "kz")
    codes, taxes = ds.hierarchy.codes.tolist(), sorted(set(ds.taxes) | set(ds.oil_elasticity))
    t0, c0 = time.perf_counter(), _cpu()
    receipts, recon = aggregate(folder, codes, taxes, ds.payer_names, YEARS, "duckdb")
    secs, cpu = time.perf_counter() - t0, _cpu() - c0
    recon = recon.to_pylist()
    agg = next((r for r in recon if r["reason"] == "aggregated"), {"payments": 0, "amount_tiyn": 0})
    return {"total": secs, "cpu": cpu, "groups": receipts.num_rows, "payments": sum(r["payments"] for r in recon),
            "amount": sum(r["amount_tiyn"] for r in recon), "aggregated": agg["payments"], "peak_mib": _peak_mib()}


def measure(kind: str, folder: Path) -> dict:
    res = subprocess.run([sys.executable, __file__, "--worker", kind, str(folder)], capture_output=True, text=True)
    if res.returncode:
        sys.exit(f"{kind} worker failed:\n{res.stderr}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=100_000_000, help="generated payments (seeded, calibrated to data/kz)")
    ap.add_argument("--repeat", type=int, default=1, help="processes per case; the best is shown")
    ap.add_argument("--cache", type=Path, default=HERE / ".cache", help="where the generated payments are kept")
    ap.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        print(json.dumps((raw if a.worker[0] == "raw" else pipeline)(Path(a.worker[1]))))
        return
    sys.path.insert(0, str(ROOT / "src"))
    folder = a.cache / f"payments-{a.rows}"
    if not (folder / "payments").is_dir():
        from interbudget.dataset import load_dataset
        from interbudget.scale.payments import generate

        print(f"generating {a.rows:,} payments into {folder} ...", flush=True)
        generate(load_dataset(ROOT / "data" / "kz"), folder, a.rows, seed=5, chunk=5_000_000)
    parts = folder / "payments"
    runs: dict[str, list[dict]] = {"raw": [], "pipeline": []}
    for _ in range(a.repeat):  # interleaved, so a busy moment of the shared machine hits both
        for kind in runs:
            runs[kind].append(measure(kind, parts))
    r = min(runs["raw"], key=lambda m: m["total"])
    p = min(runs["pipeline"], key=lambda m: m["total"])
    same = p["payments"] == r["payments"] and p["amount"] == r["amount"]
    print(f"payments -> receipts, {a.rows:,} generated payments ({sum(f.stat().st_size for f in parts.iterdir()) / 2**30:.2f} GiB "
          f"Parquet), DuckDB, best of {a.repeat} process(es), 2-core machine")
    print(f"{'case':<56} {'wall s':>7} {'CPU s':>7} {'peak MiB':>9} {'wall x':>7} {'CPU x':>6} {'target':>7}")
    print(f"{'raw DuckDB: GROUP BY kato x tax x year x category':<56} {r['group_by']:>7.2f} {r['cpu_group_by']:>7.2f}")
    print(f"{'raw DuckDB: duplicate-id check (GROUP BY payment_id)':<56} {r['duplicates']:>7.2f} {r['cpu_duplicates']:>7.2f}")
    print(f"{'raw DuckDB: both (the baseline)':<56} {r['total']:>7.2f} {r['cpu']:>7.2f} {r['peak_mib']:>9,.0f} {1.0:>7.2f} {1.0:>6.2f}")
    print(f"{'interbudget receipts pipeline (every check)':<56} {p['total']:>7.2f} {p['cpu']:>7.2f} {p['peak_mib']:>9,.0f} "
          f"{p['total'] / r['total']:>7.2f} {p['cpu'] / r['cpu']:>6.2f} {'<= ' + str(TARGET):>7}")
    print(f"payments in: raw {r['payments']:,}, pipeline {p['payments']:,} ({p['aggregated']:,} aggregated); amounts equal to the "
          f"tiyn: {'yes' if same else 'NO'}; repeated ids: {r['repeated_ids']:,}; receipt rows {p['groups']:,} (raw groups {r['groups']:,})")
    print("all runs (wall s / CPU s): raw " + ", ".join(f"{m['total']:.2f}/{m['cpu']:.2f}" for m in runs["raw"])
          + "; pipeline " + ", ".join(f"{m['total']:.2f}/{m['cpu']:.2f}" for m in runs["pipeline"]))


if __name__ == "__main__":
    main()
