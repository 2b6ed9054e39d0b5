"""Targeted subventions in two categories (concept §3.3.3; `transfer_model: targeted`).

Category 1 finances mandatory functions: S1 = max(0, mandatory needs −
revenue + what the budget pays its children net), always paid in full.
What revenue leaves after mandatory needs covers basic needs, then
additional ones; a surplus above all needs is withdrawn at
`withdrawal_rate`. Category 2 is a fixed pool for regional development
programs, allocated in priority order (ties by program id), the last program
that does not fit partly funded, with an optional cap per region.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..hierarchy import REGION, RURAL
from .provenance import Stamp
from .status import no_residue
from .transfers import Transfers, _to_parents

STAMP = Stamp("targeted", "§3.3.3", "transfer_model", "category 1 for mandatory needs; the surplus withdrawn at withdrawal_rate")


@dataclass
class Coverage:
    """Per budget and year: which priority tiers are covered, and by what."""

    mandatory: np.ndarray
    basic: np.ndarray
    additional: np.ndarray
    category1: np.ndarray  # the mandatory needs that revenue did not cover
    category2: np.ndarray  # development programs funded from the pool
    basic_covered: np.ndarray
    additional_covered: np.ndarray
    surplus: np.ndarray  # revenue above all needs (withdrawn at withdrawal_rate)


def close_gaps_targeted(mandatory: np.ndarray, basic: np.ndarray, additional: np.ndarray, revenue: np.ndarray,
                        category2: np.ndarray, b_level: np.ndarray, b_parent: np.ndarray, rate: float) -> tuple[Transfers, Coverage]:
    nb, ny = revenue.shape
    def z() -> np.ndarray:
        return np.zeros((nb, ny))

    gap, s1, w, paid, received, cb, ca, surplus = z(), z(), z(), z(), z(), z(), z(), z()
    for lvl in range(RURAL, REGION - 1, -1):
        idx = np.flatnonzero(b_level == lvl)
        if idx.size == 0:
            continue
        # what the budget pays its children counts as mandatory: their category 1 is
        m = mandatory[idx] - revenue[idx] + paid[idx] - received[idx]
        gap[idx] = m
        s1[idx] = no_residue(np.maximum(m, 0.0))  # below half a tiyn: no transfer (rules/status.py)
        left = np.maximum(-m, 0.0)
        cb[idx] = np.minimum(basic[idx], left)
        ca[idx] = np.minimum(additional[idx], left - cb[idx])
        surplus[idx] = left - cb[idx] - ca[idx]
        w[idx] = no_residue(surplus[idx] * rate)
        paid += _to_parents(s1[idx] + category2[idx], b_parent[idx], nb)
        received += _to_parents(w[idx], b_parent[idx], nb)
    tr = Transfers(gap, s1 + category2, w, paid, received)
    return tr, Coverage(mandatory, basic, additional, s1, category2, cb, ca, surplus)


@dataclass
class Allocation:
    funded: np.ndarray  # per program
    capped: np.ndarray  # bool: the region cap stopped it


def allocate_pool(cost: np.ndarray, score: np.ndarray, order_key: np.ndarray, region: np.ndarray, pool: float,
                  region_cap: float | None) -> Allocation:
    """Fund programs by descending score (ties by `order_key`) until the pool is spent.

    A loop over programs (tens or hundreds of rows of data), not over units.
    """
    order = np.lexsort((order_key, -score))
    funded = np.zeros(cost.size)
    capped = np.zeros(cost.size, dtype=bool)
    left = pool
    cap_left: dict[int, float] = {}
    for i in order.tolist():
        if left <= 0:
            break
        room = left
        if region_cap is not None:
            room = min(room, cap_left.setdefault(int(region[i]), region_cap * pool))
        give = min(cost[i], room)
        capped[i] = give < cost[i] and region_cap is not None and room < left
        funded[i] = give
        left -= give
        if region_cap is not None:
            cap_left[int(region[i])] -= give
    return Allocation(funded, capped)
