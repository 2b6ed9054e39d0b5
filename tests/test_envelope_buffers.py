"""The envelope's solver evaluates into one reused buffer: the allocation it returns is still exactly
clip(scale x need, floor, ceiling), spends the envelope, and each unit's bound (int8) says which guarantee holds."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from interbudget.errors import InterbudgetError
from interbudget.rules.envelope import AT_CEILING, AT_FLOOR, SCALED, distribute

positive = st.one_of(st.just(0.0), st.floats(1e-3, 1e6))  # (subnormal needs overflow the bracket: not budgets)


@settings(max_examples=60, deadline=None)
@given(need=arrays(np.float64, st.integers(1, 60), elements=positive), data=st.data())
def test_the_allocation_is_the_clipped_scaled_need(need, data):
    n = need.size
    last = data.draw(arrays(np.float64, n, elements=positive))
    floor, ceiling = data.draw(st.sampled_from([0.0, 0.9])), data.draw(st.sampled_from([1.1, 2.0]))
    lo, hi = floor * last, ceiling * last + 1.0
    total = data.draw(st.floats(lo.sum() * 1.001 + 1e-3, hi.sum() * 0.999)) if hi.sum() * 0.999 > lo.sum() * 1.001 + 1e-3 else None
    if total is None or need.sum() == 0:
        return
    if np.where(need > 0, hi, lo).sum() < total:  # the units with a need cannot reach it: an error, never a crash
        with pytest.raises(InterbudgetError, match="the units with a need can reach at most"):
            distribute(need, total, lo, hi)
        return
    res = distribute(need, total, lo, hi)
    plain = np.clip(res.scale * np.maximum(need, 0.0), lo, hi)
    free = (plain > lo) & (plain < hi)
    if np.isclose(plain.sum(), total, rtol=1e-12, atol=1e-6):
        assert np.array_equal(res.allocation, plain)  # no residual to spread: bit for bit the clipped need
    else:
        assert np.array_equal(res.allocation[~free], plain[~free])
    assert np.isclose(res.allocation.sum(), total, rtol=1e-9)
    want = np.where((lo > 0) & (res.allocation <= lo), AT_FLOOR, np.where(res.allocation >= hi, AT_CEILING, SCALED))
    assert np.array_equal(res.bound, want) and res.bound.dtype == np.int8


def test_a_given_scale_is_applied_as_is_and_the_inputs_are_left_alone():
    need, lo, hi = np.array([1.0, 2.0, -3.0, 4.0]), np.array([0.5, 0.0, 0.2, 0.0]), np.array([0.8, 9.0, 9.0, 2.0])
    before = (need.copy(), lo.copy(), hi.copy())
    res = distribute(need, 0.0, lo, hi, scale=0.7)
    assert res.allocation.tolist() == [0.7, 1.4, 0.2, 2.0] and res.scale == 0.7
    assert res.bound.tolist() == [SCALED, SCALED, AT_FLOOR, AT_CEILING]
    assert all(np.array_equal(a, b) for a, b in zip(before, (need, lo, hi), strict=True))
    again = distribute(need, 3.0, lo, hi)  # solved: a second call does not see the first's buffer
    assert np.isclose(again.allocation.sum(), 3.0) and res.allocation.tolist() == [0.7, 1.4, 0.2, 2.0]


def test_ceilings_only_units_without_a_need_could_fill_are_an_error_not_a_crash():
    need, lo, hi = np.array([0.0, 1.0]), np.array([0.0, 0.0]), np.array([5.0, 1.0])
    with pytest.raises(InterbudgetError, match=r"envelope: the units with a need can reach at most 1\.0 .* less than the envelope 3\.0"):
        distribute(need, 3.0, lo, hi)
