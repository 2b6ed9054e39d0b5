"""The envelope's scale solved exactly (rules/envelope.py: the active set, folded once the bracket closes, and the
breakpoint sort behind it): the envelope spent to the tenge, every unit within its guarantees, monotone in the
envelope, the same allocation as scipy's brentq on the same function, and no scipy imported to get it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays
from scipy.optimize import brentq

from interbudget.errors import InterbudgetError
from interbudget.rules import envelope
from interbudget.rules.envelope import AT_CEILING, AT_FLOOR, SCALED, active_set, by_breakpoints, distribute

ROOT = Path(__file__).resolve().parent.parent
amount = st.one_of(st.just(0.0), st.floats(1.0, 1e9))  # tenge: none, or from one tenge to a billion


def reference(need: np.ndarray, total: float, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The allocation by root-finding, as the rule computed it before: brentq on F(s) - total, its residual spread."""
    def f(s: float) -> float:
        return float(np.clip(s * need, lo, hi).sum()) - total

    if f(0.0) >= 0:
        return np.clip(0.0 * need, lo, hi)
    upper = total / need.sum() + 1.0
    while f(upper) < 0:
        upper *= 2.0
    out = np.clip(brentq(f, 0.0, upper, xtol=1e-300, rtol=4 * np.finfo(float).eps, maxiter=500) * need, lo, hi)  # relative
    free = (out > lo) & (out < hi)
    if free.any():  # brentq's residual (its tolerance is absolute in s), spread on the scaled units in proportion
        out[free] += (total - out.sum()) * out[free] / out[free].sum()
    return out


@st.composite
def envelopes(draw, max_units: int = 40):
    """Units with needs (some none), last year's amounts, a floor and/or ceiling (or none) and a reachable envelope."""
    n = draw(st.integers(1, max_units))
    need = draw(arrays(np.float64, n, elements=amount))
    last = draw(arrays(np.float64, n, elements=amount))
    floor = draw(st.sampled_from([0.0, 0.5, 0.95, 1.0]))
    ceiling = draw(st.sampled_from([1.0, 1.1, 1.5, np.inf]))
    lo = floor * last
    hi = np.where(need > 0, ceiling * last if ceiling < np.inf else np.inf, np.maximum(lo, ceiling * last if ceiling < np.inf else lo))
    hi = np.maximum(hi, lo)  # (a floor of 1.0 and a ceiling of 1.0 hold one amount)
    reach = float(np.where(need > 0, hi, lo).sum())
    if need.sum() == 0 or not lo.sum() < reach:
        return None
    top = min(reach, lo.sum() + 10 * need.sum() + 1.0)
    total = draw(st.floats(float(lo.sum()), float(top)))
    return need, float(total), lo, hi


def check(need, total, lo, hi):
    res = distribute(need, total, lo, hi)
    a = res.allocation
    assert abs(a.sum() - total) <= max(1e-12 * total, 1e-3), (a.sum(), total)  # to the tenge, and far below it
    assert (a >= lo).all() and (a <= hi).all()
    ref = reference(need, total, lo, hi)
    assert np.allclose(a, ref, rtol=1e-9, atol=1e-9 * max(total, 1.0) / a.size), repr((need.tolist(), total, a.tolist(), ref.tolist()))
    return res


@settings(max_examples=300, deadline=None)
@given(envelopes())
def test_spent_to_the_tenge_within_every_guarantee_and_as_brentq_finds_it(case):
    if case is not None:
        check(*case)


@settings(max_examples=200, deadline=None)
@given(envelopes())
def test_the_fold_and_the_breakpoint_sort_give_the_same_scale(case):
    """The fold (over FOLD_OVER units, here made small) and the sort (no active-set pass at all) are the same rule."""
    if case is None:
        return
    with patch.object(envelope, "FOLD_OVER", 4):
        folded = check(*case)
    need, total, lo, hi = case
    if folded.scale > 0 and ((folded.allocation > lo) & (folded.allocation < hi)).any():  # a unique scale
        live = need > 0
        rest = total - float(np.clip(0.0, lo[~live], hi[~live]).sum())
        if rest > float(np.clip(0.0, lo[live], hi[live]).sum()) and rest < hi[live].sum():
            # the scale is as well defined as F is summed: a rounding of F (eps x F) moves it by that over F's slope
            free = (folded.allocation > lo) & (folded.allocation < hi)
            rel = 1e-9 + 16 * np.finfo(float).eps * total / (folded.scale * need[free].sum())
            for s in (by_breakpoints(need[live], rest, lo[live], hi[live]), active_set(need[live], rest, lo[live], hi[live], passes=0)):
                assert s == pytest.approx(folded.scale, rel=rel)


@settings(max_examples=150, deadline=None)
@given(envelopes(), st.floats(0.0, 1.0))
def test_a_larger_envelope_gives_no_unit_less(case, more):
    if case is None:
        return
    need, total, lo, hi = case
    reach = float(np.where(need > 0, hi, lo).sum())
    bigger = total + more * (min(reach, total * 2 + 1.0) - total)
    a, b = distribute(need, total, lo, hi), distribute(need, bigger, lo, hi)
    assert b.scale >= a.scale
    assert (b.allocation >= a.allocation - 1e-9 * np.maximum(a.allocation, 1.0)).all()


