"""The cost of refusing repeated rows: load a dataset with the exact-repeat and key checks, and without them
(the checks switched off in the same process, same files, best of N), on data/kz and on a generated federation
from Parquet (plain string columns). `.venv/bin/python benchmarks/duplicates.py [--units N] [--repeat N]`."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from timing import best  # benchmarks/timing.py (the script's folder is on the path)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / ".cache"
sys.path.insert(0, str(HERE))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--units", type=int, default=50_000)
    ap.add_argument("--taxes", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    import federation as fed

    from interbudget import tables
    from interbudget.dataset import load_dataset

    big = CACHE / f"fed-{a.units}-{a.taxes}"
    if not (big / "units.parquet").exists():
        print(f"generating {a.units:,} units x 3 years x {a.taxes} taxes into {big} ...", flush=True)
        fed.write_parquet(fed.generate(a.units, a.taxes, seed=3), big)
    checks = (tables._exact_repeats, tables.duplicates)
    print(f"{'dataset':<34} {'rows':>12} {'with checks, s':>15} {'without, s':>11} {'ratio':>6}")
    for name, folder in (("data/kz (CSV)", ROOT / "data" / "kz"), (f"{a.units:,} units x {a.taxes} taxes (Parquet)", big)):
        ds = load_dataset(folder)
        rows = sum(r.amount.size for r in (ds.receipts, ds.receipts_actual, ds.receipts_revised) if r is not None)
        on = best(lambda: load_dataset(folder), a.repeat)
        tables._exact_repeats, tables.duplicates = (lambda *x, **k: None), (lambda *x, **k: None)
        try:
            off = best(lambda: load_dataset(folder), a.repeat)
        finally:
            tables._exact_repeats, tables.duplicates = checks
        print(f"{name:<34} {rows:>12,} {on:>15.3f} {off:>11.3f} {on / off:>6.2f}")


if __name__ == "__main__":
    main()
