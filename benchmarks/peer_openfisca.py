"""Peer benchmark: a closed envelope shared by need with floors and ceilings against last year's allocation
(the primitive of OpenFisca's openfisca-france-dotations-locales: a national amount, each commune's share
guaranteed between a floor and a ceiling of what it got the year before), written idiomatically in
openfisca-core and in interbudget, on the same seeded data.

  allocation_c = clip(scale x need_c, floor x last_c, ceiling x last_c), scale such that sum = envelope

- openfisca-core: a TaxBenefitSystem with one person-like entity (the local budget), the envelope, floor and
  ceiling as legislation parameters, `need` an input variable, `allocation` a variable whose formula reads
  last year's `allocation` (period.last_year) and solves the scale with the same root-finder interbudget uses
  (scipy's brentq), so the comparison is of the frameworks, not of the solvers.
- interbudget: `interbudget.rules.envelope.distribute` (the rule the engine runs for `envelope:` scenarios).

Each (tool, size) runs in a fresh process, so its peak memory is its own. Times: import of the framework and
building (OpenFisca: the tax-benefit system, the simulation and its inputs) in wall seconds; the calculation in
CPU seconds (time.process_time, steadier than wall time on a machine shared with others), best of --repeat, a
new simulation each time for OpenFisca, whose results are cached; the cold process (import + build + first
calculation) in both.
The allocations of both are compared (OpenFisca stores floats as float32: within rounding).

openfisca-core is a benchmark-only dependency: `pip install -e .[bench]`, then
    .venv/bin/python benchmarks/peer_openfisca.py [--units 35000 350000] [--repeat 10]
"""
from __future__ import annotations

import argparse
import json
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
    """(wall, CPU) seconds now: the calculation is compared by CPU time (steadier on a shared machine), the
    cold process by both."""
    return np.array([time.perf_counter(), time.process_time()])


def _peak_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _figures(imp: np.ndarray, build: np.ndarray, calcs: list[np.ndarray]) -> dict:
    cold = imp + build + calcs[0]  # the first calculation imports scipy's root-finder, in both
    return {"import": imp[0], "build": build[0], "calc_cpu": min(c[1] for c in calcs), "cold": cold[0], "cold_cpu": cold[1]}


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


def measure(tool: str, n: int, repeat: int, out: Path) -> dict:
    res = subprocess.run([sys.executable, __file__, "--worker", tool, str(n), str(repeat), str(out)],
                         capture_output=True, text=True)
    if res.returncode:
        sys.exit(f"{tool} worker failed:\n{res.stderr}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--units", type=int, nargs="+", default=[35_000, 350_000])
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        tool, n, repeat, out = a.worker[0], int(a.worker[1]), int(a.worker[2]), Path(a.worker[3])
        figures, alloc = (run_interbudget if tool == "interbudget" else run_openfisca)(n, repeat)
        np.save(out, alloc)
        print(json.dumps({**figures, "peak_mib": _peak_mib()}))
        return
    try:
        from importlib.metadata import version

        import openfisca_core  # noqa: F401
    except ImportError:
        sys.exit("openfisca-core is not installed: pip install -e .[bench]")
    print(f"closed envelope with floors ({FLOOR:.0%}) and ceilings ({CEILING:.0%}) of last year, envelope = {GROWTH} x last "
          f"year's total; openfisca-core {version('openfisca-core')}, numpy {np.__version__}; best of {a.repeat}")
    head = (f"{'units':>8} {'tool':<12} {'import s':>9} {'build s':>8} {'calc CPU s':>11} {'cold wall s':>12} {'cold CPU s':>11} "
            f"{'peak MiB':>9} {'calc x':>7} {'cold x':>7}")
    print(head)
    with tempfile.TemporaryDirectory() as tmp:
        for n in a.units:
            res = {tool: measure(tool, n, a.repeat, Path(tmp) / f"{tool}-{n}.npy") for tool in ("interbudget", "openfisca")}
            ib, of = (np.load(Path(tmp) / f"{t}-{n}.npy") for t in ("interbudget", "openfisca"))
            for tool, r in res.items():
                ours = res["interbudget"]
                print(f"{n:>8,} {tool:<12} {r['import']:>9.3f} {r['build']:>8.3f} {r['calc_cpu']:>11.4f} {r['cold']:>12.3f} "
                      f"{r['cold_cpu']:>11.3f} {r['peak_mib']:>9,.0f} {r['calc_cpu'] / ours['calc_cpu']:>7.1f} {r['cold'] / ours['cold']:>7.1f}")
            rel = float(np.max(np.abs(ib - of) / np.maximum(np.abs(ib), 1.0)))
            total = data(n)[2]
            print(f"{'':>8} same allocation: max relative difference {rel:.1e} (float32 storage in OpenFisca); sums "
                  f"{ib.sum():,.0f} and {of.sum():,.0f} of an envelope of {total:,.0f}"
                  + ("" if rel < 1e-6 else "  <-- DIFFERENT"))


if __name__ == "__main__":
    main()
