"""Peer benchmark: a closed envelope shared by need with floors and ceilings against last year's allocation
(the primitive of OpenFisca's openfisca-france-dotations-locales: a national amount, each commune's share
guaranteed between a floor and a ceiling of what it got the year before), written idiomatically in
openfisca-core and in interbudget, on the same seeded data.

  allocation_c = clip(scale x need_c, floor x last_c, ceiling x last_c), scale such that sum = envelope

- openfisca-core: a TaxBenefitSystem with one person-like entity (the local budget), the envelope, floor and
  ceiling as legislation parameters, `need` an input variable, `allocation` a variable whose formula reads
  last year's `allocation` (period.last_year) and solves the scale with scipy's brentq, as one writes it in an
  OpenFisca formula (a bracketed root-finder on the spent amount; the country packages do the same).
- interbudget: `interbudget.rules.envelope.distribute` (the rule the engine runs for `envelope:` scenarios), which
  solves the scale exactly by an active-set iteration (no root-finder, no scipy).

Each figure comes from fresh processes, run in turn (interbudget, OpenFisca, then the other way round), --runs
times after one warm-up each, with bytecode cached as on a user's machine:
- a calculation process: import, build (OpenFisca: the tax-benefit system, the simulation and its inputs), then
  the calculation --repeat times (a new simulation each time for OpenFisca, whose results are cached); its best
  calculation, CPU (time.process_time) and wall;
- a whole process: import, build, one calculation, exit; wall and CPU (the kernel's accounting of the child) and
  peak memory (its maximum resident set).
Best and median over the runs, and the median of the run-by-run ratios OpenFisca / interbudget.
The allocations of both are compared (OpenFisca stores floats as float32: within rounding).

openfisca-core is a benchmark-only dependency: `pip install -e .[bench]`, then
    .venv/bin/python benchmarks/peer_openfisca.py [--units 35000 350000] [--runs 7] [--repeat 10]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
YEAR, FLOOR, CEILING, GROWTH = 2026, 0.95, 1.10, 1.03  # the envelope grows 3 %; each unit keeps 95-110 % of last year


def data(n: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray, float]:
    """Seeded needs and last year's allocations (float32-representable, as OpenFisca stores them)."""
    rng = np.random.default_rng(seed)
    need = rng.lognormal(10.0, 1.2, n).astype(np.float32).astype(np.float64)
    last = (need * rng.lognormal(0.0, 0.25, n)).astype(np.float32).astype(np.float64)  # last year: off the need by ~25 %
    return need, last, float(GROWTH * last.sum())


def _now() -> np.ndarray:
    """(wall, CPU) seconds now: calculations are compared by CPU time (steadier on a shared machine) and wall."""
    return np.array([time.perf_counter(), time.process_time()])


def _figures(imp: np.ndarray, build: np.ndarray, calcs: list[np.ndarray]) -> dict:
    """Import and build (wall, CPU), and the best calculation (CPU and wall, each its own best)."""
    return {"import": imp[0], "import_cpu": imp[1], "build": build[0], "build_cpu": build[1],
            "calc_wall": min(c[0] for c in calcs), "calc_cpu": min(c[1] for c in calcs)}


def run_interbudget(n: int, repeat: int) -> tuple[dict, np.ndarray]:
    t0 = _now()
    sys.path.insert(0, str(ROOT / "src"))
    from interbudget.rules.envelope import distribute

    t1 = _now()
    need, last, total = data(n)
    times = []
    for _ in range(repeat):
        s = _now()
        res = distribute(need, total, FLOOR * last, CEILING * last)
        times.append(_now() - s)
    return _figures(t1 - t0, 0 * t0, times), res.allocation


def run_openfisca(n: int, repeat: int) -> tuple[dict, np.ndarray]:
    t0 = _now()
    from openfisca_core.entities import build_entity
    from openfisca_core.model_api import YEAR as PERIOD_YEAR, Variable
    from openfisca_core.parameters import ParameterNode
    from openfisca_core.simulations import SimulationBuilder
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem

    t1 = _now()
    need_in, last_in, total = data(n)
    b0 = _now()
    Budget = build_entity(key="budget", plural="budgets", label="A local budget", is_person=True)

    class need(Variable):
        value_type = float
        entity = Budget
        definition_period = PERIOD_YEAR
        label = "The budget's need, by the allocation's criteria"

    class allocation(Variable):
        value_type = float
        entity = Budget
        definition_period = PERIOD_YEAR
        label = "The budget's share of the closed envelope, guaranteed against last year's"

        def formula(budget, period, parameters):
            from scipy.optimize import brentq

            p = parameters(period).envelope
            last = budget("allocation", period.last_year).astype(np.float64)  # float32 storage: solve in float64
            weight = np.maximum(budget("need", period).astype(np.float64), 0.0)
            lo, hi = p.floor * last, p.ceiling * last

            def spent(scale):
                return np.clip(scale * weight, lo, hi).sum() - p.amount

            upper = p.amount / weight.sum() + 1.0
            while spent(upper) < 0:
                upper *= 2.0
            scale = 0.0 if spent(0.0) >= 0 else brentq(spent, 0.0, upper, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)
            return np.clip(scale * weight, lo, hi)

    system = TaxBenefitSystem([Budget])
    system.add_variables(need, allocation)
    system.parameters = ParameterNode("", data={"envelope": {
        "amount": {"values": {f"{YEAR}-01-01": total}}, "floor": {"values": {f"{YEAR}-01-01": FLOOR}},
        "ceiling": {"values": {f"{YEAR}-01-01": CEILING}}}})
    b1 = _now()
    times, builds = [], []
    for _ in range(repeat):
        s = _now()
        sim = SimulationBuilder().build_default_simulation(system, count=n)
        sim.set_input("need", str(YEAR), need_in)
        sim.set_input("allocation", str(YEAR - 1), last_in)
        m = _now()
        out = sim.calculate("allocation", str(YEAR))
        times.append(_now() - m)
        builds.append(m - s)
    return _figures(t1 - t0, b1 - b0 + builds[0], times), np.asarray(out, np.float64)


