"""Properties of sequestration and borrowing: the protected floor is never cut, the order is kept, money is
conserved across cuts, borrowing and debt service, and without a shortfall the actual track is today's."""
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import given, settings, strategies as hs

from helpers import make_dataset, simulate
from interbudget.rules.borrowing import finance, schedule
from interbudget.rules.needs import FROM_ROWS, NeedItems
from interbudget.rules.sequestration import cut, cuttable, steps_of
from interbudget.rules.transfers import Transfers
from interbudget.scenario import Borrowing, Sequestration

FUNCTIONS = ["edu", "roads", "culture", "parks"]
item = hs.tuples(hs.integers(0, 2), hs.integers(0, 2), hs.integers(0, 2), hs.integers(0, 3), hs.integers(0, 1),
                 hs.floats(0, 1e6, allow_nan=False))  # budget, year, priority, function, kind, amount
orders = hs.lists(hs.sampled_from(["additional", "basic", "mandatory.development", "basic.current", "additional.development"]),
                  max_size=4, unique=True)


def _items(rows):
    a = np.array(rows, dtype=float).reshape(-1, 6)
    n = a.shape[0]
    return NeedItems(a[:, 0].astype(np.int32), a[:, 1].astype(np.int64), a[:, 3].astype(np.int32), a[:, 2].astype(np.int8), a[:, 5],
                     np.full(n, FROM_ROWS, np.int8), np.full(n, -1, np.int32), np.full(n, np.nan), np.full(n, np.nan),
                     a[:, 4].astype(np.int8), np.full(n, -1, np.int32))


def _order(raw):
    try:
        return Sequestration(order=raw).order
    except ValueError:  # overlapping steps: the scenario refuses them; keep the first of each
        return Sequestration(order=raw[:1]).order if raw else []


@settings(max_examples=150, deadline=None)
@given(hs.lists(item, min_size=1, max_size=30), orders, hs.lists(hs.sampled_from(FUNCTIONS), max_size=2),
       hs.lists(hs.floats(0, 3e6, allow_nan=False), min_size=3, max_size=3))
def test_sequestration_never_cuts_the_protected_floor_and_keeps_the_order(rows, raw, protected, deficit):
    order = _order(raw)
    items = _items(rows)
    steps = steps_of(order, items, FUNCTIONS, protected, None)
    avail = cuttable(items, steps, 3, 3)
    never = (items.priority == 0) & (items.kinds() == 0) | np.isin(items.function, [FUNCTIONS.index(f) for f in protected])
    assert (steps.of_item[never] == -1).all()  # mandatory current and protected functions are in no step
    open_ = np.bincount(items.budget[~never] * 3 + items.year[~never], weights=items.amount[~never], minlength=9).reshape(3, 3)
    for k in range(3):
        c = cut(np.array(deficit), avail[:, k, :])
        assert (c <= avail[:, k, :] + 1e-6).all() and (c >= 0).all()
        assert np.allclose(c.sum(axis=1), np.minimum(deficit, avail[:, k, :].sum(axis=1)))
        assert (c.sum(axis=1) <= open_[:, k] + 1e-6).all()
        for s in range(1, c.shape[1]):  # a later step only once the earlier ones are exhausted
            later = c[:, s] > 1e-9
            assert np.allclose(c[later, :s], avail[later, k, :s])


@settings(max_examples=150, deadline=None)
@given(hs.lists(hs.floats(0, 1000, allow_nan=False), min_size=6, max_size=6), hs.lists(hs.floats(0, 1000, allow_nan=False), min_size=6,
       max_size=6), hs.floats(0, 0.3), hs.integers(1, 4), hs.one_of(hs.none(), hs.floats(0, 2)), hs.one_of(hs.none(), hs.floats(0, 0.5)),
       hs.floats(0, 500, allow_nan=False))
