"""Revenue assignment (METHOD.md step 1; concept §3.3.2).

A share table says, for each level below the republic, which fraction of a
receipt of tax t and payer p the budget at that level keeps. Rows are
addressed per booking unit (`row_of_unit`), so a region-specific share
(options 2 and 4) or a child-specific one (methods) is one more row, not a
different code path. The republic keeps the rest: a - sum of shares.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..dataset import BASE, REGIONAL, Receipts
from ..grid import ReceiptGrid
from ..hierarchy import DISTRICT, REGION, RURAL, Hierarchy
from ..scenario import SHARE_LEVELS, Scenario

SHARED_LEVELS = (REGION, DISTRICT, RURAL)


@dataclass
class LevelShares:
    table: np.ndarray  # (rows, 2 payers, n_tax): row 0 is the scenario-wide share
    row_of_unit: np.ndarray  # (n_units,) int32 row used for receipts booked at each unit

    def fractions(self, rec: Receipts) -> np.ndarray:
        rows = self.row_of_unit[rec.unit]
        nt = self.table.shape[2]
        flat = (rows.astype(np.int64) * 2 + rec.payer) * nt + rec.tax
        return self.table.reshape(-1)[flat]


def scenario_tables(s: Scenario, h: Hierarchy, taxes: list[str]) -> dict[int, LevelShares]:
    """Scenario-wide shares per level (M3), with options 3 and 4 applied."""
    nt = len(taxes)
    regulated = np.array([t in s.regulated for t in taxes], dtype=bool)
    out = {}
    for lvl, name in zip(SHARED_LEVELS, SHARE_LEVELS):
        tab = np.zeros((1, 2, nt))
        for k, tax in enumerate(taxes):
            tab[0, REGIONAL, k] = s.share(tax, name)
            tab[0, BASE, k] = s.share(tax, name, base=True)
        if s.option == 3:  # §3.3.2 option 3: regulated taxes centralized at every level
            tab[0, :, regulated] = 0.0
        if s.option == 4:  # option 4: base enterprises' receipts go wholly to the republic
            tab[0, BASE, :] = 0.0
        out[lvl] = LevelShares(tab, np.zeros(h.n, dtype=np.int32))
    return out


def with_region_rows(tables: dict[int, LevelShares], h: Hierarchy, region_units: np.ndarray,
                     share: np.ndarray, taxes_mask: np.ndarray, payers: tuple[int, ...]) -> dict[int, LevelShares]:
    """Give each region in `region_units` its own row at the region level, with
    `share[i]` for the masked taxes and payers (options 2 and 4)."""
    base = tables[REGION]
    k = region_units.size
    tab = np.repeat(base.table[:1], k + 1, axis=0)
    for p in payers:
        tab[1:, p, :] = np.where(taxes_mask[None, :], share[:, None], tab[1:, p, :])
    row_of_region = np.zeros(h.n, dtype=np.int32)
    row_of_region[region_units] = np.arange(1, k + 1, dtype=np.int32)
    anc = h.anc[REGION]
    row_of_unit = np.where(anc >= 0, row_of_region[np.maximum(anc, 0)], 0).astype(np.int32)
    new = dict(tables)
    new[REGION] = LevelShares(tab, row_of_unit)
    return new


def revenue(h: Hierarchy, grid: ReceiptGrid, tables: dict[int, LevelShares]) -> np.ndarray:
    """Revenue of every budget and year, (n_budgets, n_years)."""
    nb, ny = h.nb, grid.ny
    out = np.zeros(nb * ny)
    given = np.zeros(ny)
    for lvl in SHARED_LEVELS:
        w = grid.take(tables[lvl].table, tables[lvl].row_of_unit)
        tgt = h.share_target(lvl)[grid.key_unit].astype(np.int64)
        out += np.bincount(tgt * ny + grid.key_year, weights=w, minlength=nb * ny)
        given += np.bincount(grid.key_year, weights=w, minlength=ny)
    out = out.reshape(nb, ny)
    out[h.b_republic] += grid.year_total - given
    return out
