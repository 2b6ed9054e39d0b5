"""Computed shares: the no-withdrawal share of the regulated taxes (METHOD.md options 2 and 4, method M2;
concept §3.3.2, §1.6).

share = clamp(min over years with Q > 0 of G0 / Q, 0, cap), where G0 is the unit's gap with a zero share
of the regulated taxes and Q the regulated receipts booked at the unit or below. `ShareContext` holds
what every computed share needs (the tree, the plan's receipts, the needs) and computes the gaps under a
provisional share model; `ComputedShares` keeps the trace `explain` shows.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..dataset import BASE, REGIONAL
from ..grid import ReceiptGrid
from ..hierarchy import LEVELS, Hierarchy
from ..scenario import Scenario
from .options import no_withdrawal_share
from .provenance import Stamp
from .sharing import ShareModel, revenue
from .transfers import close_gaps

#: a child share may exceed the local part by float rounding only
SHARE_TOLERANCE = 1e-12


@dataclass
class ComputedShares:
    """Trace of a computed share (options 2 and 4 at the region level, M2 below):
    share = clamp(min over years with Q > 0 of G0 / Q, 0, cap)."""

    level: str  # "region", "district" or "rural"
    units: np.ndarray  # the budgets that got a share
    g0: np.ndarray  # (units, years) gap with a zero share of the regulated taxes
    q: np.ndarray  # (units, years) regulated receipts booked at the unit or below
    cap: np.ndarray  # (units,) the bound: 1 - lower levels' shares, or the local part (M2)
    share: np.ndarray  # (units,)
    taxes: list[str]  # the regulated taxes the share applies to
    rule: str  # "option 2", "option 4" or "M2"
    stamp: Stamp  # the rule's provenance (rule, §, parameter path, reference)


def counted_columns(n_taxes: int, taxes_mask: np.ndarray, payers: tuple[int, ...]) -> np.ndarray:
    """A (1, 2, n_taxes) 0/1 table selecting the given taxes of the given payers."""
    sel = np.zeros((1, 2, n_taxes))
    for p in payers:
        sel[0, p, taxes_mask] = 1.0
    return sel


def subtree_receipts(h: Hierarchy, grid: ReceiptGrid, lvl: int, units: np.ndarray, select: np.ndarray) -> np.ndarray:
    """(units, years): selected receipts booked at each of `units` (all at level `lvl`) or below."""
    w = grid.take(select, np.zeros(h.n, dtype=np.int32))
    pos = np.full(h.n, -1, dtype=np.int64)
    pos[units] = np.arange(units.size)
    anc = h.anc[lvl][grid.key_unit]
    r = np.where(anc >= 0, pos[np.maximum(anc, 0)], -1)
    ok = r >= 0
    n = units.size
    out: np.ndarray = np.bincount(r[ok] * grid.ny + grid.key_year[ok], weights=w[ok], minlength=n * grid.ny).reshape(n, grid.ny)
    return out


@dataclass
class ShareContext:
    s: Scenario
    h: Hierarchy
    taxes: list[str]
    grid: ReceiptGrid  # the plan's receipts
    needs: np.ndarray  # (n_budgets, n_years)
    scenario_file: str

    @property
    def regulated(self) -> np.ndarray:
        return np.array([t in self.s.regulated for t in self.taxes], dtype=bool)

    @property
    def payers(self) -> tuple[int, ...]:
        """Payers whose regulated receipts count: option 4 shares regional payers only."""
        return (REGIONAL,) if self.s.base_payers_to_republic else (REGIONAL, BASE)

    def gaps(self, model: ShareModel) -> np.ndarray:
        rev = revenue(self.h, self.grid, model.tables(self.h))
        return close_gaps(self.needs, rev, self.h.b_level, self.h.b_parent, self.s.withdrawal_rate).gap

    def computed(self, model: ShareModel, lvl: int, units: np.ndarray, cap: float | np.ndarray, stamp: Stamp) -> ComputedShares:
        """The no-withdrawal share of `units` at `lvl`, from gaps under `model` (their regulated share 0)."""
        h = self.h
        g0 = self.gaps(model)[h.budget_index_of_unit[units]]
        q = subtree_receipts(h, self.grid, lvl, units, counted_columns(len(self.taxes), self.regulated, self.payers))
        share = no_withdrawal_share(g0, q, cap)
        return ComputedShares(LEVELS[lvl], units, g0, q, np.broadcast_to(np.asarray(cap, float), share.shape).copy(),
                              share, list(self.s.regulated), stamp.rule, stamp)
