"""Start-up: `interbudget --help` and `interbudget simulate data/kz scenarios/current-law.yaml --out DIR` as whole
processes, against `python -c pass` and `python -c "import numpy, pyarrow"` measured in the same run.

Each command runs `--repeat` times in a fresh process (the console script of this interpreter's environment);
the table gives the best and the median wall-clock time. `.venv/bin/python benchmarks/startup.py [--repeat N]
[--before SRC]`: with `--before`, the same two commands also run on the package in SRC (e.g. the `src` of an older
commit: `git archive COMMIT src | tar -x -C /tmp/before`, then `--before /tmp/before/src`), interleaved.
Every process runs as on a user's machine, with its bytecode cached: PYTHONDONTWRITEBYTECODE is removed from the
children's environment and each command runs once before timing. A second table splits the best `simulate` into
its imports (`-X importtime`, the top-level imports summed) and the rest (loading, the run, writing, printing).
Where the time goes in detail: `.venv/bin/python -X importtime -m interbudget simulate ...` or pyinstrument.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CLI = str(Path(sys.executable).with_name("interbudget"))


# as a user's machine runs it: bytecode written once and read after (this machine's environment disables it)
USER_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str], repeat: int, env: dict | None = None) -> list[float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=env or USER_ENV)
        times.append(time.perf_counter() - t0)
    return times


def import_seconds(cmd: list[str], repeat: int) -> list[tuple[float, float]]:
    """(whole process, its top-level imports summed) of `python -X importtime` runs of CMD, in seconds."""
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        p = subprocess.run([sys.executable, "-X", "importtime", "-m", "interbudget", *cmd], check=True, cwd=ROOT,
                           env=USER_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - t0
        top = [line.split("|") for line in p.stderr.splitlines() if line.startswith("import time:")]
        # the top level's cumulative times: the name follows one space (deeper imports are indented further)
        us = sum(int(f[1]) for f in top if len(f) == 3 and f[1].strip().isdigit() and not f[2].startswith("  "))
        out.append((wall, us / 1e6))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--before", type=Path, help="a src folder holding an older interbudget package, timed beside")
    a = ap.parse_args()
    out = Path(tempfile.mkdtemp(prefix="interbudget-startup-"))
    cases = [
        ("python -c pass", [sys.executable, "-c", "pass"], None),
        ('python -c "import numpy, pyarrow"', [sys.executable, "-c", "import numpy, pyarrow"], None),
        ("interbudget --help", [CLI, "--help"], 0.3),
        ("interbudget simulate data/kz current-law", [CLI, "simulate", "data/kz", "scenarios/current-law.yaml", "--out", str(out)], 0.6),
    ]
    env = None
    if a.before:
        env = dict(USER_ENV, PYTHONPATH=str(a.before.resolve()))
        m = [sys.executable, "-m", "interbudget"]
        cases += [("before: interbudget --help", m + ["--help"], None),
                  ("before: interbudget simulate data/kz current-law", m + ["simulate", "data/kz", "scenarios/current-law.yaml",
                                                                            "--out", str(out / "before")], None)]
    for name, cmd, _ in cases:  # warm the page cache and write the bytecode once
        timed(cmd, 1, env if name.startswith("before") else None)
    times: dict[str, list[float]] = {name: [] for name, _, _ in cases}
    for _ in range(a.repeat):  # interleaved, so that a busy moment of the machine falls on every case alike
        for name, cmd, _ in cases:
            times[name] += timed(cmd, 1, env if name.startswith("before") else None)
    rows = [(name, times[name], target) for name, _, target in cases]
    base = min(rows[1][1])
    print(f"{'process':<42} {'best s':>7} {'median s':>9} {'/ numpy+pyarrow':>16} {'target s':>9}")
    for name, t, target in rows:
        print(f"{name:<42} {min(t):>7.3f} {statistics.median(t):>9.3f} {min(t) / base:>15.2f}x "
              f"{'' if target is None else f'{target:.1f}':>9}{'' if target is None else ('  met' if min(t) <= target else '  NOT met')}")
    split = import_seconds(cases[3][1][1:], a.repeat)
    wall, imports = min(split)
    print(f"\nsimulate under -X importtime (best of {a.repeat}; importtime itself adds to both): whole {wall:.3f} s, "
          f"imports {imports:.3f} s, the rest (load, run, write, print) {wall - imports:.3f} s")


if __name__ == "__main__":
    main()
