"""Expenditure needs (METHOD.md "Dataset"; concept §3.1, §3.3.3).

Need of budget b, function f, year y = its needs.csv rows (rows of units
without a budget go to the nearest budget above) + norm(f, level(b)) x
driver(b, driver_f, y) x coefficient(b, f) (default 1).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..dataset import Dataset, year_positions
from ..hierarchy import Hierarchy


@dataclass
class NeedItems:
    """Every addend of every need, flat, so any total can be explained."""

    budget: np.ndarray  # int32
    year: np.ndarray  # index into the scenario's years
    function: np.ndarray
    priority: np.ndarray
    amount: np.ndarray
    norm_row: np.ndarray  # -1 for a needs.csv row, else the row of norms.csv
    driver_value: np.ndarray
    coefficient: np.ndarray

    def totals(self, nb: int, ny: int) -> np.ndarray:
        return np.bincount(self.budget.astype(np.int64) * ny + self.year, weights=self.amount, minlength=nb * ny).reshape(nb, ny)


def need_items(ds: Dataset, years: list[int], h: Hierarchy) -> NeedItems:
    """h: the scenario's hierarchy (which units have budgets)."""
    parts: list[tuple] = []
    n = ds.needs
    yi = year_positions(n.year, years)
    keep = yi >= 0
    m = int(keep.sum())
    parts.append((h.budget_of[n.unit[keep]], yi[keep], n.function[keep], n.priority[keep], n.amount[keep],
                  np.full(m, -1), np.full(m, np.nan), np.full(m, np.nan)))

    d = ds.drivers
    if ds.norms.norm.size and d.value.size:
        dyi = year_positions(d.year, years)
        dbud = h.budget_of[d.unit]
        dlev = h.b_level[dbud]
        c = ds.coefficients
        nf = max(len(ds.functions), 1)
        own = h.has_budget[c.unit]  # a coefficient belongs to a budget; others are ignored (the engine warns)
        ckey = h.budget_index_of_unit[c.unit[own]].astype(np.int64) * nf + c.function[own]
        order = np.argsort(ckey, kind="stable")
        ckey, cval = ckey[order], c.coefficient[own][order]
        for k in range(ds.norms.norm.size):  # a loop over norms (tens), never over units
            f, lvl, drv = ds.norms.function[k], ds.norms.level[k], ds.norms.driver[k]
            sel = (d.driver == drv) & (dlev == lvl) & (dyi >= 0)
            b = dbud[sel]
            key = b.astype(np.int64) * nf + f
            pos = np.searchsorted(ckey, key)
            found = (pos < ckey.size) & (ckey[np.minimum(pos, max(ckey.size - 1, 0))] == key) if ckey.size else np.zeros(key.size, bool)
            coef = np.where(found, cval[np.minimum(pos, max(cval.size - 1, 0))] if cval.size else 1.0, 1.0)
            val = d.value[sel]
            parts.append((b, dyi[sel], np.full(b.size, f), np.full(b.size, ds.norms.priority[k]),
                          ds.norms.norm[k] * val * coef, np.full(b.size, k), val, coef))
    cols = [np.concatenate([p[i] for p in parts]) for i in range(8)]
    return NeedItems(cols[0].astype(np.int32), cols[1].astype(np.int64), cols[2].astype(np.int32),
                     cols[3].astype(np.int8), cols[4].astype(np.float64), cols[5].astype(np.int32),
                     cols[6].astype(np.float64), cols[7].astype(np.float64))
