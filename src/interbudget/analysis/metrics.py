"""Metrics of a run (concept §3.3.2: the evidence for choosing an option).

Equalization: needs-adjusted fiscal capacity (own revenue / need) per region,
consolidated, and per budget, before and after transfers, with
population-weighted Gini, coefficient of variation, Theil and max/min.
Counts of subvention and withdrawal budgets per level; dependence on
transfers; stability (year to year, plan vs actual); incentive (retention
of an extra tenge collected, this year and over a reset of the medium term);
exposure of the republican budget to an oil price fall.

`metrics` returns a `Metrics` record of tables (analysis/metrics_table.py names their columns);
`Metrics.to_dict()` is the layout of metrics.json.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from ..dataset import Receipts
from ..engine import Result, run
from ..hierarchy import LEVELS, REGION
from ..rules.sharing import revenue
from ..rules.status import HALF_TIYN, statuses
from ..rules.transfers import balance
from .inequality import weighted_stats
from .metrics_table import Metrics
from .table import Table


def _safe_div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.divide(a, b, out=np.full(np.shape(a), np.nan, dtype=float), where=np.asarray(b) != 0)


def region_table(res: Result, k: int) -> dict[str, np.ndarray]:
    """Per region (consolidated: the region's budget and every budget below it) in year position k."""
    h, tr = res.hierarchy, res.transfers
    regions = np.flatnonzero(h.level == REGION)
    pos = np.full(h.n, -1)
    pos[regions] = np.arange(regions.size)
    reg_of_budget = pos[np.maximum(h.b_region_unit, 0)]
    reg_of_budget[h.b_region_unit < 0] = -1
    inside = reg_of_budget >= 0
    sums = lambda a: np.bincount(reg_of_budget[inside], weights=a[inside], minlength=regions.size)  # noqa: E731
    R, N = sums(res.plan.revenue[:, k]), sums(res.needs[:, k])
    # the consolidated region's transfers are those with the republic (flows inside the region cancel)
    with_rep = inside & (h.b_parent == h.b_republic)
    net = np.bincount(reg_of_budget[with_rep], weights=(tr.subvention[:, k] - tr.withdrawal[:, k])[with_rep], minlength=regions.size)
    pop = h.population[regions]
    return {"unit": regions, "code": h.codes[regions], "population": pop, "revenue": R, "needs": N, "net_transfer": net,
            "capacity_before": _safe_div(R, N), "capacity_after": _safe_div(R + net, N)}


def level_table(res: Result, k: int) -> list[dict]:
    h, tr = res.hierarchy, res.transfers
    out = []
    for lvl in range(1, 4):
        b = np.flatnonzero(h.b_level == lvl)
        if b.size == 0:
            continue
        S, W, N = tr.subvention[b, k], tr.withdrawal[b, k], res.needs[b, k]
        spent = N + tr.subventions_paid[b, k]
        bal = res.plan.balance[b, k]
        st = statuses(S, W)  # the one status rule (rules/status.py)
        out.append({"level": LEVELS[lvl], "budgets": int(b.size), "subvention_budgets": int((st == "subvention").sum()),
                    "withdrawal_budgets": int((st == "donor").sum()), "subvention_share": float((st == "subvention").mean()),
                    "withdrawal_share": float((st == "donor").mean()),
                    # dependence: the part of the level's spending (own needs + subventions paid below) that the
                    # subvention from above finances; min() keeps it a share (at most 1) whatever the revenue
                    "dependence": float(np.minimum(S, spent).sum() / spent.sum()) if spent.sum() else float("nan"),
                    "deficit_budgets": int((bal <= -HALF_TIYN).sum())})
    return out


def stability(res: Result) -> list[dict]:
    """Year-to-year change of net transfers and balances per level, and how far actual balances moved from the plan."""
    h, tr = res.hierarchy, res.transfers
    out = []
    net = tr.subvention - tr.withdrawal
    for lvl in range(1, 4):
        b = np.flatnonzero(h.b_level == lvl)
        if b.size == 0:
            continue
        row: dict[str, Any] = {"level": LEVELS[lvl]}
        if net.shape[1] > 1:
            d = np.abs(np.diff(net[b], axis=1)).sum(axis=0)
            base = np.abs(net[b][:, :-1]).sum(axis=0)
            row["net_transfer_change"] = [float(x) for x in _safe_div(d, base)]
        if res.actual is not None:
            pos = res.actual.year_pos
            row["actual_minus_plan_balance"] = [float(np.abs(res.actual.balance[b, p] - res.plan.balance[b, p]).sum()) for p in pos]
        out.append(row)
    return out


def _scaled(rec: Receipts, factor: np.ndarray) -> Receipts:
    return Receipts(rec.unit, rec.year, rec.tax, rec.payer, rec.amount * factor)


def retention(res: Result, scenario_file: str = "scenario", epsilon: float = 0.01) -> list[dict]:
    """Of one extra tenge collected in a region (all its receipts up by `epsilon`), how much the region's
    budgets keep: this year (the medium-term amounts stay fixed) and over a reset (the next law re-fixes them)."""
    ds, h = res.dataset, res.hierarchy
    rec = ds.receipts
    reg = h.anc[REGION][rec.unit]
    regions = np.flatnonzero(h.level == REGION)
    in_region = h.b_region_unit  # per budget
    out = []
    for k_unit in regions.tolist():
        mine = reg == k_unit
        # the extra of each year: a year's change is a share of that year's extra receipts
        extra = np.array([rec.amount[mine & (rec.year == y)].sum() for y in res.years]) * epsilon
        if not extra.any():
            continue
        new = _scaled(rec, np.where(mine, 1 + epsilon, 1.0))
        assert res.base_mask is not None  # engine.run always sets it
        grid = new.grid(res.years, h.n, len(res.taxes), res.base_mask)
        rev = revenue(h, grid, res.tables)
        bal_fixed = balance(res.needs, rev, res.transfers)
        rerun = run(replace(ds, receipts=new), res.scenario, scenario_file)
        b = in_region == k_unit
        d_now = _safe_div((bal_fixed[b] - res.plan.balance[b]).sum(axis=0), extra)
        d_reset = _safe_div((rerun.plan.balance[b] - res.plan.balance[b]).sum(axis=0), extra)
        out.append({"code": h.codes[k_unit], "name": h.name(k_unit), "this_year": [float(x) for x in d_now],
                    "after_reset": [float(x) for x in d_reset]})
    return out


def oil_exposure(res: Result, fall: float = 0.1) -> dict | None:
    """Change of the republic's (and the regions') balance if the oil price falls by `fall`, amounts fixed."""
    from .stress import oil_elasticity

    ds, h = res.dataset, res.hierarchy
    if not ds.oil_elasticity and ds.oil_elasticity_regions is None:
        return None
    regions = np.flatnonzero(h.level == REGION)
    pos = np.full(h.n, regions.size)  # the last row: receipts booked at the republic
    pos[regions] = np.arange(regions.size)
    anc = h.anc[REGION][ds.receipts.unit]
    row = np.where(anc >= 0, pos[np.maximum(anc, 0)], regions.size)
    new = _scaled(ds.receipts, 1 - fall * oil_elasticity(res)[row, ds.receipts.tax])
    assert res.base_mask is not None  # engine.run always sets it
    rev = revenue(h, new.grid(res.years, h.n, len(res.taxes), res.base_mask), res.tables)
    d = rev - res.plan.revenue
    rep = h.b_republic
    return {"oil_price_fall": fall, "republic": [float(x) for x in d[rep]],
            "republic_share_of_revenue": [float(x) for x in _safe_div(d[rep], res.plan.revenue[rep])],
            "local": [float(x) for x in d[h.b_level > 0].sum(axis=0)]}


CAPACITY_COLUMNS = ("units", "when", "mean", "gini", "cv", "theil", "max_min")
LEVEL_COLUMNS = ("level", "budgets", "subvention_budgets", "withdrawal_budgets", "subvention_share", "withdrawal_share", "dependence",
                 "deficit_budgets")
REGION_COLUMNS = ("code", "name", "population", "revenue", "needs", "net_transfer", "capacity_before", "capacity_after")


def metrics(res: Result, year_pos: int = 0, scenario_file: str = "scenario", with_retention: bool = True) -> Metrics:
    """The metrics of RES in year position YEAR_POS (see `Metrics` for the tables and their columns); retention
    re-runs the scenario once per region, `with_retention=False` leaves it out."""
    reg = region_table(res, year_pos)
    h = res.hierarchy
    b = np.flatnonzero((h.b_level > 0) & (res.needs[:, year_pos] > 0))
    own = _safe_div(res.plan.revenue[b, year_pos], res.needs[b, year_pos])
    tr = res.transfers
    after = _safe_div((res.plan.revenue + tr.subvention - tr.withdrawal - tr.subventions_paid + tr.withdrawals_received)[b, year_pos],
                      res.needs[b, year_pos])
    pop_b = h.population[h.budget_units[b]]
    capacity = [{"units": units, "when": when, **weighted_stats(x, w)}
                for units, pairs in (("regions", ((reg["capacity_before"], reg["population"]), (reg["capacity_after"], reg["population"]))),
                                     ("budgets", ((own, pop_b), (after, pop_b))))
                for when, (x, w) in zip(("before", "after"), pairs, strict=True)]
    st = stability(res)
    ntc = [{"level": r["level"], "year": y, "net_transfer_change": v} for r in st
           for y, v in zip(res.years[1:], r.get("net_transfer_change", []), strict=False)]
    actual_years = [res.years[p] for p in res.actual.year_pos] if res.actual is not None else []
    gap = [{"level": r["level"], "year": y, "actual_minus_plan_balance": v} for r in st
           for y, v in zip(actual_years, r.get("actual_minus_plan_balance", []), strict=False)]
    ret = [{"code": r["code"], "name": r["name"], "year": y, "this_year": a, "after_reset": b}
           for r in (retention(res, scenario_file) if with_retention else [])
           for y, a, b in zip(res.years, r["this_year"], r["after_reset"], strict=False)]
    oil = oil_exposure(res)
    return Metrics(
        scenario=res.scenario.name, year=res.years[year_pos], years=tuple(res.years),
        actual_years=None if res.actual is None else tuple(actual_years),
        capacity=Table.from_rows(capacity, CAPACITY_COLUMNS), levels=Table.from_rows(level_table(res, year_pos), LEVEL_COLUMNS),
        stability=Table.from_rows(ntc, ("level", "year", "net_transfer_change")),
        actual_gap=Table.from_rows(gap, ("level", "year", "actual_minus_plan_balance")),
        retention=Table.from_rows(ret, ("code", "name", "year", "this_year", "after_reset")),
        oil_price_fall=None if oil is None else oil["oil_price_fall"],
        oil_exposure=None if oil is None else Table({"year": np.array(res.years), "republic": np.array(oil["republic"]),
                                                     "republic_share_of_revenue": np.array(oil["republic_share_of_revenue"]),
                                                     "local": np.array(oil["local"])}),
        regions=Table({"code": reg["code"].astype(str), "name": np.array([h.name(int(u)) for u in reg["unit"]], dtype=object),
                       "population": reg["population"].astype(float), "revenue": reg["revenue"], "needs": reg["needs"],
                       "net_transfer": reg["net_transfer"], "capacity_before": reg["capacity_before"],
                       "capacity_after": reg["capacity_after"]}))
