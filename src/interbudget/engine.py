"""Run a scenario on a dataset: years x tiers x plan/actual (METHOD.md).

The engine only wires the rules together, each in its own room under `rules/`, and keeps every
intermediate array, so that `explain` can trace any figure back to receipts, shares, needs and the
rule that produced it (the stamps of rules/provenance.py).

Computed shares are set from the top down, each fixed before the tier below
is computed and each computed as if every tier below used M3: first the
region shares of options 2 and 4, then M2 at the region→district tier, then
M2 at the district→rural tier (METHOD.md "Order").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .dataset import Dataset, Receipts
from .grid import ReceiptGrid
from .hierarchy import DISTRICT, RURAL, Hierarchy
from .rules import borrowing as debt_rules
from .rules.capacity import capacity_receipts
from .rules.compatibility import check_compatible, unknown_taxes
from .rules.guarantees import BOUND_NAMES, EnvelopeRows, envelope_general
from .rules.mandates import apply_mandates
from .rules.methods import child_shares
from .rules.needs import NeedInputs, NeedItems, need_items
from .rules.programmes import ProgramFunding, fund_programs
from .rules.provenance import Stamp
from .rules.region_shares import region_shares
from .rules.scope import base_mask, scenario_hierarchy, scenario_taxes
from .rules.share_context import SHARE_TOLERANCE, ComputedShares, ShareContext
from .rules.sharing import LevelShares, ShareModel, revenue, scenario_model
from .rules.shock import shocked_receipts
from .rules.shortfall import DebtRun, debt_loans, shortfalls
from .rules.targeted import Coverage, close_gaps_targeted
from .rules.track import Track
from .rules.transfers import Transfers, balance, close_gaps
from .scenario import Scenario

__all__ = ["BOUND_NAMES", "SHARE_TOLERANCE", "ComputedShares", "EnvelopeRows", "ProgramFunding", "Result", "Track", "base_mask",
           "check_compatible", "run", "scenario_hierarchy", "scenario_taxes", "unknown_taxes"]

@dataclass
class Result:
    scenario: Scenario
    dataset: Dataset
    hierarchy: Hierarchy  # the dataset's tree with the scenario's budgets (rural_budgets)
    years: list[int]
    taxes: list[str]  # the dataset's taxes, then the scenario's taxes that have no receipts
    needs: np.ndarray  # (n_budgets, n_years): needs, plus funded development programs (targeted model)
    need_items: NeedItems
    model: ShareModel
    tables: dict[int, LevelShares]
    transfers: Transfers  # the plan's
    plan: Track
    actual: Track | None
    computed: list[ComputedShares] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    revised: Track | None = None
    base_mask: np.ndarray | None = None  # per payer category: counted as a base enterprise
    coverage: Coverage | None = None  # targeted model: priority tiers covered, plan track
    programs: ProgramFunding | None = None
    envelope: EnvelopeRows | None = None
    mandates: list[dict[str, Any]] = field(default_factory=list)  # per mandate, budget and year: cost, compensated, unfunded
    shocked: Receipts | None = None  # actual receipts made by the scenario's actual_shock (rules/shock.py)
    debt: DebtRun | None = None  # debt.csv, sequestration and borrowing (rules/sequestration.py, rules/borrowing.py)
    provenance: dict[str, Stamp] = field(default_factory=dict)  # per quantity: the rule that set it (shares: per cell, `model`)

    @property
    def tracks(self) -> list[Track]:
        return [t for t in (self.plan, self.actual, self.revised) if t is not None]

    def receipts_of(self, track: str) -> Receipts | None:
        ds = self.dataset
        actual = ds.receipts_actual if self.shocked is None else self.shocked
        return {"plan": ds.receipts, "actual": actual, "revised": ds.receipts_revised}[track]

    def shares_rows(self) -> list[dict[str, Any]]:
        """Rows of shares.csv: every share the scenario computed."""
        rows: list[dict[str, Any]] = []
        codes = self.hierarchy.codes
        for cs in self.computed:
            for u, s in zip(cs.units.tolist(), cs.share.tolist(), strict=True):
                for tax in cs.taxes:
                    rows.append({"code": codes[u], "tax": tax, "level": cs.level, "share": s,
                                 "first_year": min(self.years), "last_year": max(self.years)})
        return rows

    def frame(self, track: str = "plan", lang: str = "en") -> Any:
        """One tidy pandas table of TRACK (plan, actual, revised): a row per budget and year with code, name
        (in LANG), level, region, year, population, needs, revenue, the four transfers, balance and status
        (frame.FRAME_COLUMNS; amounts in thousand tenge)."""
        from .frame import result_frame

        return result_frame(self, track, lang)

    def table(self, track: str = "plan", lang: str = "en") -> Any:
        """`frame` as a pyarrow Table (core dependencies only)."""
        from .frame import result_table

        return result_table(self, track, lang)

    def computed_for(self, unit: int) -> ComputedShares | None:
        for cs in self.computed:
            if unit in set(cs.units.tolist()):
                return cs
        return None


def set_shares(c: ShareContext) -> tuple[ShareModel, list[ComputedShares], dict[int, LevelShares]]:
    """Set every share: the scenario's, then the computed ones, top down (METHOD.md "Order")."""
    model = scenario_model(c.s, c.h, c.taxes)
    computed: list[ComputedShares] = []
    if c.s.region_specific_shares:
        model, cs = region_shares(c, model)
        computed.append(cs)
    for tier in (DISTRICT, RURAL):
        model, more = child_shares(c, model, tier)
        computed += more
    return model, computed, model.tables(c.h)


