"""A fixed envelope distributed by need, with guarantees (concept §3.3.3; docs/METHOD.md "Envelopes with guarantees").

allocation_c = clamp(scale x need_c, floor_c, ceiling_c), with the one scaling value that spends the envelope
exactly — or an official value injected by the scenario. Floors that exceed the envelope, or ceilings that cannot
reach it, are errors that name both sums.

The spent amount F(s) = sum clamp(s x need, floor, ceiling) is piecewise linear and nondecreasing in s, so the
scale is solved exactly, without a root-finder: an active-set iteration takes the units strictly between their
floor and ceiling at the current s, solves the one linear equation

    sum(floors held) + sum(ceilings held) + s x sum(needs of the free units) = envelope

for s (a Newton step on F), and repeats until the set of clamped units stops changing; the s it ends on is the
root of the linear piece it lies on. Each pass is a few numpy operations over the units (`active_set`: over many
units a secant spares the slope's sum, and once a bracket holds the root from both sides only the units with a
floor or ceiling inside it are passed over again); should the set not settle in `ACTIVE_SET_PASSES` passes, a sort
of the breakpoints (floor / need and ceiling / need) finishes exactly (`by_breakpoints`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InterbudgetError

AT_FLOOR, SCALED, AT_CEILING = -1, 0, 1
ACTIVE_SET_PASSES = 60  # a handful settle it in practice (4 at 350,000 units); the breakpoint sort after that
FOLD_OVER = 4096  # over this many units, fold the settled ones away once the bracket is closed


@dataclass
class EnvelopeResult:
    allocation: np.ndarray
    scale: float
    bound: np.ndarray  # AT_FLOOR, SCALED or AT_CEILING per unit (int8)
    lo: np.ndarray
    hi: np.ndarray


def clamped(scale: float, need: np.ndarray, lo: np.ndarray, hi: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """clip(scale x need, lo, hi) as its two ufuncs (a ceiling below its floor wins, as in np.clip), into `out`."""
    out = np.multiply(scale, need, out=out)
    result: np.ndarray = np.minimum(np.maximum(out, lo, out=out), hi, out=out)  # numpy's stubs: Any with out=
    return result


def distribute(need: np.ndarray, total: float, lo: np.ndarray, hi: np.ndarray, scale: float | None = None,
               what: str = "envelope") -> EnvelopeResult:
    """need, lo, hi per unit (hi may be inf); the allocation sums to `total` unless `scale` is given."""
    if need.size and need.min() < 0:  # a negative need counts as none (a copy only then)
        need = np.maximum(need, 0.0)
    solved = scale is None
    out = np.empty(need.shape)  # the solver's work buffer, then the allocation: one fresh array
    if scale is None:
        scale = _solve(need, float(total), lo, hi, what, out)
    out = clamped(scale, need, lo, hi, out)
    if solved and not np.isclose(out.sum(), total, rtol=1e-12, atol=1e-6):
        # float rounding leaves a residual (a sum of 10^5 amounts): put it on the scaled units, in proportion
        free = (out > lo) & (out < hi)
        if free.any():
            out[free] += (total - out.sum()) * out[free] / out[free].sum()
    # AT_FLOOR (-1) where a positive floor holds, else AT_CEILING (1) where the ceiling does, else SCALED (0);
    # in int8 arithmetic on the comparisons' own bytes, no per-unit branching
    ceiling, floor = np.greater_equal(out, hi), np.less_equal(out, lo) & (lo > 0)
    bound = np.subtract(ceiling.view(np.int8), floor.view(np.int8))
    bound -= (ceiling & floor).view(np.int8)  # a floor equal to its ceiling: reported at the floor
    return EnvelopeResult(out, float(scale), bound, lo, hi)


def _solve(need: np.ndarray, total: float, lo: np.ndarray, hi: np.ndarray, what: str, buf: np.ndarray) -> float:
    """The scale that spends `total` exactly, after the checks that name what makes it impossible."""
    floors, ceilings = lo.sum(), hi.sum()
    if floors > total * (1 + 1e-12):
        raise InterbudgetError(f"{what}: the floors add up to {floors:,.1f}, more than the envelope {total:,.1f}")
    if ceilings < total * (1 - 1e-12):
        raise InterbudgetError(f"{what}: the ceilings add up to {ceilings:,.1f}, less than the envelope {total:,.1f}")
    if (lo > hi).any():  # clamp(x, lo, hi) with lo > hi is hi: the same sums with lo = hi there
        lo = np.minimum(lo, hi)
        floors = lo.sum()
    at_zero = floors if lo.size == 0 or lo.min() >= 0 else float(clamped(0.0, need, lo, hi).sum())  # F(0): the floors'
    if at_zero >= total:
        return 0.0
    if need.sum() <= 0:
        raise InterbudgetError(f"{what}: no need to distribute {total:,.1f} by (every need is 0)")
    if need.min() == 0:  # units without a need keep clamp(0, floor, ceiling) whatever the scale
        idle = need == 0
        still = float(clamped(0.0, need[idle], lo[idle], hi[idle]).sum())
        need, lo, hi, total = need[~idle], lo[~idle], hi[~idle], total - still
        ceilings = hi.sum()
        if ceilings + still < (total + still) * (1 - 1e-12):
            raise InterbudgetError(f"{what}: the units with a need can reach at most {ceilings + still:,.1f} under their "
                                   f"ceilings (those without a need stay at their floors), less than the envelope "
                                   f"{total + still:,.1f}")
    if ceilings <= total:  # every unit at its ceiling (the envelope equals their sum, to the rounding)
        return float(np.max(hi / need))
    return active_set(need, total, lo, hi, buf=buf[:need.size])


def active_set(need: np.ndarray, total: float, lo: np.ndarray, hi: np.ndarray,
               passes: int | None = None, buf: np.ndarray | None = None) -> float:
    """The exact s > 0 with sum(clamp(s x need, lo, hi)) = total, for need > 0, lo <= hi, F(0) < total < sum(hi).

    Each pass clamps s x need and sums it (F(s)); the next s comes from F's line through this pass (a Newton step:
    the active-set solve) or, over many units after the first pass, through the last two passes (a secant, which
    spares summing the free units' needs). Every step is kept inside a bracket [low, high] that holds the root;
    when two passes in a row fall on one side of it the next aims a little past the root (1/32 of the step), so the
    bracket closes from both sides within three passes or so. Then only the units with a floor or a ceiling inside
    the bracket can still change state: the passes go on over those few, the others folded into one line K + W x s,
    with Newton steps until the clamped set stops changing.
    """
    n, passes = need.size, ACTIVE_SET_PASSES if passes is None else passes
    K = W = 0.0  # the folded units' part of F on [low, high]: K + W x s
    low, high, f_low, f_high = 0.0, np.inf, -np.inf, np.inf  # F(low) < total <= F(high)
    sets_low: tuple[np.ndarray, np.ndarray] | None = None  # the units at floor and at ceiling at low, and at high
    sets_high: tuple[np.ndarray, np.ndarray] | None = None
    x = np.empty_like(need) if buf is None else buf  # one buffer for every pass: s x need, its clamp, the free needs
    s, last_side, before = total / need.sum(), -1, None  # the scale if no guarantee held; 0 (low) came before it
    s = s if 0 < s < np.inf else 1.0
    at_lo, at_hi = np.multiply(s, need, out=x) <= lo, x >= hi
    for k in range(passes):
        spent = K + W * s + float(np.minimum(np.maximum(x, lo, out=x), hi, out=x).sum())
        if spent == total:
            return s
        side = -1 if spent < total else 1
        if side < 0:
            low, f_low, sets_low = s, spent, (at_lo, at_hi)
        else:
            high, f_high, sets_high = s, spent, (at_lo, at_hi)
        if sets_low is not None and sets_high is not None and n > FOLD_OVER:  # fold the units that cannot change
            free = ~(sets_low[0] | sets_low[1] | sets_high[0] | sets_high[1])  # free all through [low, high]
            keep = np.flatnonzero(~(sets_high[0] | sets_low[1] | free))  # not held at a floor or ceiling either
            if keep.size <= n // 8:
                some_free = bool(free.any())
                need, lo, hi, at_lo, at_hi, n = need[keep], lo[keep], hi[keep], at_lo[keep], at_hi[keep], keep.size
                x, sets_low, sets_high = x[keep], None, None
                r_low = f_low - float(clamped(low, need, lo, hi).sum())  # the folded units at low and at high
                r_high = f_high - float(clamped(high, need, lo, hi).sum())
                W = max((r_high - r_low) / (high - low), 0.0) if some_free else 0.0
                K = r_low - W * low
        if before is None or n <= FOLD_OVER or k >= 3:
            slope = W + float(np.multiply(need, ~(at_lo | at_hi), out=x).sum())  # F's slope on this piece
            step = s + (total - spent) / slope if slope > 0 else np.nan  # the root of this piece's line
            newton = step == step
        else:  # the secant through the last two passes
            step = s + (total - spent) * (s - before[0]) / (spent - before[1]) if spent != before[1] else np.nan
            newton = False
        if side == last_side and step == step:
            step, newton = step + (step - s) / 32, False  # two on one side: aim past the root, to bracket it
        if not low < step < high:  # outside the bracket (or a flat piece): halve it, or widen it while open
            step, newton = (2 * s if high == np.inf else 0.5 * (low + high)), False
        if step in (low, high):  # the bracket is two adjacent floats: the root is here
            return s
        if n == 0:  # every unit folded: F is the line K + W x s on the bracket
            return (total - K) / W if W > 0 else high
        next_lo, next_hi = np.multiply(step, need, out=x) <= lo, x >= hi
        if newton and np.array_equal(next_lo, at_lo) and np.array_equal(next_hi, at_hi):
            return step  # the clamped set stopped changing: `step` solves its own piece's equation
        s, at_lo, at_hi, last_side, before = step, next_lo, next_hi, side, (s, spent)
    return by_breakpoints(need, total, lo, hi, K, W)


def by_breakpoints(need: np.ndarray, total: float, lo: np.ndarray, hi: np.ndarray, K: float = 0.0,
                   W: float = 0.0) -> float:
    """The same exact s from the sorted breakpoints (plus a line K + W x s of units folded away): between two
    consecutive breakpoints F is one line. O(n log n): the finish should the active set not settle."""
    with np.errstate(over="ignore"):
        t_lo, t_hi = lo / need, hi / need  # a unit leaves its floor at t_lo and reaches its ceiling at t_hi
    at_lo, at_hi = t_lo > 0, t_hi <= 0  # the state at s = 0+
    const = K + float(lo[at_lo].sum() + hi[at_hi].sum())
    slope = W + float(need[~(at_lo | at_hi)].sum())
    up = (t_hi > 0) & np.isfinite(t_hi)
    point = np.concatenate([t_lo[at_lo], t_hi[up]])
    d_const = np.concatenate([-lo[at_lo], hi[up]])
    d_slope = np.concatenate([need[at_lo], -need[up]])
    order = np.argsort(point, kind="stable")
    point, c, k = point[order], const + np.cumsum(d_const[order]), slope + np.cumsum(d_slope[order])
    before_c, before_k = np.concatenate([[const], c[:-1]]), np.concatenate([[slope], k[:-1]])
    reached = np.flatnonzero(before_c + before_k * point >= total)  # F at each breakpoint, from the line before it
    i = int(reached[0]) if reached.size else point.size  # the root is on the line before breakpoint i
    left = point[i - 1] if i > 0 else 0.0
    inside = 0.5 * (left + point[i]) if i < point.size else (left + 1.0) * 2.0
    # that piece's line summed afresh at a point inside it (running sums of large steps lose digits)
    at_lo, at_hi = inside * need <= lo, inside * need >= hi
    const, slope = K + float(lo[at_lo & ~at_hi].sum() + hi[at_hi].sum()), W + float(need[~(at_lo | at_hi)].sum())
    return (total - const) / slope if slope > 0 else float(left)