@pytest.mark.parametrize("n, seed, floor, ceiling", [(35_000, 7, 0.95, 1.10), (35_000, 1, 0.0, 1.5), (20_000, 2, 1.0, np.inf),
                                                     (50_000, 3, 0.9, 1.0)])
def test_many_units_settle_in_a_few_passes_and_match_brentq(n, seed, floor, ceiling):
    """The benchmark's shape (need lognormal, last year off it by ~25 %): the active set settles, never the sort."""
    rng = np.random.default_rng(seed)
    need = rng.lognormal(10.0, 1.2, n)
    last = need * rng.lognormal(0.0, 0.25, n)
    lo, hi = floor * last, ceiling * last
    total = float(1.03 * last.sum()) if ceiling < np.inf else float(1.5 * last.sum())
    if ceiling == 1.0:
        total = float(0.97 * hi.sum())
    with patch.object(envelope, "by_breakpoints", side_effect=AssertionError("the active set did not settle")):
        res = check(need, total, lo, hi)
    held = {int(b) for b in np.unique(res.bound)}
    assert held == {SCALED} | ({AT_FLOOR} if floor > 0 else set()) | ({AT_CEILING} if ceiling < np.inf else set())


def test_by_hand_one_floor_and_one_ceiling_bind():
    # floors 45, 135, 270 and ceilings 55, 165, 330: the scale 0.775 gives 55 (ceiling), 155, 270 (floor)
    need, last = np.array([100.0, 200.0, 300.0]), np.array([50.0, 150.0, 300.0])
    res = distribute(need, 480.0, 0.9 * last, 1.1 * last)
    assert res.scale == pytest.approx(0.775, rel=1e-15) and res.allocation == pytest.approx([55, 155, 270], rel=1e-15)
    assert res.bound.tolist() == [AT_CEILING, SCALED, AT_FLOOR]


def test_by_hand_a_unit_without_need_keeps_its_floor_and_a_floor_above_its_ceiling_is_the_ceiling():
    # unit 0: no need, floor 5; unit 1: floor 8 above ceiling 4, so 4 whatever the scale; units 2, 3 share the rest
    need = np.array([0.0, 10.0, 10.0, 30.0])
    lo, hi = np.array([5.0, 8.0, 0.0, 0.0]), np.array([np.inf, 4.0, np.inf, np.inf])
    res = distribute(need, 49.0, lo, hi)  # 49 - 5 - 4 = 40 over needs 10 and 30: the scale 1.0
    assert res.scale == 1.0 and res.allocation.tolist() == [5.0, 4.0, 10.0, 30.0]
    assert res.bound.tolist() == [AT_FLOOR, AT_FLOOR, SCALED, SCALED]  # at or under a positive floor: reported at it


def test_by_hand_every_ceiling_reached_and_floors_that_already_spend_it():
    need, lo, hi = np.array([1.0, 2.0, 4.0]), np.array([0.0, 0.0, 0.0]), np.array([3.0, 2.0, 2.0])
    res = distribute(need, 7.0, lo, hi)  # the envelope is the ceilings' sum: the first scale that reaches all, 3.0
    assert res.scale == 3.0 and res.allocation.tolist() == [3.0, 2.0, 2.0]
    res = distribute(need, 6.0, np.array([1.0, 2.0, 3.0]), np.full(3, np.inf))
    assert res.scale == 0.0 and res.allocation.tolist() == [1.0, 2.0, 3.0] and res.bound.tolist() == [AT_FLOOR] * 3


@pytest.mark.parametrize("need, total, lo, hi, message", [
    ([1.0, 2.0], 2.0, [1.5, 1.5], [9.0, 9.0], "env: the floors add up to 3.0, more than the envelope 2.0"),
    ([1.0, 2.0], 20.0, [0.0, 0.0], [9.0, 9.0], "env: the ceilings add up to 18.0, less than the envelope 20.0"),
    ([0.0, 0.0], 5.0, [0.0, 0.0], [np.inf, np.inf], r"env: no need to distribute 5\.0 by \(every need is 0\)"),
    ([0.0, 1.0], 3.0, [0.0, 0.0], [5.0, 1.0], r"env: the units with a need can reach at most 1\.0 under their ceilings"),
])
def test_an_unreachable_envelope_is_an_error_naming_the_sums(need, total, lo, hi, message):
    with pytest.raises(InterbudgetError, match=message):
        distribute(np.array(need), total, np.array(lo), np.array(hi), what="env")


def test_the_rule_and_the_engine_import_no_scipy():
    code = ("import sys, interbudget as ib; ds = ib.load_dataset('data/kz'); "
            "r = ib.run(ds, ib.load_scenario('scenarios/envelope-2027.yaml')); "
            "assert r.envelope.rows, 'no envelope'; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'scipy'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
