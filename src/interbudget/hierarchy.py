"""The unit tree as integer arrays: parents, ancestors by level, budgets.

Everything is computed level by level with whole-array operations, so the
cost grows with the number of levels (four), not with a Python loop over
units.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

LEVELS = ("republic", "region", "district", "rural")
REPUBLIC, REGION, DISTRICT, RURAL = range(4)


def find_cycles(parent: np.ndarray) -> np.ndarray:
    """Mask of units whose parent chain never reaches a root (-1).

    Pointer doubling: after k rounds each unit points 2**k steps up; a chain
    that still has not ended after ceil(log2(n)) + 1 rounds loops.
    """
    n = parent.size
    up = np.where(parent < 0, np.arange(n), parent)  # roots point to themselves
    for _ in range(max(1, int(np.ceil(np.log2(max(n, 2))))) + 1):
        up = up[up]
    return parent[up] >= 0


@dataclass
class Hierarchy:
    codes: np.ndarray  # object array of str, as in units.csv
    parent: np.ndarray  # int32 unit index, -1 for the republic
    level: np.ndarray  # int8, 0..3
    has_budget: np.ndarray  # bool
    population: np.ndarray  # float64
    names: dict[str, Any] = field(default_factory=dict)  # lang -> Arrow string array (or any sequence)
    area: np.ndarray | None = None  # km2 per unit (units.csv area_km2; 0 where unknown)

    def __post_init__(self) -> None:
        n = self.codes.size
        self.n = n
        self.republic = int(np.flatnonzero(self.level == REPUBLIC)[0])
        # ancestor-or-self at each level (-1 where the unit sits above that level)
        anc = np.full((4, n), -1, dtype=np.int32)
        budget_of = np.full(n, -1, dtype=np.int32)  # nearest unit with a budget, self included
        for lvl in range(4):
            idx = np.flatnonzero(self.level == lvl)
            if lvl:
                par = self.parent[idx]
                anc[:lvl, idx] = anc[:lvl, par]
                budget_of[idx] = np.where(self.has_budget[idx], idx, budget_of[par])
            else:
                budget_of[idx] = idx
            anc[lvl, idx] = idx
        self.anc = anc
        self.budget_unit_of = budget_of
        # budgets: units with their own budget, ordered as in units.csv
        self.budget_units = np.flatnonzero(self.has_budget).astype(np.int32)
        self.nb = self.budget_units.size
        b_of_unit = np.full(n, -1, dtype=np.int32)
        b_of_unit[self.budget_units] = np.arange(self.nb, dtype=np.int32)
        self.budget_index_of_unit = b_of_unit
        self.budget_of = b_of_unit[budget_of]  # unit -> index of its budget
        self.b_level = self.level[self.budget_units]
        par_units = self.parent[self.budget_units]
        self.b_parent = np.where(par_units >= 0, self.budget_of[np.maximum(par_units, 0)], -1).astype(np.int32)
        self.b_republic = int(b_of_unit[self.republic])
        self.b_codes = self.codes[self.budget_units]
        # the region each budget belongs to (-1 for the republic)
        self.b_region_unit = anc[REGION, self.budget_units]

    def with_budgets(self, has_budget: np.ndarray) -> Hierarchy:
        """The same tree with another set of units that have budgets (a scenario's choice)."""
        return Hierarchy(self.codes, self.parent, self.level, has_budget, self.population, self.names, self.area)

    def share_target(self, lvl: int) -> np.ndarray:
        """For each booking unit: the budget that receives the share of level `lvl`.

        METHOD.md step 1: the unit at that level on the path to the republic
        if it exists and has a budget, else the lowest budget above; a unit
        booked above `lvl` has no unit at `lvl` on its path, so the share goes
        to the unit's own nearest budget.
        """
        at = self.anc[lvl]
        start = np.where(at >= 0, at, np.arange(self.n))
        return self.budget_of[start]

    def subtree_sum(self, values: np.ndarray) -> np.ndarray:
        """Sum of `values` (per unit, 1-D or units x k) over each unit's subtree."""
        out = np.array(values, dtype=np.float64, copy=True)
        for lvl in (RURAL, DISTRICT, REGION):
            idx = np.flatnonzero(self.level == lvl)
            np.add.at(out, self.parent[idx], out[idx])
        return out

    def unit_index(self) -> dict[str, int]:
        """Code -> unit index, built once: the web asks for it several times per request. Do not modify it."""
        idx = self.__dict__.get("_unit_index")
        if idx is None:
            idx = self._unit_index = {c: i for i, c in enumerate(self.codes.tolist())}
        return idx

    def name(self, unit: int, lang: str = "en") -> str:
        for lg in (lang, "en", "ru", "kk"):
            col = self.names.get(lg)
            v: Any = None if col is None else col[unit]
            v = v.as_py() if hasattr(v, "as_py") else v  # an Arrow scalar, or a plain value
            if v:
                return str(v)
        return str(self.codes[unit])
