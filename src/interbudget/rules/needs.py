"""Expenditure needs (METHOD.md "Dataset"; concept §3.1, §3.3.3).

Need of budget b, function f, year y = its needs.csv rows (rows of units
without a budget go to the nearest budget above) + norm(f, level(b)) x
driver(b, driver_f, y) x coefficient(b, f) + (interbudget extension) for each
network norm of f at level(b): institutions(b) x cost x coefficient(b, f),
where institutions(b) = max(ceil(population / population per institution),
ceil(area / area per institution)) — so a sparse territory needs more
institutions per person than a dense one. coefficient(b, f) is the product
of its correction factors (density, climate, ...), 1 where none is given.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..dataset import Coefficients, Drivers, Needs, Networks, Norms
from ..grid import year_positions
from ..hierarchy import Hierarchy

FROM_ROWS, FROM_NORM, FROM_NETWORK, FROM_DEBT = 0, 1, 2, 3  # FROM_DEBT: debt service of debt.csv (rules/borrowing.py)


@dataclass
class NeedItems:
    """Every addend of every need, flat, so any total can be explained."""

    budget: np.ndarray  # int32
    year: np.ndarray  # index into the scenario's years
    function: np.ndarray
    priority: np.ndarray
    amount: np.ndarray
    source: np.ndarray  # FROM_ROWS (needs.csv), FROM_NORM (norms.csv) or FROM_NETWORK (networks.csv)
    row: np.ndarray  # the row of norms.csv or networks.csv (-1 for needs.csv)
    quantity: np.ndarray  # the driver value, or the number of institutions
    coefficient: np.ndarray
    kind: np.ndarray | None = None  # int8 index into KINDS (None: all current); norms and networks are current
    unit: np.ndarray | None = None  # the unit a row was recorded for (-1 for networks, which belong to the budget)

    def kinds(self) -> np.ndarray:
        return self.kind if self.kind is not None else np.zeros(self.amount.size, dtype=np.int8)

    def units(self) -> np.ndarray:
        return self.unit if self.unit is not None else np.full(self.amount.size, -1, dtype=np.int32)

    def plus(self, other: NeedItems) -> NeedItems:
        """These items followed by OTHER's."""
        cols = ("budget", "year", "function", "priority", "amount", "source", "row", "quantity", "coefficient")
        out = {c: np.concatenate([getattr(self, c), getattr(other, c)]) for c in cols}
        return NeedItems(**out, kind=np.concatenate([self.kinds(), other.kinds()]), unit=np.concatenate([self.units(), other.units()]))

    def totals(self, nb: int, ny: int, priority: int | None = None) -> np.ndarray:
        sel = slice(None) if priority is None else self.priority == priority
        return np.bincount(self.budget[sel].astype(np.int64) * ny + self.year[sel], weights=self.amount[sel],
                           minlength=nb * ny).reshape(nb, ny)


@dataclass(frozen=True)
class NeedInputs:
    """What needs are made of: the dataset's rows of needs, the norms and their drivers, the correction
    coefficients and the network norms, and how many functions the dataset names."""

    needs: Needs
    norms: Norms
    drivers: Drivers
    coefficients: Coefficients
    networks: Networks | None
    n_functions: int


class CoefficientTable:
    """coefficient(b, f): the product of a budget's correction factors for a function."""

    def __init__(self, c: Coefficients, n_functions: int, h: Hierarchy):
        self.nf = max(n_functions, 1)
        own = h.has_budget[c.unit]  # a coefficient belongs to a budget; others are ignored (the engine warns)
        key = h.budget_index_of_unit[c.unit[own]].astype(np.int64) * self.nf + c.function[own]
        self.keys, inv = np.unique(key, return_inverse=True)
        self.values = np.ones(self.keys.size)
        np.multiply.at(self.values, inv.reshape(-1), c.coefficient[own])

    def lookup(self, budgets: np.ndarray, function: int) -> np.ndarray:
        key = budgets.astype(np.int64) * self.nf + function
        if self.keys.size == 0:
            return np.ones(key.size)
        pos = np.minimum(np.searchsorted(self.keys, key), self.keys.size - 1)
        return np.where(self.keys[pos] == key, self.values[pos], 1.0)


