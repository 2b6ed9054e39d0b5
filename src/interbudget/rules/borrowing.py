"""Local debt and borrowing (concept §1 context, §1.7, §3.3.3).

Debt service. A loan of principal P taken in start year s and due in maturity year m is repaid in equal
parts P / (m - s) in each year s+1 .. m, with interest at its rate on what is outstanding at the start of
each of those years; a loan due in its own start year (m = s) is repaid within that year, without
interest. Interest and amortization of every loan of debt.csv are a mandatory current need of the
borrowing budget (function `debt_service`), on every track.

Borrowing. On the actual and revised tracks, a deficit a budget below the republic is left with after
sequestration (rules/sequestration.py) is borrowed from the scenario's first lender at its rate, to be
repaid over `term` years from the next year, within two legal limits measured on the year's disposable
revenue (revenue + subvention received - withdrawal paid): debt at year end <= max_debt_to_revenue x it,
and the year's debt service with the new loan's first-year service <= max_service_to_revenue x it. What
the limits do not allow is an unfinanced gap. A new loan's service is a mandatory need of the later years.

Borrowing only from the republic (§3.3.3: "no local borrowing from third parties"): with `refinance`,
every loan of a creditor other than the republic still outstanding at the start of the medium term is
refinanced by a budget credit of the republic at the scenario's rate with the same repayment schedule;
the saving is the interest no longer paid, and the republic's added exposure the principal it now holds.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..dataset import Debt
from ..hierarchy import REPUBLIC
from ..scenario import Borrowing
from ..vocab import CREDITORS
from .needs import FROM_DEBT, NeedItems
from .sequestration import cut
from .transfers import Transfers

REPUBLIC_LENDER = CREDITORS.index("republic")


@dataclass
class Loans:
    """Loans in force, one row each: the budget that owes, its creditor and the schedule's terms."""

    budget: np.ndarray  # int32 budget index
    creditor: np.ndarray  # int8 index into CREDITORS
    amount: np.ndarray
    rate: np.ndarray
    start: np.ndarray
    maturity: np.ndarray
    row: np.ndarray  # the row of debt.csv (0-based), -1 for a loan taken in the run


