"""Revenue assignment (METHOD.md step 1, options and district methods; concept §1.6, §3.3.2).

For each level below the republic a share table says which fraction of a
receipt of tax t and payer p that level's budget keeps. Rows are addressed
per booking unit (`row_of_unit`), so a region-specific share (options 2 and
4) or a child-specific split (methods M1, M2, M4) is one more row, not a
different code path. The republic keeps the rest: a - sum of shares.

Methods split the *local part* of a tax between a parent and a child budget:
at the region→district tier the region's share + the district share, at the
district→rural tier what the district holds + the rural share. A child row
stores the child's share d and what the parent keeps (local part - d); M3 is
the scenario-wide row 0, so results under M3 are exactly step 1's.

Every table cell carries the id of the stamp of the rule that set it
(rules/provenance.py), in `origin`, an array parallel to `table`; what the
republic keeps of each (payer, tax) is stamped in `ShareModel.republic`.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..dataset import BASE, REGIONAL, Receipts
from ..grid import ReceiptGrid
from ..hierarchy import DISTRICT, REGION, RURAL, Hierarchy
from ..scenario import SHARE_LEVELS, Scenario
from .provenance import NONE, Stamp, Stamps, blank

SHARED_LEVELS = (REGION, DISTRICT, RURAL)

#: option 3 (§3.3.2): the regulated taxes go to the republic at every level
CENTRALIZED = Stamp("option 3", "§3.3.2", "option", "regulated tax centralized", kind="centralized")
#: option 4 (§3.3.2): the base enterprises' receipts go wholly to the republic
BASE_TO_REPUBLIC = Stamp("option 4", "§3.3.2", "option", "base enterprise to the republic", kind="base_to_republic")
#: a tax no sharing table names stays with the republic
NOT_SHARED = Stamp("not in sharing", "§3.3.2", "sharing.{tax}", "wholly republican", "not in sharing: wholly republican", "not_shared")

#: rows of a level's table set by one rule: (first row, kind, detail per row, unit per row)
Block = tuple[int, str, list[str], np.ndarray]


def sharing_stamp(s: Scenario, tax: str, level: str, base: bool) -> Stamp:
    """The scenario's own share of `tax` at `level`: shown by its key path and the reference it gives."""
    table = "sharing_base" if base and s.sharing_base is not None else "sharing"
    ts = (s.sharing_base if s.sharing_base is not None and table == "sharing_base" else s.sharing).get(tax)
    ref = (ts.references.get(level) or ts.reference) if ts else None
    path = f"{table}.{tax}.{level}"
    return Stamp("sharing", "§3.3.2", path, ref or "", path + (f", {ref}" if ref else ""), "uniform_share")


@dataclass
class LevelShares:
    table: np.ndarray  # (rows, 2 payers, n_tax): row 0 is the scenario-wide share
    row_of_unit: np.ndarray  # (n_units,) int32 row used for receipts booked at each unit
    origin: np.ndarray  # (rows, 2 payers, n_tax) stamp id of the rule that set each cell
    # where rows come from, for explanations: blocks of (first row, kind, details per row, units per row)
    blocks: list[Block] = field(default_factory=list)

    def label(self, row: int, codes: np.ndarray) -> tuple[str, str, str] | None:
        """None (the scenario's sharing) or (kind, detail, code) for a row."""
        for start, kind, details, units in reversed(self.blocks):
            if row >= start:
                return kind, details[row - start], str(codes[units[row - start]])
        return None

    def add_block(self, kind: str, details: list[str], units: np.ndarray, rows: np.ndarray, origin: np.ndarray) -> None:
        self.blocks.append((self.table.shape[0], kind, details, units))
        self.table = np.concatenate([self.table, rows])
        self.origin = np.concatenate([self.origin, origin])

    def fractions(self, rec: Receipts) -> np.ndarray:
        rows = self.row_of_unit[rec.unit]
        nt = self.table.shape[2]
        flat = (rows.astype(np.int64) * 2 + rec.payer) * nt + rec.tax
        out: np.ndarray = self.table.reshape(-1)[flat]
        return out