def institutions(population: np.ndarray, area: np.ndarray, per_population: float, per_area: float) -> np.ndarray:
    """Institutions a territory needs: enough for its people and for its area (catchment)."""
    n = np.zeros(population.size)
    if not np.isnan(per_population):
        n = np.maximum(n, np.ceil(population / per_population))
    if not np.isnan(per_area):
        n = np.maximum(n, np.ceil(area / per_area))
    return n


def need_items(inp: NeedInputs, years: list[int], h: Hierarchy) -> NeedItems:
    """h: the scenario's hierarchy (which units have budgets)."""
    parts: list[tuple[np.ndarray, ...]] = []
    n = inp.needs
    yi = year_positions(n.year, years)
    keep = yi >= 0
    m = int(keep.sum())
    parts.append((h.budget_of[n.unit[keep]], yi[keep], n.function[keep], n.priority[keep], n.amount[keep],
                  np.full(m, FROM_ROWS), np.full(m, -1), np.full(m, np.nan), np.full(m, np.nan)))
    origin = [n.unit[keep]]  # the unit each addend was recorded for (rural programmes inside a district, §3.4)
    coef = CoefficientTable(inp.coefficients, inp.n_functions, h)
    norms = inp.norms

    d = inp.drivers
    if norms.norm.size and d.value.size:
        dyi = year_positions(d.year, years)
        dbud = h.budget_of[d.unit]
        dlev = h.b_level[dbud]
        for k in range(norms.norm.size):  # a loop over norms (tens), never over units
            f, lvl, drv = norms.function[k], norms.level[k], norms.driver[k]
            sel = (d.driver == drv) & (dlev == lvl) & (dyi >= 0)
            b = dbud[sel]
            cf = coef.lookup(b, f)
            val = d.value[sel]
            parts.append((b, dyi[sel], np.full(b.size, f), np.full(b.size, norms.priority[k]),
                          norms.norm[k] * val * cf, np.full(b.size, FROM_NORM), np.full(b.size, k), val, cf))
            origin.append(d.unit[sel])

    nw = inp.networks
    if nw is not None:
        area = h.area if h.area is not None else np.zeros(h.n)
        ny = len(years)
        for k in range(nw.cost.size):  # a loop over institution types, never over units
            b = np.flatnonzero(h.b_level == nw.level[k]).astype(np.int32)
            units = h.budget_units[b]
            inst = institutions(h.population[units], area[units], nw.population_per_institution[k], nw.area_per_institution[k])
            cf = coef.lookup(b, nw.function[k])
            amount = inst * nw.cost[k] * cf
            parts.append((np.repeat(b, ny), np.tile(np.arange(ny), b.size), np.full(b.size * ny, nw.function[k]),
                          np.full(b.size * ny, nw.priority[k]), np.repeat(amount, ny), np.full(b.size * ny, FROM_NETWORK),
                          np.full(b.size * ny, k), np.repeat(inst, ny), np.repeat(cf, ny)))
            origin.append(np.repeat(units, ny))
    cols = [np.concatenate([p[i] for p in parts]) for i in range(9)]
    kind = np.zeros(cols[0].size, dtype=np.int8)
    if n.kind is not None:
        kind[: m] = n.kind[keep]
    return NeedItems(cols[0].astype(np.int32), cols[1].astype(np.int64), cols[2].astype(np.int32),
                     cols[3].astype(np.int8), cols[4].astype(np.float64), cols[5].astype(np.int8), cols[6].astype(np.int32),
                     cols[7].astype(np.float64), cols[8].astype(np.float64), kind, np.concatenate(origin).astype(np.int32))
