"""Time the scorecard (analysis/scorecard.py) on data/kz under the four options: each indicator group, and the files.

    .venv/bin/python benchmarks/scorecard.py [--draws 10000]

Prints one table (seconds, best of 3). The retention indicators re-run the scenario once per region (20 on data/kz);
the oil shortfall is one matrix product per chunk of draws over (region, tax) groups.
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from timing import best  # benchmarks/timing.py (the script's folder is on the path)

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--draws", type=int, default=10_000)
    args = ap.parse_args()
    from interbudget.analysis import scorecard as sc
    from interbudget.analysis.stress import Shocks
    from interbudget.dataset import load_dataset
    from interbudget.engine import run
    from interbudget.reports.scorecard import write_scorecard
    from interbudget.scenario import load_scenario

    ds = load_dataset(ROOT / "data" / "kz")
    shocks = Shocks(draws=args.draws, common_sd=0.0, region_sd=0.0)
    print(f"| scenario | run | counts | hidden withdrawal | norms | oil shortfall ({args.draws:,} draws) | own revenue | retention | all |")
    print("|---|---|---|---|---|---|---|---|---|")
    rows = []
    for name in ("current-law", "option-2", "option-3", "option-4"):
        s = load_scenario(ROOT / "scenarios" / f"{name}.yaml")[0]
        res = run(ds, s)
        t = {"run": best(lambda: run(ds, s)), "counts": best(lambda: sc.transfer_counts(res)),
             "hidden": best(lambda: sc.hidden_withdrawal(res)), "norms": best(lambda: sc.norms(res)),
             "oil": best(lambda: sc.shortfall_p5(res, shocks)), "own": best(lambda: sc.own_revenue_share(res)),
             "retention": best(lambda: sc.incentive(res, name), 1), "all": best(lambda: sc.scorecard(res, name, shocks), 1)}
        rows += sc.scorecard(res, name, shocks)
        print(f"| {name} | " + " | ".join(f"{t[k]:.3f}" for k in ("run", "counts", "hidden", "norms", "oil", "own", "retention", "all"))
              + " |")
    with tempfile.TemporaryDirectory() as d:
        print(f"\nwriting scorecard.csv, .xlsx, .html ({len(rows):,} rows): {best(lambda: write_scorecard(rows, Path(d)), 1):.2f} s")


if __name__ == "__main__":
    main()
