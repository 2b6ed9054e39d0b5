"""Loading a dataset: each table of a dataset folder and the whole `load_dataset`, with and without `needs_basis`,
against a raw `pyarrow.csv.read_csv` of the same files measured in the same run.

`.venv/bin/python benchmarks/load.py [--dataset data/kz] [--basis law] [--repeat N]` prints one table. Every
figure is one case timed in a fresh process after its imports (numpy, pyarrow, pyarrow.csv, interbudget.dataset
and, as `interbudget simulate` does, pyarrow's pandas probe answered "no": cli/__init__.py), so each pays what a
command's first load pays (Arrow's first read, the compute functions' first call); the cases run interleaved,
N rounds, and the table gives the best and the median of the N. Run it with bytecode cached, as a user's machine
runs (`env -u PYTHONDONTWRITEBYTECODE`).

- raw: `pyarrow.csv.read_csv(path)`, its defaults (every column, types inferred, Arrow's thread pool);
- read_table: interbudget's read of that table (the contract's columns, typed where that changes nothing,
  the exact-repeat check; tables/__init__.py), the cells' checks not included;
- load_dataset: every table read and every cell checked (the cells' checks included), all bases or one.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(case: str, folder: Path, arg: str) -> float:
    """One case, timed after the imports; seconds."""
    import pyarrow.csv as pacsv

    try:
        from interbudget.cli import _no_pandas_probe

        _no_pandas_probe()
    except ImportError:  # an older CLI: the probe is pyarrow's own
        pass
    from interbudget import tables as T
    from interbudget.dataset import TABLES, load_dataset
    from interbudget.errors import Problems

    if case == "read_table":
        from interbudget.dataset import KINDS
    t0 = time.perf_counter()
    if case == "raw":
        for name in arg.split(","):
            pacsv.read_csv(folder / name)
    elif case == "read_table":
        stem = Path(arg).stem
        req, opt, _ = TABLES[stem]
        T.read_table(folder / arg, req, opt, Problems(), kinds=KINDS.get(stem))
    elif arg:
        load_dataset(folder, needs_basis=arg)
    else:  # as an older interbudget is called too (--before)
        load_dataset(folder)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dataset", type=Path, default=ROOT / "data" / "kz")
    ap.add_argument("--basis", default="law", help="the needs basis of the one-basis load (current-law's)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--before", type=Path, help="a src folder holding an older interbudget package: its whole load, "
                    "timed beside (e.g. `git archive COMMIT src | tar -x -C /tmp/before`, then --before /tmp/before/src)")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args()
    folder = a.dataset.resolve()
    if a.child:
        print(json.dumps(child(a.child[0], folder, a.child[1])))
        return
    from interbudget.dataset import NEEDS_BASES, TABLES

    files = [f"{stem}.csv" for stem in TABLES if (folder / f"{stem}.csv").is_file()]
    used = [f for f in files if f[:-4] not in NEEDS_BASES.values() or f[:-4] == NEEDS_BASES[a.basis]]
    cases: list[tuple[str, str, str, str]] = []  # (row label, column, case, argument)
    for f in files:
        cases += [(f, "raw", "raw", f), (f, "interbudget", "read_table", f)]
    cases += [("load_dataset, every basis", "raw", "raw", ",".join(files)),
              ("load_dataset, every basis", "interbudget", "load", ""),
              (f"load_dataset, needs_basis={a.basis}", "raw", "raw", ",".join(used)),
              (f"load_dataset, needs_basis={a.basis}", "interbudget", "load", a.basis)]
    if a.before:
        cases.append(("load_dataset, every basis", "before", "load", ""))
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    before = dict(env, PYTHONPATH=str(a.before.resolve())) if a.before else env
    times: dict[tuple[str, str], list[float]] = {(label, col): [] for label, col, _, _ in cases}
    for _ in range(a.repeat):  # interleaved: a busy moment of the machine falls on every case alike
        for label, col, case, arg in cases:
            out = subprocess.run([sys.executable, __file__, "--dataset", str(folder), "--child", case, arg],
                                 check=True, capture_output=True, text=True, cwd=ROOT,
                                 env=before if col == "before" else env).stdout
            times[(label, col)].append(json.loads(out))
    print(f"{folder.name}: seconds after the imports, best / median of {a.repeat} fresh processes")
    print("| table | MB | raw read_csv best | median | interbudget best | median | interbudget / raw (best) |")
    print("|---|---|---|---|---|---|---|")
    for label in dict.fromkeys(label for label, _, _, _ in cases):
        raw, ib = times[(label, "raw")], times[(label, "interbudget")]
        names = [label] if label.endswith(".csv") else (files if "every" in label else used)
        mb = sum((folder / n).stat().st_size for n in names) / 1e6
        print(f"| {label} | {mb:.2f} | {min(raw):.4f} | {statistics.median(raw):.4f} | {min(ib):.4f} | "
              f"{statistics.median(ib):.4f} | {min(ib) / min(raw):.2f} |")
    if a.before:
        old = times[("load_dataset, every basis", "before")]
        print(f"\nbefore ({a.before}): load_dataset, every basis: best {min(old):.4f}, median {statistics.median(old):.4f}")


if __name__ == "__main__":
    main()
