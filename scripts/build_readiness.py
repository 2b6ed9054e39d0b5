"""Build registry/kz/readiness.csv: the §3.4 readiness conditions per district of data/kz, ILLUSTRATIVE.

No source in the shared data says how many budget cycles, how many qualified staff or what finance-department
capacity each district has; the values are seeded draws (reproducible), to be replaced by the functional
analysis' survey of the districts. Run: python scripts/build_readiness.py
"""
from __future__ import annotations

import csv
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = 16
SOURCE = "ILLUSTRATIVE: seeded draw (scripts/build_readiness.py, seed 16); no source gives the §3.4 conditions per district"


def main() -> None:
    rng = random.Random(SEED)
    with (ROOT / "data" / "kz" / "units.csv").open(encoding="utf-8") as fh:
        districts = [r["code"] for r in csv.DictReader(fh) if r["level"] == "district" and r["has_budget"] == "true"]
    out = ROOT / "registry" / "kz" / "readiness.csv"
    tmp = out.with_name(".readiness.csv.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["district", "budget_cycles", "qualified_staff", "finance_capacity", "funds_control", "status", "source"])
        for code in districts:
            w.writerow([code, rng.choice([0, 1, 2, 2, 3, 3, 4, 5]), str(rng.random() < 0.8).lower(),
                        str(rng.random() < 0.85).lower(), str(rng.random() < 0.9).lower(), "illustrative", SOURCE])
    tmp.replace(out)
    print(f"{out}: {len(districts)} districts")


if __name__ == "__main__":
    main()