def schedule(amount: np.ndarray, rate: np.ndarray, start: np.ndarray, maturity: np.ndarray,
             years: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(loans, years) interest, amortization and the principal outstanding at the end of each year."""
    y = np.asarray(years, dtype=np.int64)[None, :]
    s, m = start.astype(np.int64)[:, None], maturity.astype(np.int64)[:, None]
    p, r = amount[:, None], rate[:, None]
    bullet = m == s
    n = np.maximum(m - s, 1)
    first = np.where(bullet, s, s + 1)  # the first year of repayment
    before = np.clip(y - first, 0, n)  # repayments made before year y
    through = np.clip(y - first + 1, 0, n)  # ... and in year y
    alive = y >= s
    part = p / n
    amortization = np.where(alive & (y >= first) & (y <= m), part, 0.0)
    interest = np.where(alive & ~bullet & (y > s) & (y <= m), r * (p - part * before), 0.0)
    outstanding = np.where(alive, p - part * through, 0.0)
    return interest, amortization, np.maximum(outstanding, 0.0)


def loans_of(debt: Debt, budget_of: np.ndarray) -> Loans:
    """debt.csv's rows as loans of the budgets (a unit without a budget: the nearest budget above)."""
    return Loans(budget_of[debt.unit].astype(np.int32), debt.creditor.astype(np.int8), debt.amount, debt.rate,
                 debt.start_year.astype(np.int64), debt.maturity_year.astype(np.int64), np.arange(debt.amount.size))


@dataclass
class Refinancing:
    """§3.3.3: third-party loans refinanced by budget credits of the republic from the first year."""

    before: Loans
    after: Loans
    refinanced: np.ndarray  # (loans,) bool


def refinance(loans: Loans, rate: float, first_year: int) -> Refinancing:
    """Loans of a creditor other than the republic still outstanding when the medium term starts: the republic
    takes them over at `rate`, same schedule (what is outstanding at the end of first_year - 1, repaid in equal
    parts to the same maturity); loans that start later are taken from the republic from the start."""
    _, _, out = schedule(loans.amount, loans.rate, loans.start, loans.maturity, [first_year - 1])
    take = (loans.creditor != REPUBLIC_LENDER) & (loans.maturity >= first_year)
    started = loans.start < first_year
    amount = np.where(take & started, out[:, 0], loans.amount)
    start = np.where(take & started, first_year - 1, loans.start)
    after = Loans(loans.budget, np.where(take, REPUBLIC_LENDER, loans.creditor).astype(np.int8), amount,
                  np.where(take, rate, loans.rate), start, loans.maturity, loans.row)
    return Refinancing(loans, after, take)


def service_items(loans: Loans, years: list[int], function: int) -> NeedItems:
    """Debt service (interest + amortization) per loan and year: mandatory current needs."""
    interest, amortization, _ = schedule(loans.amount, loans.rate, loans.start, loans.maturity, years)
    total = interest + amortization
    li, yk = np.nonzero(total)
    m = li.size
    return NeedItems(loans.budget[li].astype(np.int32), yk.astype(np.int64), np.full(m, function, np.int32), np.zeros(m, np.int8),
                     total[li, yk], np.full(m, FROM_DEBT, np.int8), loans.row[li].astype(np.int32), interest[li, yk],
                     amortization[li, yk], np.zeros(m, np.int8), np.full(m, -1, np.int32))


def per_budget(values: np.ndarray, budget: np.ndarray, nb: int) -> np.ndarray:
    """(loans, years) -> (budgets, years)."""
    ny = values.shape[1]
    out = np.zeros((nb, ny))
    np.add.at(out, budget, values)
    return out


@dataclass
class Financing:
    """How one track's shortfalls were met: per budget and year (and step of the sequestration order)."""

    track: str
    shortfall: np.ndarray  # plan revenue - track revenue where positive
    deficit: np.ndarray  # before cuts: what the balance lacked (0 where revenue did not fall short)
    cuts: np.ndarray  # (budgets, years, steps)
    borrowed: np.ndarray
    unfinanced: np.ndarray
    new_service: np.ndarray  # service of the loans taken in this run
    service: np.ndarray  # every loan's service (debt.csv's and the new)
    debt: np.ndarray  # debt at year end (debt.csv's and the new)
    disposable: np.ndarray  # revenue + subvention received - withdrawal paid
    lender: str
    needs: np.ndarray  # the track's needs after cuts and with the new service
    balance: np.ndarray  # after cuts; a deficit left is borrowed + unfinanced
    new_loans: list[dict[str, Any]] = field(default_factory=list)  # per loan: code index, year, amount


def finance(name: str, pos: list[int], years: list[int], needs: np.ndarray, revenue: np.ndarray, plan_revenue: np.ndarray,
            tr: Transfers, b_level: np.ndarray, available: np.ndarray | None, cfg: Borrowing | None, service: np.ndarray,
            debt: np.ndarray) -> Financing:
    """Cut, then borrow, year by year (a loan's service weighs on the years after it).

    available: (budgets, years, steps) what the sequestration order may cut, or None (no sequestration);
    cfg: the scenario's `borrowing`, or None (nothing is borrowed: the deficit stays unfinanced);
    service, debt: (budgets, years) of the loans of debt.csv."""
    nb, ny = needs.shape
    ns = 0 if available is None else available.shape[2]
    local = b_level != REPUBLIC  # the republic carries the national balance
    disposable = revenue + tr.subvention - tr.withdrawal
    base = disposable - tr.subventions_paid + tr.withdrawals_received - needs
    shortfall = np.where(local[:, None], np.maximum(plan_revenue - revenue, 0.0), 0.0)
    def z(*shape: int) -> np.ndarray:
        return np.zeros(shape)

    deficit, borrowed, unfinanced, new_service, new_debt, cuts = z(nb, ny), z(nb, ny), z(nb, ny), z(nb, ny), z(nb, ny), z(nb, ny, ns)
    rate, term = (cfg.rate, cfg.term) if cfg is not None else (0.0, 1)
    loans: list[dict[str, Any]] = []
    for k in sorted(pos):  # a loop over the few years of the track
        bal = base[:, k] - new_service[:, k]
        hit = local & ((shortfall[:, k] > 0) | (new_service[:, k] > 0))
        deficit[:, k] = np.where(hit, np.maximum(-bal, 0.0), 0.0)
        if ns and available is not None:
            cuts[:, k, :] = cut(deficit[:, k], available[:, k, :])
        left = deficit[:, k] - cuts[:, k, :].sum(axis=1)
        if cfg is not None:
            room = left.copy()
            if cfg.max_debt_to_revenue is not None:
                room = np.minimum(room, cfg.max_debt_to_revenue * disposable[:, k] - debt[:, k] - new_debt[:, k])
            if cfg.max_service_to_revenue is not None:
                first = rate + 1.0 / term  # the new loan's service in its first year of repayment
                room = np.minimum(room, (cfg.max_service_to_revenue * disposable[:, k] - service[:, k] - new_service[:, k]) / first)
            borrowed[:, k] = np.clip(room, 0.0, left)
            got = np.flatnonzero(borrowed[:, k] > 0)
            if got.size:
                y0 = years[k]
                i, a, o = schedule(borrowed[got, k], np.full(got.size, rate), np.full(got.size, y0), np.full(got.size, y0 + term), years)
                new_service[got] += i + a
                new_debt[got] += o
                loans += [{"budget": int(b), "year": y0, "amount": float(v)} for b, v in zip(got.tolist(), borrowed[got, k].tolist(), strict=True)]
        unfinanced[:, k] = left - borrowed[:, k]
    cut_total = cuts.sum(axis=2)
    needs_after = needs - cut_total + new_service
    return Financing(name, shortfall, deficit, cuts, borrowed, unfinanced, new_service, service + new_service, debt + new_debt,
                     disposable, cfg.lenders[0] if cfg is not None else "", needs_after, base - new_service + cut_total, loans)


def limit_breaches(name: str, pos: list[int], service: np.ndarray, debt: np.ndarray, disposable: np.ndarray, cfg: Borrowing | None,
                   b_level: np.ndarray) -> list[tuple[int, int, str, float, float, float]]:
    """(budget, year position, limit, value, disposable revenue, the limit's ratio) where a legal limit is exceeded."""
    out: list[tuple[int, int, str, float, float, float]] = []
    if cfg is None:
        return out
    local = (b_level != REPUBLIC)[:, None]
    p = np.zeros(service.shape[1], dtype=bool)
    p[pos] = True
    for limit, value in (("max_debt_to_revenue", debt), ("max_service_to_revenue", service)):
        ratio = getattr(cfg, limit)
        if ratio is None:
            continue
        bad = local & p[None, :] & (value > ratio * disposable + 1e-9) & (value > 0)
        out += [(int(b), int(k), limit, float(value[b, k]), float(disposable[b, k]), ratio) for b, k in zip(*np.nonzero(bad), strict=True)]
    return out
