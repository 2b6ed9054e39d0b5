"""Start-up: `interbudget --help` and `interbudget simulate data/kz scenarios/current-law.yaml --out DIR` as whole
processes, against `python -c pass` and `python -c "import numpy, pyarrow"` measured in the same run.

Each command runs `--repeat` times in a fresh process (the console script of this interpreter's environment);
the table gives the best and the median wall-clock time. `.venv/bin/python benchmarks/startup.py [--repeat N]
[--before SRC]`: with `--before`, the same two commands also run on the package in SRC (e.g. the `src` of an older
commit: `git archive COMMIT src | tar -x -C /tmp/before`, then `--before /tmp/before/src`), interleaved.
Where the time goes: `.venv/bin/python -X importtime -m interbudget simulate ...` (imports) or pyinstrument.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CLI = str(Path(sys.executable).with_name("interbudget"))


def timed(cmd: list[str], repeat: int, env: dict | None = None) -> list[float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=env)
        times.append(time.perf_counter() - t0)
    return times


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
        import os

        env = dict(os.environ, PYTHONPATH=str(a.before.resolve()))
        m = [sys.executable, "-m", "interbudget"]
        cases += [("before: interbudget --help", m + ["--help"], None),
                  ("before: interbudget simulate data/kz current-law", m + ["simulate", "data/kz", "scenarios/current-law.yaml",
                                                                            "--out", str(out / "before")], None)]
    timed(cases[3][1], 1)  # warm the page cache once
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


if __name__ == "__main__":
    main()
