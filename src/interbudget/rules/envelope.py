"""A fixed envelope distributed by need, with guarantees (the core primitive of real transfer laws).

allocation_c = clamp(scale x need_c, floor x last_c, ceiling x last_c), with
the one scaling value that spends the envelope exactly, found by a bracketed
root-finder (scipy's brentq) — or an official value injected by the
scenario. Floors that exceed the envelope, or ceilings that cannot reach it,
are errors that name both sums.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InterbudgetError

AT_FLOOR, SCALED, AT_CEILING = -1, 0, 1


@dataclass
class EnvelopeResult:
    allocation: np.ndarray
    scale: float
    bound: np.ndarray  # AT_FLOOR, SCALED or AT_CEILING per unit
    lo: np.ndarray
    hi: np.ndarray


def distribute(need: np.ndarray, total: float, lo: np.ndarray, hi: np.ndarray, scale: float | None = None,
               what: str = "envelope") -> EnvelopeResult:
    """need, lo, hi per unit (hi may be inf); the allocation sums to `total` unless `scale` is given."""
    need = np.maximum(need, 0.0)
    buf = np.empty_like(need)  # the root-finder's evaluations reuse one array: no fresh memory per step

    def alloc(lam: float, out: np.ndarray | None = None) -> np.ndarray:
        # clip(lam x need, lo, hi) as its two ufuncs, into `out`: the same operations, the same values
        out = np.multiply(lam, need, out=out)
        clipped: np.ndarray = np.minimum(np.maximum(out, lo, out=out), hi, out=out)  # numpy's stubs: Any with out=
        return clipped

    solved = scale is None
    if solved:
        floors, ceilings = lo.sum(), hi.sum()
        if floors > total * (1 + 1e-12):
            raise InterbudgetError(f"{what}: the floors add up to {floors:,.1f}, more than the envelope {total:,.1f}")
        if ceilings < total * (1 - 1e-12):
            raise InterbudgetError(f"{what}: the ceilings add up to {ceilings:,.1f}, less than the envelope {total:,.1f}")
        def f(lam: float) -> float:  # nondecreasing in lam
            return float(alloc(lam, buf).sum()) - total

        if f(0.0) >= 0:
            scale = 0.0
        else:
            if need.sum() <= 0:
                raise InterbudgetError(f"{what}: no need to distribute {total:,.1f} by (every need is 0)")
            upper = total / need.sum() + 1.0
            while f(upper) < 0:  # ceilings that are not binding leave room: widen the bracket
                upper *= 2.0
                if not np.isfinite(upper):  # units without a need stay at their floors: the others cannot reach it
                    reach = np.where(need > 0, hi, np.maximum(lo, 0.0)).sum()
                    raise InterbudgetError(f"{what}: the units with a need can reach at most {reach:,.1f} under their "
                                           f"ceilings (those without a need stay at their floors), less than the envelope {total:,.1f}")
            # only where an envelope is allocated: scipy costs 0.3 s to import. scipy ships no type information
            # (its stubs are the separate scipy-stubs package, not a dependency): brentq is untyped here
            from scipy.optimize import brentq  # type: ignore[import-untyped]

            scale = brentq(f, 0.0, upper, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)
    if scale is None:  # solved above
        raise AssertionError("the envelope's scale was not solved")
    out = alloc(scale)
    if solved and not np.isclose(out.sum(), total, rtol=1e-12, atol=1e-6):
        # brentq leaves a residual of float rounding: put it on the scaled units, in proportion
        free = (out > lo) & (out < hi)
        if free.any():
            out[free] += (total - out.sum()) * out[free] / out[free].sum()
    # AT_FLOOR (-1) where a positive floor holds, else AT_CEILING (1) where the ceiling does, else SCALED (0);
    # in integer arithmetic on whole arrays, which is several times faster than nested np.where at 10^5 units
    bound = np.greater_equal(out, hi).astype(np.int64)
    bound -= (np.less_equal(out, lo) & (lo > 0)) * (bound + 1)
    return EnvelopeResult(out, float(scale), bound, lo, hi)