def fix_transfers(c: ShareContext, items: NeedItems, basis: np.ndarray, programs: ProgramFunding) -> tuple[Transfers, Coverage | None]:
    """Subventions and withdrawals on a basis revenue: general (METHOD.md step 2) or targeted (§3.3.3)."""
    h, s = c.h, c.s
    if s.transfer_model == "targeted":
        nb, ny = basis.shape
        mand, basic, addl = (items.totals(nb, ny, priority=p) for p in range(3))
        return close_gaps_targeted(mand, basic, addl, basis, programs.by_budget, h.b_level, h.b_parent, s.withdrawal_rate)
    return close_gaps(c.needs, basis, h.b_level, h.b_parent, s.withdrawal_rate), None


def _provenance(s: Scenario, programs: ProgramFunding, envelope: EnvelopeRows | None) -> dict[str, Stamp]:
    """The rule behind each quantity a run sets per budget and year (the shares are stamped per cell)."""
    from .rules import capacity, mandates, targeted, transfers

    out = {"transfers": targeted.STAMP if s.transfer_model == "targeted" else transfers.STAMP}
    if s.capacity:
        out["basis"] = capacity.STAMP
    if s.transfer_model == "targeted":
        out["programmes"] = programs.stamp
    if envelope is not None:
        out["envelope"] = envelope.stamp
    if s.mandates:
        out["mandates"] = mandates.STAMP
    return out


def need_inputs(ds: Dataset) -> NeedInputs:
    """The records needs are made of (rules/needs.py takes these, not the whole dataset)."""
    return NeedInputs(ds.needs, ds.norms, ds.drivers, ds.coefficients, ds.networks, len(ds.functions))


