"""The budgets of a run as rows for the pages and the read API: one level below a parent, one year, cut to the
viewer's region; and one budget's explanation. Shared by api_budgets.py and pages_budgets.py."""
from __future__ import annotations

import numpy as np
from fastapi import HTTPException

from ..basis import rule_filled_cached
from ..engine import Result
from ..errors import InterbudgetError
from ..explain import explain
from ..hierarchy import LEVELS
from ..rules.status import budget_status
from .access import View, region_of, unit_allowed
from .common import lang_ok, no_nan
from .names import unit_name


def year_pos(res: Result, year: int | None) -> int:
    if year is None:
        return 0
    if year not in res.years:
        raise HTTPException(404, f"year {year} is not among the scenario's years {res.years}")
    return res.years.index(year)


def budget_rows(res: Result, k: int, parent: str | None, lang: str, region: str | None) -> list[dict]:
    """The budgets directly below PARENT (the regions when none), one row each; REGION limits them to one region."""
    h = res.hierarchy
    if parent is None:
        sel = np.flatnonzero(h.b_level == LEVELS.index("region"))
    else:
        idx = h.unit_index()
        if parent not in idx or not unit_allowed(h, parent, region):
            raise HTTPException(404, f"unknown unit code '{parent}'")
        u = idx[parent]
        lvl = int(h.level[u])
        if lvl + 1 >= len(LEVELS):
            return []
        sel = np.flatnonzero((h.b_level == lvl + 1) & (h.anc[lvl][h.budget_units] == u))
    if region is not None and sel.size:
        sel = sel[region_of(h, h.b_codes[sel]) == region]
    return _rows(res, k, sel, lang)


def republic_row(res: Result, k: int, lang: str) -> dict | None:
    """The republic's own budget as a row of the dashboard (its territory: the whole country); None without one."""
    sel = np.flatnonzero(res.hierarchy.b_level == LEVELS.index("republic"))
    rows = _rows(res, k, sel[:1], lang)
    return rows[0] if rows else None


def _rows(res: Result, k: int, sel: np.ndarray, lang: str) -> list[dict]:
    """One row per budget of SEL (indices of budgets of one level)."""
    h = res.hierarchy
    tr = res.transfers
    marks = rule_filled_cached(str(res.dataset.folder))
    # needs-adjusted capacity of the territory (the budget and every budget below it): its revenue per unit of need,
    # before and after its transfers with the level above (flows inside the territory cancel)
    lvl = int(h.b_level[sel[0]]) if sel.size else 0
    owner = h.anc[lvl][h.budget_units]
    inside = owner >= 0
    rev_t = np.bincount(owner[inside], weights=res.plan.revenue[inside, k], minlength=h.n)
    need_t = np.bincount(owner[inside], weights=res.needs[inside, k], minlength=h.n)
    out = []
    for b in sel.tolist():
        u = int(h.budget_units[b])
        sub, wd = float(tr.subvention[b, k]), float(tr.withdrawal[b, k])
        rev, need = float(rev_t[u]), float(need_t[u])
        out.append({"code": h.b_codes[b], "name": unit_name(h, u, lang), "level": LEVELS[h.b_level[b]],
                    "territory_needs": need, "territory_revenue": rev, "rule_filled": (h.b_codes[b], res.years[k]) in marks,
                    "population": float(h.population[u]), "needs": float(res.needs[b, k]),
                    "revenue": float(res.plan.revenue[b, k]), "subvention": sub, "withdrawal": wd,
                    "balance": float(res.plan.balance[b, k]), "status": budget_status(sub, wd),
                    # needs-adjusted capacity: revenue per unit of need, before and after transfers
                    "capacity_before": rev / need if need else None,
                    "capacity_after": (rev + sub - wd) / need if need else None})
    return sorted(out, key=lambda r: r["code"])


def budgets_of(v: View, res: Result, year: int | None, parent: str | None, lang: str) -> dict:
    k = year_pos(res, year)
    return {"scenario": v.name, "version": v.version, "year": res.years[k], "unit": "thousand tenge",
            "budgets": no_nan(budget_rows(res, k, parent, lang_ok(lang), v.region))}


def explained(v: View, res: Result, code: str, year: int | None, lang: str, provenance: bool = False) -> dict:
    if not unit_allowed(res.hierarchy, code, v.region):
        raise HTTPException(404, f"unknown budget code '{code}'")
    from .projection import explanation

    try:
        return no_nan(explanation(explain(res, code, res.years[year_pos(res, year)], lang=lang_ok(lang), provenance=provenance), v.region))
    except InterbudgetError as exc:
        raise HTTPException(404, str(exc)) from None


AMOUNTS = ("territory_needs", "territory_revenue", "needs", "revenue", "subvention", "withdrawal", "balance")


def totals_of(rows: list[dict]) -> dict | None:
    """The sum of ROWS' population and amounts; its capacity is the sum's (revenue over need), not a mean of ratios."""
    if not rows:
        return None
    sums = {key: float(sum(r[key] for r in rows)) for key in ("population", *AMOUNTS)}
    need, rev = sums["territory_needs"], sums["territory_revenue"]
    out: dict[str, float | None] = {**sums}
    out["capacity_before"] = rev / need if need else None
    out["capacity_after"] = (rev + sums["subvention"] - sums["withdrawal"]) / need if need else None
    return out
