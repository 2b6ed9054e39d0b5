"""Time the functional analysis on data/kz: loading the registry (107 functions), carving every function's own
cost out of the needs lines, and pricing each bundled proposal (`proposal apply`: base state, moves, two engine
runs, the per-budget comparison). Run: .venv/bin/python benchmarks/functions.py [--repeat N]"""
from __future__ import annotations

import argparse
from pathlib import Path

from timing import best  # benchmarks/timing.py (the script's folder is on the path)

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from interbudget.dataset import load_dataset
    from interbudget.functions.costs import carve
    from interbudget.functions.proposals import apply, load_proposal
    from interbudget.functions.registry import load_registry
    from interbudget.functions.states import at
    from interbudget.scenario import load_scenario

    ds = load_dataset(ROOT / "data" / "kz")
    folder = ROOT / "registry" / "kz"
    reg = load_registry(folder)
    scen = load_scenario(ROOT / "scenarios" / "current-law.yaml")[0]
    rows = [("load registry/kz", best(lambda: load_registry(folder), args.repeat)),
            ("carve every function's cost (32k needs rows)", best(lambda: carve(ds, at(reg)), args.repeat))]
    for p in sorted((folder / "proposals").glob("concept-*.yaml")):
        prop = load_proposal(p, reg)
        rows.append((f"apply {p.stem}", best(lambda: apply(ds, reg, prop, scen), args.repeat)))
    print(f"| case (data/kz, best of {args.repeat}) | seconds |\n|---|---|")
    for name, t in rows:
        print(f"| {name} | {t:.3f} |")


if __name__ == "__main__":
    main()
