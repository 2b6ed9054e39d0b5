"""Category 2 of targeted subventions: the pool's allocation to development programmes (concept §3.3.3;
`transfer_model: targeted`).

Each year the pool funds the regions' programmes (programs.csv) in priority order, ties by programme id,
the last that does not fit partly funded, with an optional cap per region (rules/targeted.py). Under a
category-2 envelope the envelope is first shared between regions by their programmes' cost, with the
guarantees of rules/guarantees.py, then by priority inside each region.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..dataset import Programs
from ..hierarchy import Hierarchy
from ..scenario import Scenario
from .envelope import distribute
from .guarantees import BOUND_NAMES, guarantees
from .provenance import Stamp
from .targeted import Allocation, allocate_pool

STAMP = Stamp("category 2", "§3.3.3", "targeted.pool", "development programmes funded from the pool in priority order")


@dataclass
class ProgramFunding:
    """Category 2 of targeted subventions: the pool's allocation to development programs."""

    rows: list[dict[str, Any]]  # per program and year: program, code, year, cost, score, funded, capped
    by_budget: np.ndarray  # (n_budgets, n_years) funded programs
    envelope: list[dict[str, Any]] = field(default_factory=list)  # category 2 under an envelope: per region and year
    stamp: Stamp = STAMP


def fund_programs(p: Programs | None, last_transfers: dict[str, np.ndarray] | None, s: Scenario, h: Hierarchy,
                  years: list[int]) -> ProgramFunding:
    by_budget = np.zeros((h.nb, len(years)))
    rows: list[dict[str, Any]] = []
    envelope: list[dict[str, Any]] = []
    if s.transfer_model != "targeted" or p is None:
        return ProgramFunding(rows, by_budget)
    cfg = s.targeted
    for k, y in enumerate(years):
        sel = np.flatnonzero(p.year == y)
        if sel.size == 0:
            continue
        names = [p.program[i] for i in sel.tolist()]
        order_key = np.argsort(np.argsort(np.array(names, dtype=object)))  # ties broken by program id
        env = s.envelope if s.envelope is not None and s.envelope.applies_to == "category2" else None
        if env is None:
            alloc = allocate_pool(p.cost[sel], p.score[sel], order_key, p.unit[sel], cfg.pool_for(y) if cfg else 0.0,
                                  cfg.region_cap if cfg else None)
        else:  # the envelope is shared between regions by their programs' cost, with guarantees; then by priority inside
            regions, inv = np.unique(p.unit[sel], return_inverse=True)
            last, lo, hi = guarantees(last_transfers, env, "category2", regions)
            res = distribute(np.bincount(inv, weights=p.cost[sel]), float(env.for_year("total", y) or 0.0), lo, hi,
                             env.for_year("scale", y), what=f"category 2 envelope {y}")
            funded = np.zeros(sel.size)
            capped = np.zeros(sel.size, dtype=bool)
            for r in range(regions.size):  # a loop over regions (20), each a small priority queue
                mine = np.flatnonzero(inv == r)
                a = allocate_pool(p.cost[sel][mine], p.score[sel][mine], order_key[mine], inv[mine], float(res.allocation[r]), None)
                funded[mine], capped[mine] = a.funded, a.capped
                envelope.append({"year": y, "code": h.codes[regions[r]], "need": float(np.bincount(inv, weights=p.cost[sel])[r]),
                                 "last": float(last[r]), "floor": float(lo[r]), "ceiling": float(hi[r]),
                                 "allocated": float(res.allocation[r]), "bound": BOUND_NAMES[int(res.bound[r])], "scale": res.scale})
            alloc = Allocation(funded, capped)
        np.add.at(by_budget[:, k], h.budget_index_of_unit[p.unit[sel]], alloc.funded)
        rows += [{"program": names[j], "code": h.codes[p.unit[i]], "year": y, "cost": float(p.cost[i]), "score": float(p.score[i]),
                  "funded": float(alloc.funded[j]), "capped": bool(alloc.capped[j])} for j, i in enumerate(sel.tolist())]
    return ProgramFunding(rows, by_budget, envelope)
