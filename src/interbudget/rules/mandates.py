"""Mandates decided after the medium-term amounts were fixed (docs/METHOD.md "Mandates"; concept §3.3.1).

A function handed to a lower level by a higher level's decision is a new need of every budget of that
level from its first year (per capita, or its rows in mandates.csv). A compensated mandate raises the
subventions down the chain from the decider (rules/transfers.py `pass_down`); the others are flagged
where the budget cannot pay them.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..hierarchy import LEVELS, Hierarchy
from ..scenario import Mandate
from .provenance import Stamp
from .transfers import Transfers, balance, pass_down, with_subventions

#: the mandate's raw costs: mandate name -> (unit, year, amount) rows of mandates.csv
MandateCosts = dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]


STAMP = Stamp("mandate", "§3.3.1", "mandates", "a new need from a higher level's decision; compensated ones down the chain")


def mandate_costs(rows: MandateCosts | None, m: Mandate, h: Hierarchy, years: list[int]) -> np.ndarray:
    """(n_budgets, n_years): what a mandate costs each budget of its level from its first year."""
    cost = np.zeros((h.nb, len(years)))
    on = np.array([y >= m.from_year for y in years])
    if rows is not None and m.name in rows:
        unit, year, amount = rows[m.name]
        for k, y in enumerate(years):
            sel = (year == y) & on[k]
            np.add.at(cost[:, k], h.budget_of[unit[sel]], amount[sel])
    else:
        b = np.flatnonzero(h.b_level == LEVELS.index(m.level))
        cost[np.ix_(b, np.flatnonzero(on))] = (float(m.per_capita or 0.0) * h.population[h.budget_units[b]])[:, None]
    return cost


def apply_mandates(rows: MandateCosts | None, mandates: list[Mandate], h: Hierarchy, years: list[int], tr: Transfers,
                   spending: np.ndarray, revenue_: np.ndarray, record: list[dict[str, Any]] | None) -> tuple[Transfers, np.ndarray]:
    """Mandates decided after the amounts were fixed (§3.3.1): new needs; compensated ones raise the
    subventions down from the decider; the others are flagged where the budget cannot pay them."""
    spending = spending.copy()
    subvention = tr.subvention.copy()
    costs = []
    for m in mandates:
        cost = mandate_costs(rows, m, h, years)
        spending += cost
        if m.compensate:
            subvention += pass_down(cost, h.b_level, h.b_parent, LEVELS.index(m.decided_by))
        costs.append(cost)
    out = with_subventions(tr, subvention, h.b_parent)
    after = balance(spending, revenue_, out)
    if record is not None:
        for m, cost in zip(mandates, costs, strict=True):
            for b, k in zip(*np.nonzero(cost), strict=True):  # rows of mandates.csv output: the budgets a mandate reaches
                unfunded = 0.0 if m.compensate else float(min(cost[b, k], max(0.0, -after[b, k])))
                record.append({"mandate": m.name, "code": h.b_codes[b], "year": years[k], "decided_by": m.decided_by,
                               "cost": float(cost[b, k]), "compensated": m.compensate, "unfunded": unfunded})
    return out, spending