@dataclass
class ChildShares:
    """Child-specific splits of the local part at one tier (methods M1, M2, M4)."""

    tier: int  # DISTRICT or RURAL: the level of the children
    units: np.ndarray  # (k,) child units (each with a budget)
    methods: list[str]
    d: np.ndarray  # (k, 2, n_tax) the child's share
    keep: np.ndarray  # (k, 2, n_tax) what the parent keeps of the local part
    d_origin: np.ndarray  # (k, 2, n_tax) stamp ids of d
    keep_origin: np.ndarray  # (k, 2, n_tax) stamp ids of keep


@dataclass
class ShareModel:
    region: LevelShares  # the region's share before the region→district split
    district: np.ndarray  # (2, n_tax) sharing.district (the M3 split)
    rural: np.ndarray  # (2, n_tax) sharing.rural
    district_origin: np.ndarray  # (2, n_tax) stamp ids of `district`
    rural_origin: np.ndarray  # (2, n_tax) stamp ids of `rural`
    republic: np.ndarray  # (2, n_tax) stamp id of why the republic keeps what it keeps (NONE: the rest, unnamed)
    stamps: Stamps  # the run's stamps, shared by every table of the model
    tier1: ChildShares | None = None  # region→district
    tier2: ChildShares | None = None  # district→rural

    def parent_part(self, h: Hierarchy, tier: int, units: np.ndarray) -> np.ndarray:
        """(k, 2, n_tax): what the parent level holds of a receipt booked at each child before the split."""
        if tier == DISTRICT:
            region: np.ndarray = self.region.table[self.region.row_of_unit[units]]
            return region
        out = np.repeat(self.district[None], units.size, axis=0)
        if self.tier1 is not None:
            row = np.full(h.n, -1, dtype=np.int64)
            row[self.tier1.units] = np.arange(self.tier1.units.size)
            dist = h.anc[DISTRICT][units]
            r = np.where(dist >= 0, row[np.maximum(dist, 0)], -1)
            out[r >= 0] = self.tier1.d[r[r >= 0]]
        return out

    def child_default(self, tier: int) -> np.ndarray:
        return self.district if tier == DISTRICT else self.rural

    def child_default_origin(self, tier: int) -> np.ndarray:
        return self.district_origin if tier == DISTRICT else self.rural_origin

    def tables(self, h: Hierarchy) -> dict[int, LevelShares]:
        """Compose the per-level tables that `revenue` applies."""
        reg = LevelShares(self.region.table, self.region.row_of_unit.copy(), self.region.origin, list(self.region.blocks))
        dist = LevelShares(self.district[None].copy(), np.zeros(h.n, dtype=np.int32), self.district_origin[None].copy())
        rur = LevelShares(self.rural[None].copy(), np.zeros(h.n, dtype=np.int32), self.rural_origin[None].copy())
        # a child's row: the parent level keeps `keep`, the child's level takes `d`
        for t, parent_level, child_level in ((self.tier1, reg, dist), (self.tier2, dist, rur)):
            if t is None:
                continue
            rows = _rows_below(h, t.tier, t.units)
            under = rows >= 0
            parent_level.row_of_unit[under] = parent_level.table.shape[0] + rows[under]
            parent_level.add_block("keep", t.methods, t.units, t.keep, t.keep_origin)
            child_level.row_of_unit[under] = child_level.table.shape[0] + rows[under]
            child_level.add_block("child", t.methods, t.units, t.d, t.d_origin)
        return {REGION: reg, DISTRICT: dist, RURAL: rur}


