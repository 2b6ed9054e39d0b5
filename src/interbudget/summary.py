"""The per-region summary that `simulate` prints for the first year."""
from __future__ import annotations

import numpy as np

from .engine import Result
from .hierarchy import REGION


def region_summary(res: Result, lang: str = "en", year_pos: int = 0) -> list[dict]:
    """Per region: the territory's consolidated needs and revenue (the oblast's budget and every budget below it)
    beside the region's subvention or withdrawal, which covers its districts too; the oblast's own budget apart.
    `covered_by_transfer` = subvention / territory needs, at most 1 (a subvention never exceeds the territory's gap)."""
    h = res.hierarchy
    tr = res.transfers
    k = year_pos
    inside = h.b_region_unit >= 0
    terr_needs = np.bincount(h.b_region_unit[inside], weights=res.needs[inside, k], minlength=h.n)
    terr_rev = np.bincount(h.b_region_unit[inside], weights=res.plan.revenue[inside, k], minlength=h.n)
    rows = []
    for b in np.flatnonzero(h.b_level == REGION).tolist():
        u = int(h.budget_units[b])
        pop = float(h.population[u])
        sub, wd = float(tr.subvention[b, k]), float(tr.withdrawal[b, k])
        net = sub - wd
        need_t = float(terr_needs[u])
        rows.append({
            "code": h.codes[u],
            "name": h.name(u, lang),
            "territory_needs": need_t,
            "territory_revenue": float(terr_rev[u]),
            "needs": float(res.needs[b, k]),  # the oblast's own budget
            "revenue": float(res.plan.revenue[b, k]),
            "subvention": sub,
            "withdrawal": wd,
            "covered_by_transfer": min(sub / need_t, 1.0) if need_t > 0 else float("nan"),
            "population": pop,
            # amounts are thousand tenge: x1000 for tenge per person
            "net_transfer_per_capita": net * 1000.0 / pop if pop > 0 else float("nan"),
        })
    rows.sort(key=lambda r: r["code"])
    return rows


def revision_changes(res: Result, lang: str = "en", top: int = 10) -> list[dict]:
    """Budgets whose net transfer (S - W) moved most when the amounts were re-fixed."""
    if res.revised is None:
        return []
    h = res.hierarchy
    pos = np.asarray(res.revised.year_pos)
    plan = res.transfers.subvention[:, pos] - res.transfers.withdrawal[:, pos]
    rev = res.revised.transfers.subvention[:, pos] - res.revised.transfers.withdrawal[:, pos]
    delta = rev - plan
    b, k = np.unravel_index(np.argsort(-np.abs(delta), axis=None, kind="stable")[:top], delta.shape)
    return [{"code": h.b_codes[i], "name": h.name(int(h.budget_units[i]), lang), "year": res.years[pos[j]],
             "plan": float(plan[i, j]), "revised": float(rev[i, j]), "change": float(delta[i, j])}
            for i, j in zip(b.tolist(), k.tolist(), strict=True) if delta[i, j] != 0]


def unfunded_mandates(res: Result) -> list[dict]:
    """§3.3.1: per mandate, the budgets left to pay for a higher level's decision, and how much."""
    out: dict[str, dict] = {}
    for r in res.mandates:
        if r["unfunded"] > 0:
            m = out.setdefault(r["mandate"], {"mandate": r["mandate"], "decided_by": r["decided_by"], "budgets": set(), "unfunded": 0.0,
                                              "cost": 0.0})
            m["budgets"].add(r["code"])
            m["unfunded"] += r["unfunded"]
        if r["mandate"] in out:
            out[r["mandate"]]["cost"] += r["cost"]
    return [{**m, "budgets": len(m["budgets"])} for m in out.values()]
