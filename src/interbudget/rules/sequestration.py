"""Sequestration: the order of cuts when revenue falls short (concept §1, §3.3.3, §3.4).

With transfers fixed as amounts for the medium term, a budget whose receipts fall below plan on the
actual (or revised) track must cut spending or borrow. Spending is cut in the scenario's order of steps
(priority and kind: for example additional, then development of basic functions, then current basic),
each step as far as it goes before the next begins, never below the protected floor: mandatory current
spending ("mostly not subject to sequestration", §3.3.3), the functions the scenario protects, and the
rural programmes inside a district budget that only the maslikhat may change (§3.4). Within a step the
cut falls on its needs in proportion to their amounts. What the order cannot cut is a deficit, financed
as rules/borrowing.py says.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..dataset import PRIORITIES
from ..hierarchy import RURAL
from ..vocab import KINDS
from .needs import NeedItems


@dataclass
class Steps:
    """The scenario's order as (priority, kind) index pairs, and each need item's step (-1: never cut)."""

    names: list[str]  # "additional.development", ...
    priority: np.ndarray  # (steps,) index into PRIORITIES
    kind: np.ndarray  # (steps,) index into KINDS
    of_item: np.ndarray  # (items,) the step of each need item, -1 where protected or not in the order
    protected: np.ndarray  # (items,) bool: protected by function or as a rural programme (§3.4)


def steps_of(order: list[str], items: NeedItems, functions: list[str], protected_functions: list[str],
             unit_level: np.ndarray | None) -> Steps:
    """Map the order (already expanded to priority.kind by the scenario) onto the need items.
    unit_level: the level of each unit (rural programmes inside the district budget are protected), or None."""
    pr = np.array([PRIORITIES.index(s.split(".")[0]) for s in order], dtype=np.int8)
    kd = np.array([KINDS.index(s.split(".")[1]) for s in order], dtype=np.int8)
    table = np.full((len(PRIORITIES), len(KINDS)), -1, dtype=np.int64)
    table[pr, kd] = np.arange(len(order))
    protected = np.isin(items.function, [functions.index(f) for f in protected_functions if f in functions])
    if unit_level is not None:
        unit = items.units()
        own = unit >= 0
        rural = np.zeros(items.amount.size, dtype=bool)
        rural[own] = unit_level[unit[own]] == RURAL
        protected |= rural
    step = table[items.priority, items.kinds()]
    step[protected] = -1
    return Steps(list(order), pr, kd, step, protected)


def cuttable(items: NeedItems, steps: Steps, nb: int, ny: int) -> np.ndarray:
    """(budgets, years, steps): what each step may cut, the protected floor left out."""
    ns = len(steps.names)
    sel = steps.of_item >= 0
    key = (items.budget[sel].astype(np.int64) * ny + items.year[sel]) * ns + steps.of_item[sel]
    return np.bincount(key, weights=items.amount[sel], minlength=nb * ny * ns).reshape(nb, ny, ns)


def floor(items: NeedItems, steps: Steps, nb: int, ny: int) -> np.ndarray:
    """(budgets, years): the protected floor, never cut (mandatory current, protected functions, rural programmes)."""
    sel = steps.of_item < 0
    return np.bincount(items.budget[sel].astype(np.int64) * ny + items.year[sel], weights=items.amount[sel],
                       minlength=nb * ny).reshape(nb, ny)


def cut(deficit: np.ndarray, available: np.ndarray) -> np.ndarray:
    """Cut `deficit` (budgets,) from `available` (budgets, steps) step by step in order: each step as far as
    it goes before the next; never more than the deficit or than a step holds."""
    out = np.zeros_like(available)
    rest = np.maximum(deficit, 0.0)
    for s in range(available.shape[1]):  # a loop over the few steps of the order, never over budgets
        out[:, s] = np.minimum(rest, available[:, s])
        rest = rest - out[:, s]
    return out