def _rows_below(h: Hierarchy, lvl: int, units: np.ndarray) -> np.ndarray:
    """For every unit: the position in `units` of its ancestor-or-self at `lvl`, or -1."""
    pos = np.full(h.n, -1, dtype=np.int64)
    pos[units] = np.arange(units.size)
    anc = h.anc[lvl]
    return np.where(anc >= 0, pos[np.maximum(anc, 0)], -1)


def scenario_model(s: Scenario, h: Hierarchy, taxes: list[str]) -> ShareModel:
    """Scenario-wide shares per level (M3), with options 3 and 4 applied, each cell stamped."""
    nt = len(taxes)
    regulated = np.array([t in s.regulated for t in taxes], dtype=bool)
    stamps = Stamps()
    rows, origins = [], []
    for name in SHARE_LEVELS:
        tab = np.zeros((2, nt))
        org = blank((2, nt))
        for k, tax in enumerate(taxes):  # a loop over taxes, not units
            tab[REGIONAL, k] = s.share(tax, name)
            tab[BASE, k] = s.share(tax, name, base=True)
            org[REGIONAL, k] = stamps.id(sharing_stamp(s, tax, name, base=False))
            org[BASE, k] = stamps.id(sharing_stamp(s, tax, name, base=True))
        if s.centralizes_regulated_taxes:  # §3.3.2 option 3: regulated taxes centralized at every level
            tab[:, regulated] = 0.0
            org[:, regulated] = stamps.id(CENTRALIZED)
        if s.base_payers_to_republic:  # option 4: base enterprises' receipts go wholly to the republic
            tab[BASE, :] = 0.0
            org[BASE, :] = stamps.id(BASE_TO_REPUBLIC)
        rows.append(tab)
        origins.append(org)
    return ShareModel(LevelShares(rows[0][None], np.zeros(h.n, dtype=np.int32), origins[0][None]), rows[1], rows[2],
                      origins[1], origins[2], republic_origin(s, taxes, regulated, stamps), stamps)


def republic_origin(s: Scenario, taxes: list[str], regulated: np.ndarray, stamps: Stamps) -> np.ndarray:
    """(2, n_tax): why the republic keeps what it keeps of a receipt, beyond 1 - the shares given."""
    org = blank((2, len(taxes)))
    in_base = set(s.sharing_base or {})
    for k, tax in enumerate(taxes):
        org[REGIONAL, k] = org[BASE, k] = NONE if tax in s.sharing else stamps.id(NOT_SHARED)
        if tax in in_base:
            org[BASE, k] = NONE
    if s.centralizes_regulated_taxes:
        org[:, regulated] = stamps.id(CENTRALIZED)
    if s.base_payers_to_republic:
        org[BASE, :] = stamps.id(BASE_TO_REPUBLIC)
    return org


def with_region_rows(model: ShareModel, h: Hierarchy, region_units: np.ndarray, share: np.ndarray,
                     taxes_mask: np.ndarray, payers: tuple[int, ...], stamp: Stamp) -> ShareModel:
    """Give each region in `region_units` its own row at the region level, with
    `share[i]` for the masked taxes and payers (options 2 and 4), stamped `stamp`."""
    k = region_units.size
    tab = np.repeat(model.region.table[:1], k + 1, axis=0)
    org = np.repeat(model.region.origin[:1], k + 1, axis=0)
    sid = model.stamps.id(stamp)
    for p in payers:
        tab[1:, p, :] = np.where(taxes_mask[None, :], share[:, None], tab[1:, p, :])
        org[1:, p, taxes_mask] = sid
    rows = _rows_below(h, REGION, region_units)
    row_of_unit = np.where(rows >= 0, rows + 1, 0).astype(np.int32)
    blocks: list[Block] = [(1, "option", [stamp.rule] * k, region_units)]
    return replace(model, region=LevelShares(tab, row_of_unit, org, blocks))


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
    if grid.year_total is None:
        raise ValueError("a receipt grid without its year totals")
    by_budget = out.reshape(nb, ny)
    by_budget[h.b_republic] += grid.year_total - given
    return by_budget