def run(ds: Dataset, s: Scenario, scenario_file: str = "scenario", allow_unknown_taxes: bool = False) -> Result:
    ds = ds.with_needs_basis(s.needs_basis, scenario_file)  # the scenario's needs basis (docs/METHOD.md)
    warnings = ds.warnings + check_compatible(ds, s, scenario_file, allow_unknown_taxes)
    h = scenario_hierarchy(ds.hierarchy, s)
    mask = base_mask(ds.payer_names, ds.payer_is_base, s, scenario_file)
    years = list(s.years)
    ny = len(years)
    taxes = scenario_taxes(ds.taxes, s)
    items = need_items(need_inputs(ds), years, h)
    loans, refi = debt_loans(ds.debt, s, h, years)
    if loans is not None:  # debt service is a mandatory need of the borrowing budget, on every track
        items = items.plus(debt_rules.service_items(loans, years, ds.functions.index("debt_service")))
    programs = fund_programs(ds.programs, ds.last_transfers, s, h, years)
    needs = items.totals(h.nb, ny)
    spending = needs + programs.by_budget  # funded programs are spent by the region that gets them

    def grid_of(rec: Receipts) -> ReceiptGrid:
        if not s.capacity or ds.bases is None:  # check_compatible: a capacity basis has bases.csv
            plain: ReceiptGrid = rec.grid(years, h.n, len(taxes), mask)
            return plain
        return ReceiptGrid.build(capacity_receipts(ds.bases, s, rec.classify(mask), taxes), years, h.n, len(taxes))

    c = ShareContext(s, h, taxes, grid_of(ds.receipts), needs, scenario_file)
    model, computed, tables = set_shares(c)
    envelope = EnvelopeRows() if s.envelope is not None else None
    mandates: list[dict[str, Any]] = []

    def fixed(name: str, rec: Receipts, basis_grid: ReceiptGrid, pos: list[int], record: bool) -> tuple[Track, Coverage | None, np.ndarray]:
        """A track whose amounts are fixed on `rec`: transfers, the envelope, then the mandates decided after."""
        basis = revenue(h, basis_grid, tables)
        tr, coverage = fix_transfers(c, items, basis, programs)
        if s.envelope is not None and s.envelope.applies_to == "general":
            tr = envelope_general(ds.last_transfers, s.envelope, h, years, tr, programs.by_budget, envelope if record else None)
        rev = revenue(h, rec.grid(years, h.n, len(taxes), mask), tables) if s.capacity else basis
        spent = spending
        if s.mandates:
            tr, spent = apply_mandates(ds.mandate_costs, s.mandates, h, years, tr, spending, rev, mandates if record else None)
        return Track(name, pos, rev, balance(spent, rev, tr), tr, basis), coverage, spent

    plan, coverage, spent = fixed("plan", ds.receipts, c.grid, list(range(ny)), True)
    tr = plan.transfers
    actual = None
    areceipts = ds.receipts_actual
    if s.actual_shock is not None:  # an oil-price fall on the actual track (rules/shock.py)
        sh = s.actual_shock
        areceipts = shocked_receipts(ds.receipts, ds.receipts_actual, sh.years, np.array([sh.taxes.get(t, 0.0) for t in ds.taxes]),
                                     np.array([sh.payers.get(p, 0.0) for p in ds.payer_names]))
    if areceipts is not None:
        agrid = areceipts.grid(years, h.n, len(taxes), mask)
        pos = [k for k in range(ny) if agrid.year_rows[k] > 0]
        if pos:
            arev = revenue(h, agrid, tables)  # the plan's shares, S and W stay fixed
            actual = Track("actual", pos, arev, balance(spent, arev, tr), tr, plan.basis)
    revised = None
    if s.revision is not None and ds.receipts_revised is not None:  # check_compatible: a revision has its receipts
        # from `from_year` on, the amounts are fixed again on the new projections; shares stay
        pos = [k for k, y in enumerate(years) if y >= s.revision.from_year]
        revised = fixed("revised", ds.receipts_revised, grid_of(ds.receipts_revised), pos, False)[0]
    if envelope is not None and s.envelope is not None and s.envelope.applies_to == "category2":
        envelope.rows = programs.envelope
    dr = None
    if loans is not None or s.sequestration is not None or s.borrowing is not None:
        dr = DebtRun(loans, refi, None)
        others = shortfalls(ds.functions, s, h, years, items, spent, plan, [t for t in (actual, revised) if t is not None], dr)
        actual, revised = (others.pop(0) if actual is not None else None), (others.pop(0) if revised is not None else None)
    return Result(s, ds, h, years, taxes, spent, items, model, tables, tr, plan, actual, computed, warnings, revised, mask,
                  coverage, programs, envelope, mandates, areceipts if s.actual_shock is not None else None, dr,
                  _provenance(s, programs, envelope))