def launch(tool: str, n: int, repeat: int, out: Path) -> dict:
    """One fresh worker process: its own figures, and its wall time as a whole process."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # bytecode cached, as users run it
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--worker", tool, str(n), str(repeat), str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - t0
    if proc.returncode:
        sys.exit(f"{tool} worker failed:\n{stderr}")
    return {**json.loads(stdout.strip().splitlines()[-1]), "whole_wall": wall}


def run_pair(n: int, repeat: int, tmp: Path, first: str) -> dict[str, dict]:
    """Both tools at one size, `first` first: a calculation process and a whole process each."""
    order = ("interbudget", "openfisca") if first == "interbudget" else ("openfisca", "interbudget")
    res = {}
    for tool in order:
        calc = launch(tool, n, repeat, tmp / f"{tool}-{n}.npy")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        whole = launch(tool, n, 1, tmp / f"{tool}-{n}-cold.npy")
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        # ru_maxrss of the children is the largest single child so far: the worker reports its own peak instead
        res[tool] = {**{k: calc[k] for k in ("import", "import_cpu", "build", "build_cpu", "calc_wall", "calc_cpu")},
                     "whole_wall": whole["whole_wall"], "whole_cpu": cpu, "peak_mib": whole["peak_mib"]}
    return res


def _row(values: list[float], scale: float, fmt: str) -> str:
    return f"{min(values) * scale:{fmt}} / {float(np.median(values)) * scale:{fmt}}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--units", type=int, nargs="+", default=[35_000, 350_000])
    ap.add_argument("--runs", type=int, default=7, help="fresh processes per tool and size, after one warm-up")
    ap.add_argument("--repeat", type=int, default=10, help="calculations in each calculation process (its best)")
    ap.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        tool, n, repeat, out = a.worker[0], int(a.worker[1]), int(a.worker[2]), Path(a.worker[3])
        figures, alloc = (run_interbudget if tool == "interbudget" else run_openfisca)(n, repeat)
        np.save(out, alloc)
        print(json.dumps({**figures, "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
        return
    try:
        from importlib.metadata import version

        import openfisca_core  # noqa: F401
    except ImportError:
        sys.exit("openfisca-core is not installed: pip install -e .[bench]")
    load = os.getloadavg()
    print(f"closed envelope with floors ({FLOOR:.0%}) and ceilings ({CEILING:.0%}) of last year, envelope = {GROWTH} x last "
          f"year's total; openfisca-core {version('openfisca-core')}, numpy {np.__version__}; {a.runs} runs of fresh "
          f"processes in turn after a warm-up, calculation best of {a.repeat} in each; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on {os.cpu_count()} cores")
    print("figures: best / median over the runs; ratio: median (and smallest) of the run-by-run ratios openfisca / interbudget")
    head = ("| units | tool | import s | build s | calc CPU ms | calc wall ms | whole process wall s | whole process CPU s "
            "| peak MiB | calc CPU ratio | whole wall ratio |")
    print(head + "\n" + "|---" * (head.count("|") - 1) + "|")
    with tempfile.TemporaryDirectory() as tmp:
        for n in a.units:
            run_pair(n, 1, Path(tmp), "interbudget")  # the warm-up: bytecode, page cache
            runs = [run_pair(n, a.repeat, Path(tmp), "interbudget" if r % 2 == 0 else "openfisca") for r in range(a.runs)]
            ratio = {k: [r["openfisca"][k] / r["interbudget"][k] for r in runs] for k in ("calc_cpu", "whole_wall")}
            for tool in ("interbudget", "openfisca"):
                col = {k: [r[tool][k] for r in runs] for k in runs[0][tool]}
                ratios = (("1.0", "1.0") if tool == "interbudget" else
                          tuple(f"{np.median(ratio[k]):.1f}x (min {min(ratio[k]):.2f}x)" for k in ratio))
                print(f"| {n:,} | {tool} | {_row(col['import'], 1, '.3f')} | {_row(col['build'], 1, '.3f')} | "
                      f"{_row(col['calc_cpu'], 1e3, '.2f')} | {_row(col['calc_wall'], 1e3, '.2f')} | {_row(col['whole_wall'], 1, '.3f')} | "
                      f"{_row(col['whole_cpu'], 1, '.3f')} | {np.median(col['peak_mib']):,.0f} | {ratios[0]} | {ratios[1]} |")
            ib, of = (np.load(Path(tmp) / f"{t}-{n}.npy") for t in ("interbudget", "openfisca"))
            rel = float(np.max(np.abs(ib - of) / np.maximum(np.abs(ib), 1.0)))
            total = data(n)[2]
            print(f"{n:,} units, same allocation: max relative difference {rel:.1e} (float32 storage in OpenFisca); sums "
                  f"{ib.sum():,.0f} and {of.sum():,.0f} of an envelope of {total:,.0f}" + ("" if rel < 1e-6 else "  <-- DIFFERENT"))


if __name__ == "__main__":
    main()
