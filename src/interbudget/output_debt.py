"""Result files of sequestration and borrowing (docs/METHOD.md "When revenue falls short"), beside budgets.csv:
sequestration.csv, deficits.csv, borrowing.csv, debt_limits.csv and refinancing.csv."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from .engine import Result
from .rules import borrowing as debt_rules
from .summary_debt import refinancing_rows

SEQUESTRATION_COLUMNS = ["track", "code", "year", "priority", "kind", "cut"]
DEFICIT_COLUMNS = ["track", "code", "year", "shortfall", "deficit", "cut", "borrowed", "unfinanced"]
BORROWING_COLUMNS = ["track", "code", "year", "lender", "borrowed", "debt_service", "unfinanced"]
LIMIT_COLUMNS = ["track", "code", "year", "limit", "value", "disposable_revenue", "ratio", "max_ratio"]
REFINANCING_COLUMNS = ["code", "year", "refinanced_debt", "service_before", "service_after", "saving"]


def _table(columns: list[str], rows: list[tuple]) -> pa.Table:
    cols: list[Sequence[Any]] = list(zip(*rows, strict=True)) if rows else [[] for _ in columns]
    arrays = []
    for name, values in zip(columns, cols, strict=True):
        if name == "year":
            arrays.append(pa.array(values, pa.int64()))
        elif name in ("track", "code", "priority", "kind", "lender", "limit"):
            arrays.append(pa.array(values, pa.string()))
        else:
            arrays.append(pa.array([float(v) + 0.0 for v in values], pa.float64()))
    return pa.table(dict(zip(columns, arrays, strict=True)))


def sequestration_table(res: Result) -> pa.Table | None:
    """Every cut: per track, budget, year and step of the order (priority, kind)."""
    from .rules.sequestration import Steps

    dr = res.debt
    if dr is None or res.scenario.sequestration is None or not isinstance(dr.steps, Steps):
        return None
    rows = []
    for fin in dr.financing.values():
        for b, k, st in zip(*np.nonzero(fin.cuts), strict=True):
            p, kd = dr.steps.names[st].split(".")
            rows.append((fin.track, res.hierarchy.b_codes[b], res.years[k], p, kd, fin.cuts[b, k, st]))
    return _table(SEQUESTRATION_COLUMNS, sorted(rows, key=lambda r: (r[0], r[1], r[2])))


def deficits_table(res: Result) -> pa.Table | None:
    """Per track, budget and year where revenue fell short of plan or a deficit arose: what was cut and what is left."""
    dr = res.debt
    if dr is None or not dr.financing:
        return None
    rows = []
    for fin in dr.financing.values():
        cut = fin.cuts.sum(axis=2)
        for b, k in zip(*np.nonzero((fin.shortfall > 0) | (fin.deficit > 0)), strict=True):
            rows.append((fin.track, res.hierarchy.b_codes[b], res.years[k], fin.shortfall[b, k], fin.deficit[b, k], cut[b, k],
                         fin.borrowed[b, k], fin.unfinanced[b, k]))
    return _table(DEFICIT_COLUMNS, sorted(rows, key=lambda r: (r[0], r[1], r[2])))


def borrowing_table(res: Result) -> pa.Table | None:
    """Per track, budget and year with debt service, borrowing or an unfinanced gap; the plan track shows debt.csv's service."""
    dr = res.debt
    if dr is None or (res.scenario.borrowing is None and dr.loans is None):
        return None
    h, rows = res.hierarchy, []
    if dr.loans is not None:  # the plan borrows nothing: its rows show debt.csv's service
        i, a, _ = debt_rules.schedule(dr.loans.amount, dr.loans.rate, dr.loans.start, dr.loans.maturity, res.years)
        service = debt_rules.per_budget(i + a, dr.loans.budget, h.nb)
        for b, k in zip(*np.nonzero(service), strict=True):
            rows.append(("plan", h.b_codes[b], res.years[k], "", 0.0, service[b, k], 0.0))
    for fin in dr.financing.values():
        pos = np.zeros(len(res.years), dtype=bool)
        pos[next(t.year_pos for t in res.tracks if t.name == fin.track)] = True
        on = ((fin.service != 0) | (fin.borrowed != 0) | (fin.unfinanced != 0)) & pos[None, :]
        for b, k in zip(*np.nonzero(on), strict=True):
            rows.append((fin.track, h.b_codes[b], res.years[k], fin.lender, fin.borrowed[b, k], fin.service[b, k], fin.unfinanced[b, k]))
    return _table(BORROWING_COLUMNS, sorted(rows, key=lambda r: (r[0], r[1], r[2])))


def limits_table(res: Result) -> pa.Table | None:
    dr = res.debt
    if dr is None or res.scenario.borrowing is None:
        return None
    rows = [(t, res.hierarchy.b_codes[b], res.years[k], limit, v, d, v / d if d > 0 else float("inf"), r)
            for t, b, k, limit, v, d, r in dr.breaches]
    return _table(LIMIT_COLUMNS, sorted(rows, key=lambda r: (r[0], r[1], r[2], r[3])))


def refinancing_table(res: Result) -> pa.Table | None:
    if res.debt is None or res.debt.refinancing is None:
        return None
    return _table(REFINANCING_COLUMNS, refinancing_rows(res))


def tables(res: Result) -> dict[str, pa.Table | None]:
    return {"sequestration": sequestration_table(res), "deficits": deficits_table(res), "borrowing": borrowing_table(res),
            "debt_limits": limits_table(res), "refinancing": refinancing_table(res)}

