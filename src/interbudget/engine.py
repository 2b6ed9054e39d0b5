"""Run a scenario on a dataset: years x tiers x plan/actual (METHOD.md).

The engine only wires the pure rules together and keeps every intermediate
array, so that `explain` can trace any figure back to receipts, shares,
needs and the rule that produced it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .dataset import BASE, REGIONAL, Dataset
from .grid import ReceiptGrid
from .errors import InterbudgetError, Problem
from .hierarchy import REGION, Hierarchy
from .rules.needs import NeedItems, need_items
from .rules.options import no_withdrawal_share
from .rules.sharing import LevelShares, revenue, scenario_tables, with_region_rows
from .rules.transfers import Transfers, balance, close_gaps
from .scenario import Scenario

IMPLEMENTED_METHODS = {"M3"}


@dataclass
class Track:
    name: str  # "plan" or "actual"
    year_pos: list[int]  # positions in the scenario's years that this track covers
    revenue: np.ndarray  # (n_budgets, n_years of the scenario)
    balance: np.ndarray


@dataclass
class RegionShares:
    """Trace of options 2 / 4: how each region's share was found."""

    region_units: np.ndarray  # unit indices of regions with a budget
    g0: np.ndarray  # (regions, years) gap with a zero share
    q: np.ndarray  # (regions, years) regulated receipts booked at the region or below
    cap: float
    share: np.ndarray  # (regions,)
    taxes: list[str]  # the regulated taxes the share applies to


@dataclass
class Result:
    scenario: Scenario
    dataset: Dataset
    years: list[int]
    needs: np.ndarray  # (n_budgets, n_years)
    need_items: NeedItems
    tables: dict[int, LevelShares]
    transfers: Transfers
    plan: Track
    actual: Track | None
    region_shares: RegionShares | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def tracks(self) -> list[Track]:
        return [self.plan] + ([self.actual] if self.actual is not None else [])

    def shares_rows(self) -> list[dict]:
        """Rows of shares.csv: every share the scenario computed."""
        rows: list[dict] = []
        rs = self.region_shares
        if rs is not None:
            codes = self.dataset.hierarchy.codes
            for u, s in zip(rs.region_units.tolist(), rs.share.tolist()):
                for tax in rs.taxes:
                    rows.append({"code": codes[u], "tax": tax, "level": "region", "share": s,
                                 "first_year": min(self.years), "last_year": max(self.years)})
        return rows


def check_compatible(ds: Dataset, s: Scenario, scenario_file: str) -> list[str]:
    """Problems that need both the dataset and the scenario; returns warnings."""
    problems: list[Problem] = []
    rows = ds.receipts.grid(s.years, ds.hierarchy.n, len(ds.taxes)).year_rows
    for y in (y for y, n in zip(s.years, rows) if n == 0):
        have = ds.receipts.years()
        problems.append(Problem(ds.files["receipts"].name, f"scenario year {y} has no receipts (years present: "
                                f"{', '.join(map(str, sorted(have))) or 'none'})", column="year"))
    for key in ("district_method", "rural_method"):
        m = getattr(s, key)
        if isinstance(m, dict):
            idx = ds.hierarchy.unit_index()
            for code in m:
                u = idx.get(code)
                if u is None or ds.hierarchy.level[u] != REGION:
                    problems.append(Problem(scenario_file, f"'{code}' is not a region code in units.csv", column=key))
    missing = sorted(s.methods_used() - IMPLEMENTED_METHODS)
    if missing:
        problems.append(Problem(scenario_file, f"method {', '.join(missing)} is not implemented yet in this version; "
                                "use M3 (the default)", column="district_method/rural_method"))
    if problems:
        raise InterbudgetError(problems)
    known = set(ds.taxes)
    warnings = [f"{scenario_file}: tax '{t}' in sharing has no receipts in the dataset" for t in s.sharing if t not in known]
    if s.option != 1:
        warnings += [f"{scenario_file}: regulated tax '{t}' has no receipts in the dataset" for t in s.regulated if t not in known]
    return warnings


