"""Receipts summed per (booking unit, year) x (payer, tax), once per run.

Shares depend only on the booking unit, the payer and the tax, so revenue
is linear in these sums: each level's take is the grid times a share vector
(or a share matrix where shares differ by unit), then routed to budgets.
This turns millions of receipt rows into one aggregation plus small matrix
products, whatever the number of options and tracks. A sparse grid (many
units, few taxes each) keeps the rows instead of a mostly empty matrix.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Protocol

import numpy as np

#: a dense matrix is used while it has at most this many cells per receipt row (plus a floor)
DENSE_CELLS_PER_ROW = 4
DENSE_FLOOR = 1_000_000


def year_positions(year: np.ndarray, years: list[int]) -> np.ndarray:
    """Position of each row's year in `years`, -1 for other years (one lookup table, no loop over rows)."""
    if year.size == 0:
        return np.zeros(0, dtype=np.int64)
    out = np.full(year.shape, -1, dtype=np.int64)
    for k, y in enumerate(years):  # a few years: one comparison pass each
        out[year == y] = k
    return out


class ReceiptRows(Protocol):
    """The receipt rows a grid sums (a dataset's `Receipts`; `payer` is a class 0/1 once classified)."""

    unit: np.ndarray
    year: np.ndarray
    tax: np.ndarray
    payer: np.ndarray
    amount: np.ndarray


class ClassifiableReceipts(ReceiptRows, Protocol):
    def classify(self, base_mask: np.ndarray) -> ReceiptRows: ...


#: (years, n_units, n_taxes, base mask bytes): what a grid is built for
_GridKey = tuple[tuple[int, ...], int, int, bytes]

#: grids built per receipts object (by its id, dropped with the object): a scenario's checks, its run and
#: every later run on the same dataset (the web workbench) aggregate the rows once
_GRIDS: dict[int, dict[_GridKey, ReceiptGrid]] = {}


def receipt_grid(rec: ClassifiableReceipts, years: list[int], n_units: int, n_taxes: int,
                 base_mask: np.ndarray) -> ReceiptGrid:
    """The receipts REC (a dataset's `Receipts`) of `years` summed per (unit, year) x (payer class, tax), built
    once per REC and arguments. `base_mask[category]` says which payer categories are base enterprises."""
    key: _GridKey = (tuple(years), n_units, n_taxes, base_mask.tobytes())
    built = _GRIDS.get(id(rec))
    if built is None:
        built = _GRIDS[id(rec)] = {}
        weakref.finalize(rec, _GRIDS.pop, id(rec), None)
    if key not in built:
        built[key] = ReceiptGrid.build(rec.classify(base_mask), years, n_units, n_taxes)
    return built[key]


