"""Sequestration and borrowing wired onto a run's tracks (docs/METHOD.md "When revenue falls short"): debt.csv's
loans (refinanced by the republic under `borrowing.refinance`, §3.3.3), the cuts and loans of the actual and revised
tracks, and the legal limits on every track. The mechanisms are rules/sequestration.py and rules/borrowing.py."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..dataset import Debt
from ..hierarchy import Hierarchy
from . import borrowing as debt_rules
from .needs import NeedItems
from .sequestration import cuttable, steps_of
from .track import Track

if TYPE_CHECKING:
    from ..scenario import Scenario


@dataclass
class DebtRun:
    loans: debt_rules.Loans | None  # debt.csv's loans (after refinancing)
    refinancing: debt_rules.Refinancing | None
    steps: object  # the sequestration order on the need items (rules/sequestration.Steps), or None
    financing: dict[str, debt_rules.Financing] = field(default_factory=dict)  # track name -> rules/borrowing.Financing
    breaches: list[tuple[Any, ...]] = field(default_factory=list)  # (track, budget, year position, limit, value, disposable, ratio)


def debt_loans(debt: Debt | None, s: Scenario, h: Hierarchy,
               years: list[int]) -> tuple[debt_rules.Loans | None, debt_rules.Refinancing | None]:
    """debt.csv's loans (refinanced by the republic under `borrowing.refinance`, §3.3.3)."""
    if debt is None:
        return None, None
    loans = debt_rules.loans_of(debt, h.budget_of)
    if s.borrowing is None or not s.borrowing.refinance:
        return loans, None
    refi = debt_rules.refinance(loans, s.borrowing.rate, min(years))
    return refi.after, refi


def shortfalls(functions: list[str], s: Scenario, h: Hierarchy, years: list[int], items: NeedItems, spent: np.ndarray,
               plan: Track, others: list[Track], dr: DebtRun) -> list[Track]:
    """Sequestration, then borrowing, on the actual and revised tracks; the legal limits on every track."""
    nb, ny = spent.shape
    service, debt = np.zeros((nb, ny)), np.zeros((nb, ny))
    if dr.loans is not None:
        i, a, o = debt_rules.schedule(dr.loans.amount, dr.loans.rate, dr.loans.start, dr.loans.maturity, years)
        service, debt = debt_rules.per_budget(i + a, dr.loans.budget, nb), debt_rules.per_budget(o, dr.loans.budget, nb)
    avail = None
    if s.sequestration is not None:
        dr.steps = steps_of(s.sequestration.order, items, functions, s.sequestration.protected, h.level if s.rural_programmes else None)
        avail = cuttable(items, dr.steps, nb, ny) * s.sequestration.max_share
    disposable = plan.revenue + plan.transfers.subvention - plan.transfers.withdrawal
    dr.breaches = [("plan", *b) for b in debt_rules.limit_breaches("plan", plan.year_pos, service, debt, disposable, s.borrowing, h.b_level)]
    out = []
    for t in others:
        if s.sequestration is None and s.borrowing is None:
            out.append(t)
            continue
        fin = debt_rules.finance(t.name, t.year_pos, years, spent, t.revenue, plan.revenue, t.transfers, h.b_level, avail,
                                 s.borrowing, service, debt)
        dr.financing[t.name] = fin
        dr.breaches += [(t.name, *b) for b in debt_rules.limit_breaches(t.name, t.year_pos, fin.service, fin.debt, fin.disposable,
                                                                       s.borrowing, h.b_level)]
        out.append(replace(t, needs=fin.needs, balance=fin.balance))
    return out