def _region_shares(s: Scenario, ds: Dataset, grid: ReceiptGrid, needs: np.ndarray,
                   tables: dict[int, LevelShares]) -> tuple[dict[int, LevelShares], RegionShares]:
    h = ds.hierarchy
    regulated = np.array([t in s.regulated for t in ds.taxes], dtype=bool)
    payers = (REGIONAL,) if s.option == 4 else (REGIONAL, BASE)
    regions = np.flatnonzero((h.level == REGION) & h.has_budget).astype(np.int32)
    zero = with_region_rows(tables, h, regions, np.zeros(regions.size), regulated, payers)
    t0 = close_gaps(needs, revenue(h, grid, zero), h.b_level, h.b_parent, s.withdrawal_rate)
    g0 = t0.gap[h.budget_index_of_unit[regions]]
    # Q: regulated receipts (of the counted payers) booked at the region or below
    row_of_region = np.full(h.n, -1, dtype=np.int64)
    row_of_region[regions] = np.arange(regions.size)
    q = _subtree_receipts(h, grid, REGION, row_of_region, regions.size, counted_columns(ds, regulated, payers))
    lower = max((s.share(t, "district", base=b) + s.share(t, "rural", base=b)
                 for t in s.regulated for b in ((False,) if s.option == 4 else (False, True))), default=0.0)
    cap = 1.0 - lower
    share = no_withdrawal_share(g0, q, cap)
    return (with_region_rows(tables, h, regions, share, regulated, payers),
            RegionShares(regions, g0, q, cap, share, list(s.regulated)))


def counted_columns(ds: Dataset, taxes_mask: np.ndarray, payers: tuple[int, ...]) -> np.ndarray:
    """A (1, 2, n_taxes) 0/1 table selecting the given taxes of the given payers."""
    sel = np.zeros((1, 2, len(ds.taxes)))
    for p in payers:
        sel[0, p, taxes_mask] = 1.0
    return sel


def _subtree_receipts(h: Hierarchy, grid: ReceiptGrid, lvl: int, row_of_unit: np.ndarray, n: int, select: np.ndarray) -> np.ndarray:
    """(n, years): selected receipts booked at each chosen unit of level `lvl` or below."""
    w = grid.take(select, np.zeros(h.n, dtype=np.int32))
    anc = h.anc[lvl][grid.key_unit]
    r = np.where(anc >= 0, row_of_unit[np.maximum(anc, 0)], -1)
    ok = r >= 0
    return np.bincount(r[ok] * grid.ny + grid.key_year[ok], weights=w[ok], minlength=n * grid.ny).reshape(n, grid.ny)


def run(ds: Dataset, s: Scenario, scenario_file: str = "scenario") -> Result:
    warnings = check_compatible(ds, s, scenario_file)
    h: Hierarchy = ds.hierarchy
    years = list(s.years)
    ny = len(years)
    grid = ds.receipts.grid(years, h.n, len(ds.taxes))
    items = need_items(ds, years)
    needs = items.totals(h.nb, ny)
    tables = scenario_tables(s, h, ds.taxes)
    rs = None
    if s.option in (2, 4):
        tables, rs = _region_shares(s, ds, grid, needs, tables)
    rev = revenue(h, grid, tables)
    tr = close_gaps(needs, rev, h.b_level, h.b_parent, s.withdrawal_rate)
    plan = Track("plan", list(range(ny)), rev, balance(needs, rev, tr))
    actual = None
    if ds.receipts_actual is not None:
        agrid = ds.receipts_actual.grid(years, h.n, len(ds.taxes))
        pos = [k for k in range(ny) if agrid.year_rows[k] > 0]
        if pos:
            arev = revenue(h, agrid, tables)  # the plan's shares, S and W stay fixed
            actual = Track("actual", pos, arev, balance(needs, arev, tr))
    return Result(s, ds, years, needs, items, tables, tr, plan, actual, rs, warnings)
