"""What `simulate` prints when revenue falls short: per region (its own budget and every budget below it), the
shortfall, the cuts, what was borrowed and the unfinanced gap; and the saving of borrowing only from the republic."""
from __future__ import annotations

import numpy as np

from .engine import Result
from .hierarchy import REGION
from .rules import borrowing as debt_rules


def _region_of_budget(res: Result) -> np.ndarray:
    h = res.hierarchy
    return h.anc[REGION][h.budget_units]  # -1 for the republic


def shortfall_by_region(res: Result, lang: str = "en") -> list[dict]:
    """One row per track and region with a shortfall or a deficit, amounts summed over the track's years."""
    dr = res.debt
    if dr is None or not dr.financing:
        return []
    h = res.hierarchy
    reg = _region_of_budget(res)
    rows = []
    for fin in dr.financing.values():
        pos = next(t.year_pos for t in res.tracks if t.name == fin.track)
        values = {"shortfall": fin.shortfall, "cut": fin.cuts.sum(axis=2), "borrowed": fin.borrowed, "unfinanced": fin.unfinanced}
        sums = {k: np.bincount(np.maximum(reg, 0), weights=np.where(reg >= 0, v[:, pos].sum(axis=1), 0.0), minlength=h.n)
                for k, v in values.items()}
        for u in np.flatnonzero((h.level == REGION) & ((sums["shortfall"] > 0) | (sums["cut"] + sums["borrowed"] + sums["unfinanced"] > 0))):
            rows.append({"track": fin.track, "code": h.codes[u], "name": h.name(int(u), lang), "years": [res.years[k] for k in pos],
                         **{k: float(v[u]) for k, v in sums.items()}})
    return sorted(rows, key=lambda r: (r["track"], r["code"]))


def refinancing_summary(res: Result) -> dict | None:
    """§3.3.3: the interest saved by the budgets and the principal the republic now holds, over the medium term."""
    rows = refinancing_rows(res)
    rf = res.debt.refinancing if res.debt is not None else None
    if not rows or rf is None:
        return None
    return {"budgets": len({r[0] for r in rows}), "saving": sum(r[5] for r in rows),
            "exposure": float(rf.after.amount[rf.refinanced].sum()), "first_year": min(res.years)}


def refinancing_rows(res: Result) -> list[tuple]:
    """§3.3.3 per budget and year: the debt the republic now holds, debt service before and after, the saving."""
    dr = res.debt
    if dr is None or dr.refinancing is None:
        return []
    rf, h = dr.refinancing, res.hierarchy
    before = [debt_rules.schedule(x.amount, x.rate, x.start, x.maturity, res.years) for x in (rf.before, rf.after)]
    sb, sa = (debt_rules.per_budget(i + a, rf.before.budget, h.nb) for i, a, _ in before)
    held = debt_rules.per_budget(np.where(rf.refinanced[:, None], before[1][2], 0.0), rf.before.budget, h.nb)
    on = np.flatnonzero(np.bincount(rf.before.budget[rf.refinanced], minlength=h.nb))
    return sorted((h.b_codes[b], res.years[k], held[b, k], sb[b, k], sa[b, k], sb[b, k] - sa[b, k])
                  for b in on.tolist() for k in range(len(res.years)))