@dataclass
class ReceiptGrid:
    ny: int
    key_unit: np.ndarray  # (k,) int32 booking unit of each (unit, year) key
    key_year: np.ndarray  # (k,) int64 position of the year in the scenario's years
    pt_code: np.ndarray  # (m,) payer * n_taxes + tax of each present (payer, tax) column
    dense: np.ndarray | None  # (k, m) sums, or None for the sparse form
    row_key: np.ndarray | None = None  # sparse form: key and column of each receipt row
    row_pt: np.ndarray | None = None
    row_amount: np.ndarray | None = None
    year_total: np.ndarray | None = None  # (ny,) all receipts per year
    year_rows: np.ndarray | None = None  # (ny,) number of receipt rows per year
    full: bool = False  # keys are every (unit, year) in order and columns every (payer, tax)

    @classmethod
    def build(cls, rec: ReceiptRows, years: list[int], n_units: int, n_taxes: int) -> ReceiptGrid:
        ny = len(years)
        yi = year_positions(rec.year, years)
        counts = np.bincount(yi + 1, minlength=ny + 1)
        year_rows = counts[1:]
        unit, amount, payer, tax = rec.unit, rec.amount, rec.payer, rec.tax
        if counts[0]:  # rows of other years
            keep = yi >= 0
            unit, amount, payer, tax, yi = unit[keep], amount[keep], payer[keep], tax[keep], yi[keep]
        width = 2 * n_taxes
        pt = payer.astype(np.int32)  # in place from here: fresh arrays of millions of rows are costly to touch
        pt *= n_taxes
        pt += tax
        budget = DENSE_CELLS_PER_ROW * amount.size + DENSE_FLOOR
        if n_units * ny * width <= budget:
            # every (unit, year) x (payer, tax) cell: one pass over the rows, no compaction
            cell = unit.astype(np.int64)
            cell *= ny
            cell += yi
            cell *= width
            cell += pt
            dense = np.bincount(cell, weights=amount, minlength=n_units * ny * width).reshape(n_units * ny, width)
            return cls(ny=ny, key_unit=np.repeat(np.arange(n_units, dtype=np.int32), ny), key_year=np.tile(np.arange(ny), n_units),
                       pt_code=np.arange(width, dtype=np.int32), dense=dense, year_rows=year_rows, full=True,
                       year_total=dense.sum(axis=1).reshape(n_units, ny).sum(axis=0))
        # keep only the (unit, year) keys and (payer, tax) columns that occur
        key = unit.astype(np.int64) * ny + yi
        present = np.bincount(key, minlength=n_units * ny) > 0
        keys = np.flatnonzero(present)
        kidx = (np.cumsum(present) - 1)[key]
        cols = np.flatnonzero(np.bincount(pt, minlength=width) > 0).astype(np.int32)
        col_index = np.full(width, -1, dtype=np.int32)
        col_index[cols] = np.arange(cols.size, dtype=np.int32)
        cidx = col_index[pt]
        k, m = keys.size, cols.size
        key_unit, key_year = (keys // ny).astype(np.int32), keys % ny
        year_total = np.bincount(yi, weights=amount, minlength=ny)
        if k * m <= budget:
            dense = np.bincount(kidx * m + cidx, weights=amount, minlength=k * m).reshape(k, m)
            return cls(ny, key_unit, key_year, cols, dense, year_total=year_total, year_rows=year_rows)
        return cls(ny, key_unit, key_year, cols, None, row_key=kidx, row_pt=cidx, row_amount=amount,
                   year_total=year_total, year_rows=year_rows)

    def _rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The sparse form's key, column and amount of each receipt row."""
        if self.row_key is None or self.row_pt is None or self.row_amount is None:
            raise ValueError("a dense ReceiptGrid keeps no receipt rows")
        return self.row_key, self.row_pt, self.row_amount

    def _dense(self) -> np.ndarray:
        if self.dense is None:
            raise ValueError("a sparse ReceiptGrid has no dense matrix")
        return self.dense

    def take(self, table: np.ndarray, row_of_unit: np.ndarray) -> np.ndarray:
        """Sum over columns of amount x share, per key. table: (rows, 2, n_taxes)."""
        flat = table.reshape(table.shape[0], -1)
        if not self.full:
            flat = flat[:, self.pt_code]  # (rows, m)
        out: np.ndarray
        if flat.shape[0] == 1 or not row_of_unit.any():
            vec = flat[0]
            if self.dense is not None:
                out = self.dense @ vec
                return out
            row_key, row_pt, row_amount = self._rows()
            return np.bincount(row_key, weights=row_amount * vec[row_pt], minlength=self.key_unit.size)
        if self.full:  # shares depend on the unit only: gather one row per unit, not per (unit, year)
            n = row_of_unit.size
            out = np.einsum("uym,um->uy", self._dense().reshape(n, self.ny, -1), flat[row_of_unit]).reshape(-1)
            return out
        rows = row_of_unit[self.key_unit]
        if self.dense is not None:
            out = np.einsum("km,km->k", self.dense, flat[rows])
            return out
        row_key, row_pt, row_amount = self._rows()
        return np.bincount(row_key, weights=row_amount * flat[rows[row_key], row_pt], minlength=self.key_unit.size)