def test_money_is_conserved_across_cuts_borrowing_and_debt_service(plan_rev, act_rev, rate, term, max_debt, max_service, cuttable_amount):
    nb, ny = 2, 3  # budget 0 the republic, budget 1 a region
    needs = np.full((nb, ny), 800.0)
    plan = np.array(plan_rev).reshape(nb, ny)
    rev = np.array(act_rev).reshape(nb, ny)
    S = np.zeros((nb, ny))
    S[1] = np.maximum(needs[1] - plan[1], 0)
    W = np.zeros((nb, ny))
    W[1] = np.maximum(plan[1] - needs[1], 0)
    paid, received = np.zeros((nb, ny)), np.zeros((nb, ny))
    paid[0], received[0] = S[1], W[1]
    tr = Transfers(S - W, S, W, paid, received)
    avail = np.full((nb, ny, 1), cuttable_amount)
    cfg = Borrowing(lenders=["bank"], rate=rate, term=term, max_debt_to_revenue=max_debt, max_service_to_revenue=max_service)
    fin = finance("actual", [0, 1, 2], [2026, 2027, 2028], needs, rev, plan, tr, np.array([0, 1]), avail, cfg, np.zeros((nb, ny)),
                  np.zeros((nb, ny)))
    base = rev + S - W - paid + received - needs
    cuts = fin.cuts.sum(axis=2)
    # every tenge: the balance after = the balance before + cuts - the new loans' service
    assert np.allclose(fin.balance, base + cuts - fin.new_service)
    assert np.allclose(fin.needs, needs - cuts + fin.new_service)
    # a deficit left is borrowed or unfinanced, nothing else; the republic is never touched
    hit = fin.deficit > 0
    assert np.allclose(-np.minimum(fin.balance, 0)[hit], (fin.borrowed + fin.unfinanced)[hit])
    assert (fin.borrowed >= 0).all() and (fin.unfinanced >= -1e-9).all() and not fin.borrowed[0].any() and not cuts[0].any()
    # the loans' schedules repay exactly what was borrowed, with interest on what is outstanding
    for loan in fin.new_loans:
        _, a, _ = schedule(np.array([loan["amount"]]), np.array([rate]), np.array([loan["year"]]), np.array([loan["year"] + term]),
                           list(range(2026, 2040)))
        assert np.isclose(a.sum(), loan["amount"])
    # within the limits
    got = fin.borrowed[1] > 0  # a year with a new loan: its debt and service within the limits
    if max_debt is not None:
        assert (fin.debt[1, got] <= max_debt * fin.disposable[1, got] + 1e-6).all()
    if max_service is not None:
        assert (fin.service[1, got] + fin.borrowed[1, got] * (rate + 1 / term) <= max_service * fin.disposable[1, got] + 1e-6).all()


UNITS = [("0", None, "republic", 1000), ("1", "0", "region", 600), ("11", "1", "district", 300), ("12", "1", "district", 300)]


@settings(max_examples=12, deadline=None)
@given(hs.lists(hs.floats(0, 500), min_size=3, max_size=3), hs.lists(hs.floats(0, 300), min_size=3, max_size=3))
def test_with_no_shortfall_the_actual_track_is_todays(plan, extra):
    with tempfile.TemporaryDirectory() as d:
        years = [2026, 2027, 2028]
        rec = [("0", y, "vat", 5000) for y in years] + [("11", y, "loc", p) for y, p in zip(years, plan, strict=True)]
        act = [("0", y, "vat", 5000) for y in years] + [("11", y, "loc", p + e) for y, p, e in zip(years, plan, extra, strict=True)]
        ds = make_dataset(Path(d), UNITS, receipts=rec, actual=act,
                          needs=[("11", y, "edu", 400) for y in years] + [("12", y, "roads", 100, "basic") for y in years])
        sc = {"name": "x", "years": years, "sharing": {"loc": {"district": 0.6, "region": 0.2}}}
        today, _, _ = simulate(ds, sc)
        rows, _, res = simulate(ds, {**sc, "sequestration": {}, "borrowing": {"rate": 0.1, "max_debt_to_revenue": 0.2}})
        assert rows == today
        assert not res.debt.financing["actual"].cuts.any() and not res.debt.financing["actual"].borrowed.any()
