"""Pricing a request that softens the budget constraint (concept §1.7): a borrower asks the republic for a lower
withdrawal, a restructuring of its debt or a targeted transfer. The price is what it costs the republic, and what
it does to the stability of the fixed amounts: how far the budget's fixed net transfer moves, and what granting
the same to every budget whose revenue fell short that year would cost (a soft constraint is a precedent)."""
from __future__ import annotations

import numpy as np

from ..engine import Result
from ..errors import InterbudgetError, Problem

REQUEST_KINDS = ("lower_withdrawal", "restructuring", "targeted_transfer")


def price(res: Result, code: str, year: int, kind: str, amount: float, source: str = "request") -> dict:
    """The price of granting AMOUNT (thousand tenge) of KIND to the budget of CODE in YEAR."""
    h = res.hierarchy
    problems = []
    if kind not in REQUEST_KINDS:
        problems.append(Problem(source, f"unknown kind '{kind}': choose {', '.join(REQUEST_KINDS)}", column="kind"))
    if not np.isfinite(amount) or amount <= 0:
        problems.append(Problem(source, f"amount {amount:g} must be a positive number of thousand tenge", column="amount"))
    idx = h.unit_index()
    if code not in idx or not h.has_budget[idx[code]] or h.level[idx[code]] == 0:
        problems.append(Problem(source, f"'{code}' is not a budget below the republic in this scenario", column="code"))
    if year not in res.years:
        problems.append(Problem(source, f"year {year} is not among the scenario's years {res.years}", column="year"))
    if problems:
        raise InterbudgetError(problems)
    b, k = int(h.budget_index_of_unit[idx[code]]), res.years.index(year)
    tr = res.transfers
    fixed = float(tr.subvention[b, k] - tr.withdrawal[b, k])
    service = _debt_service(res, b, k)
    if kind == "lower_withdrawal" and amount > tr.withdrawal[b, k] + 1e-9:
        raise InterbudgetError(Problem(source, f"the budget pays a withdrawal of {tr.withdrawal[b, k]:,.1f} in {year}; "
                                       f"it cannot be lowered by {amount:,.1f}", column="amount"))
    if kind == "restructuring" and amount > service + 1e-9:
        raise InterbudgetError(Problem(source, f"the budget's debt service in {year} is {service:,.1f}; "
                                       f"{amount:,.1f} cannot be restructured", column="amount"))
    actual = res.actual
    shortfall = np.zeros(h.nb)
    if actual is not None and k in actual.year_pos:
        shortfall = np.maximum(res.plan.revenue[:, k] - actual.revenue[:, k], 0.0)
        shortfall[h.b_level == 0] = 0.0
    short = shortfall > 0
    base = abs(fixed) if fixed else float("nan")
    return {
        "code": code, "year": year, "kind": kind, "amount": amount,
        "fixed_net_transfer": fixed, "new_net_transfer": fixed + amount,
        "change_of_fixed_amount": amount / base if fixed else None,  # the share of the fixed amount that moves
        "cost_to_republic": amount,  # this year's cash: revenue forgone, a transfer paid or service carried
        "recoverable": amount if kind == "restructuring" else 0.0,  # a deferred service is owed later
        "debt_service": service,
        "shortfall": float(shortfall[b]),
        "budgets_with_shortfall": int(short.sum()),
        "precedent_cost": float(shortfall.sum()),  # what meeting every shortfall of the year would cost the republic
        "republic_balance": float(res.plan.balance[h.b_republic, k]),
        "republic_balance_after": float(res.plan.balance[h.b_republic, k] - amount),
    }


def _debt_service(res: Result, b: int, k: int) -> float:
    from ..rules.needs import FROM_DEBT

    it = res.need_items
    sel = (it.budget == b) & (it.year == k) & (it.source == FROM_DEBT)
    return float(it.amount[sel].sum())
