"""What a reviewer would raise about a run (§3.3.1, §3.3.3): needs left unfunded and budgets in deficit on the plan.

Under the general model every budget below the republic ends at 0 or above on the plan track; the targeted
model, envelopes and uncompensated mandates can leave mandatory or basic needs unfunded and budgets in deficit.
Each finding says how much, in how many budgets, and where (the regions with the most of it); `simulate`
prints them and manifest.json records them under `review`. Amounts below half a tiyn count as 0 (rules/status.py).
"""
from __future__ import annotations

import numpy as np

from .engine import Result
from .hierarchy import LEVELS
from .rules.status import HALF_TIYN

TOP = 5  # regions named per finding


def _where(res: Result, amount: np.ndarray) -> list[dict]:
    """The regions whose budgets hold most of AMOUNT (per budget), largest first."""
    h = res.hierarchy
    reg = h.b_region_unit
    ok = (reg >= 0) & (amount > 0)
    if not ok.any():
        return []
    sums = np.bincount(reg[ok], weights=amount[ok], minlength=h.n)
    top = np.argsort(-sums, kind="stable")[:TOP]
    return [{"code": h.codes[u], "name": h.name(int(u)), "amount": float(sums[u])} for u in top.tolist() if sums[u] > 0]


def _finding(res: Result, kind: str, k: int, amount: np.ndarray) -> list[dict]:
    """Per level below the republic: budgets with AMOUNT (per budget, year position k) at or above half a tiyn."""
    h = res.hierarchy
    out = []
    for lvl in range(1, len(LEVELS)):
        b = h.b_level == lvl
        hit = b & (amount >= HALF_TIYN)
        if hit.any():
            out.append({"kind": kind, "year": res.years[k], "level": LEVELS[lvl], "budgets": int(hit.sum()),
                        "amount": float(amount[hit].sum()), "where": _where(res, np.where(hit, amount, 0.0))})
    return out


def review(res: Result) -> list[dict]:
    """Findings of the plan track: mandatory and basic needs unfunded, uncompensated mandates, deficits.

    What a budget has (R + S − W − subventions paid + withdrawals received = balance + spending) pays its needs in
    priority order: mandatory first, then basic. Unfunded mandatory = max(0, M − max(have, 0)); unfunded basic =
    max(0, B − max(have − M, 0))."""
    rows: list[dict] = []
    h = res.hierarchy
    nb, ny = h.nb, len(res.years)
    mandatory, basic = (res.need_items.totals(nb, ny, priority=p) for p in (0, 1))
    have = res.plan.balance + res.needs
    unfunded_m = np.maximum(mandatory - np.maximum(have, 0.0), 0.0)
    unfunded_b = np.maximum(basic - np.maximum(have - mandatory, 0.0), 0.0)
    unfunded_mandates = np.zeros((nb, ny))
    index = {c: i for i, c in enumerate(h.b_codes.tolist())}
    for m in res.mandates:
        unfunded_mandates[index[m["code"]], res.years.index(m["year"])] += m["unfunded"]
    for k in range(ny):
        rows += _finding(res, "mandatory_needs_unfunded", k, unfunded_m[:, k])
        rows += _finding(res, "basic_needs_unfunded", k, unfunded_b[:, k])
        rows += _finding(res, "mandates_unfunded", k, unfunded_mandates[:, k])
        rows += _finding(res, "plan_deficit", k, np.maximum(-res.plan.balance[:, k], 0.0))
    return rows


WHAT = {"mandatory_needs_unfunded": "mandatory needs unfunded", "basic_needs_unfunded": "basic needs unfunded",
        "mandates_unfunded": "uncompensated mandates unfunded (§3.3.1)", "plan_deficit": "in deficit on the plan track"}


def message(f: dict) -> str:
    where = ", ".join(f"{w['name']} {w['amount'] / 1e6:,.1f} bn" for w in f["where"])
    return (f"{f['year']}: {f['budgets']} {f['level']} budget(s) {WHAT[f['kind']]}: {f['amount'] / 1e6:,.1f} bn tenge"
            + (f" (most in {where})" if where else ""))
