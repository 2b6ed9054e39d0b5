"""Each function's own cost (concept §3.1 "the cost of state functions"): the part of a needs line it accounts for.

A registry function with need_function L and share s owns s of every row of line L at the levels whose budgets pay
for it (an akimat's level; the republic for central bodies and their territorial units); with a norm instead it owns
norm_level x population of the row's territory (capped at the row). Those parts become rows of their own, tagged
with the function, so a move carries exactly what the function costs and nothing of the rest of the line, and a move
back finds the same rows (each keeps the territory it serves) and returns every budget.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..dataset import Dataset, Needs
from ..errors import InterbudgetError
from ..hierarchy import LEVELS
from .registry import Function, Registry

PAID_CENTRALLY = ("central", "territorial")  # their cost sits in the republican budget


def paying_level(reg: Registry, body: str | None, level: str) -> str:
    """The budget level that pays when BODY performs a function at LEVEL."""
    if body and body in reg.bodies and reg.bodies[body].kind in PAID_CENTRALLY:
        return "republic"
    return level


def cost_levels(reg: Registry, f: Function) -> set[str]:
    """The budget levels that pay for F in the registry's state: its bodies' (an akimat's own level, the republic for
    central bodies and their territorial units) and the level that finances it ({} when nobody performs it)."""
    if not f.bodies:
        return set()
    return {paying_level(reg, b, reg.bodies[b].level) for b in f.bodies} | ({f.finances} if f.finances else set())


@dataclass
class Lines:
    """Needs rows with the registry function each belongs to (tag -1: the rest of its line) and a parked amount
    (a function handed to the competitive sector: the state no longer pays, the amount is kept to come back)."""

    unit: np.ndarray       # the budget unit holding the row
    territory: np.ndarray  # the territory it serves: kept through every move
    year: np.ndarray
    function: np.ndarray   # the needs line
    priority: np.ndarray
    amount: np.ndarray
    tag: np.ndarray
    parked: np.ndarray

    def add(self, rows: np.ndarray, amount: np.ndarray, tag: int, unit: np.ndarray | None = None) -> np.ndarray:
        """Append copies of ROWS with AMOUNT (and UNIT); the new rows' positions."""
        start = self.amount.size
        self.unit = np.concatenate([self.unit, self.unit[rows] if unit is None else unit])
        self.territory = np.concatenate([self.territory, self.territory[rows] if unit is None else unit])
        for name in ("year", "function", "priority"):
            setattr(self, name, np.concatenate([getattr(self, name), getattr(self, name)[rows]]))
        self.amount = np.concatenate([self.amount, amount])
        self.tag = np.concatenate([self.tag, np.full(rows.size, tag, np.int32)])
        self.parked = np.concatenate([self.parked, np.zeros(rows.size)])
        return np.arange(start, self.amount.size)

    def needs(self) -> Needs:
        return Needs(self.unit.astype(np.int32), self.year, self.function, self.priority, self.amount)


def carve(ds: Dataset, reg: Registry) -> tuple[Lines, list[str]]:
    """The dataset's needs with every priced function's part as rows of its own; the function ids by tag."""
    h, n = ds.hierarchy, ds.needs
    unit = h.budget_units[h.budget_of[n.unit]].astype(np.int64)
    lines = Lines(unit, n.unit.astype(np.int64).copy(), n.year, n.function, n.priority, n.amount.astype(float).copy(),
                  np.full(n.amount.size, -1, np.int32), np.zeros(n.amount.size))
    original = lines.amount.copy()
    row_level = h.level[unit]
    ids = list(reg.functions)
    for tag, fid in enumerate(ids):
        f = reg.functions[fid]
        if not f.priced or f.need_function not in ds.functions:  # a move of it is refused (proposals._moves)
            continue
        levels = [LEVELS.index(lv) for lv in cost_levels(reg, f)]
        rows = np.flatnonzero((n.function == ds.functions.index(f.need_function)) & np.isin(row_level, levels))
        if f.share is not None:
            part = original[rows] * f.share
        else:
            if f.driver and f.driver != "population":
                raise InterbudgetError(f"function '{fid}': a norm is priced per person; driver '{f.driver}' is not in the dataset")
            norm = np.array([f.norms.get(LEVELS[lv], 0.0) for lv in range(len(LEVELS))])[row_level[rows]]
            part = np.minimum(norm * h.population[lines.territory[rows]], lines.amount[rows])
        lines.amount[rows] -= part
        lines.add(rows, part, tag)
    return lines, ids
