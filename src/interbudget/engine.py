"""Run a scenario on a dataset: years x tiers x plan/actual (METHOD.md).

The engine only wires the pure rules together and keeps every intermediate
array, so that `explain` can trace any figure back to receipts, shares,
needs and the rule that produced it.

Computed shares are set from the top down, each fixed before the tier below
is computed and each computed as if every tier below used M3: first the
region shares of options 2 and 4, then M2 at the region→district tier, then
M2 at the district→rural tier (METHOD.md "Order").
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .dataset import BASE, REGIONAL, Dataset, Receipts
from .errors import InterbudgetError, Problem
from .grid import ReceiptGrid
from .hierarchy import DISTRICT, LEVELS, REGION, RURAL, Hierarchy
from .rules.needs import NeedItems, need_items
from .rules.options import no_withdrawal_share
from .rules.sharing import ChildShares, LevelShares, ShareModel, revenue, scenario_model, with_region_rows
from .rules.envelope import AT_CEILING, AT_FLOOR, SCALED, distribute
from .rules.targeted import Allocation, Coverage, allocate_pool, close_gaps_targeted
from .rules.transfers import Transfers, balance, close_gaps, pass_down, with_subventions
from .rules import borrowing as debt_rules
from .rules.shock import shocked_receipts
from .rules.shortfall import DebtRun, debt_loans, shortfalls
from .scenario import Scenario

#: a child share may exceed the local part by float rounding only
SHARE_TOLERANCE = 1e-12


@dataclass
class Track:
    name: str  # "plan", "actual" or "revised"
    year_pos: list[int]  # positions in the scenario's years that this track covers
    revenue: np.ndarray  # (n_budgets, n_years of the scenario)
    balance: np.ndarray
    transfers: Transfers  # the fixed amounts this track keeps
    basis: np.ndarray  # the revenue the transfers were fixed on (capacity, or the revenue itself)
    needs: np.ndarray | None = None  # this track's own needs (after sequestration cuts); None: the result's


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
    coverage: "Coverage | None" = None  # targeted model: priority tiers covered, plan track
    programs: "ProgramFunding | None" = None
    envelope: "EnvelopeRows | None" = None
    mandates: list = field(default_factory=list)  # per mandate, budget and year: cost, compensated, unfunded
    shocked: "Receipts | None" = None  # actual receipts made by the scenario's actual_shock (rules/shock.py)
    debt: "DebtRun | None" = None  # debt.csv, sequestration and borrowing (rules/sequestration.py, rules/borrowing.py)

    @property
    def tracks(self) -> list[Track]:
        return [t for t in (self.plan, self.actual, self.revised) if t is not None]

    def receipts_of(self, track: str):
        ds = self.dataset
        actual = ds.receipts_actual if self.shocked is None else self.shocked
        return {"plan": ds.receipts, "actual": actual, "revised": ds.receipts_revised}[track]

    def shares_rows(self) -> list[dict]:
        """Rows of shares.csv: every share the scenario computed."""
        rows: list[dict] = []
        codes = self.hierarchy.codes
        for cs in self.computed:
            for u, s in zip(cs.units.tolist(), cs.share.tolist()):
                for tax in cs.taxes:
                    rows.append({"code": codes[u], "tax": tax, "level": cs.level, "share": s,
                                 "first_year": min(self.years), "last_year": max(self.years)})
        return rows

    def frame(self, track: str = "plan", lang: str = "en"):
        """One tidy pandas table of TRACK (plan, actual, revised): a row per budget and year with code, name
        (in LANG), level, region, year, population, needs, revenue, the four transfers, balance and status
        (frame.FRAME_COLUMNS; amounts in thousand tenge)."""
        from .frame import result_frame

        return result_frame(self, track, lang)

    def table(self, track: str = "plan", lang: str = "en"):
        """`frame` as a pyarrow Table (core dependencies only)."""
        from .frame import result_table

        return result_table(self, track, lang)

    def computed_for(self, unit: int) -> ComputedShares | None:
        for cs in self.computed:
            if unit in set(cs.units.tolist()):
                return cs
        return None


def scenario_hierarchy(ds: Dataset, s: Scenario) -> Hierarchy:
    """The dataset's tree, with or without fourth-level budgets as the scenario says (§3.4)."""
    h = ds.hierarchy
    own = False if s.rural_programmes else s.rural_budgets  # §3.4: programmes of the district budget instead
    if own is None:
        return h
    rural = h.level == RURAL
    return h.with_budgets(np.where(rural, own, h.has_budget))


def base_mask(ds: Dataset, s: Scenario, scenario_file: str) -> np.ndarray:
    """Which payer categories are base enterprises: the scenario's list, else payers.csv."""
    if s.base_payers is None:
        return ds.payer_is_base
    unknown = [p for p in s.base_payers if p not in ds.payer_names]
    if unknown:
        raise InterbudgetError(Problem(scenario_file, f"unknown payer categor{'y' if len(unknown) == 1 else 'ies'} "
                                       f"{', '.join(unknown)} (known: {', '.join(ds.payer_names)})", column="base_payers"))
    mask = np.array([p in s.base_payers for p in ds.payer_names])
    mask[:2] = [False, True]  # the classes of METHOD.md keep their meaning
    return mask


def unknown_taxes(ds: Dataset, s: Scenario) -> list[tuple[str, str]]:
    """(key path, tax) of every tax the scenario names in sharing, sharing_base, child_shares or (written)
    regulated_taxes that is not in the dataset's tax list (receipts files, taxes.csv): a typo would
    otherwise send that tax's receipts wholly to the republic without a word."""
    known = ds.tax_list()
    named = [(f"sharing.{t}", t) for t in s.sharing] + [(f"sharing_base.{t}", t) for t in s.sharing_base or {}]
    named += [(f"child_shares.{c}.{t}", t) for c, shares in s.child_shares.items() for t in shares]
    named += [("regulated_taxes", t) for t in s.regulated_taxes or []]
    return [(k, t) for k, t in named if t not in known]


def check_compatible(ds: Dataset, s: Scenario, scenario_file: str, allow_unknown_taxes: bool = False) -> list[str]:
    """Problems that need both the dataset and the scenario; returns warnings. A tax the dataset does not
    know is a problem, or with `allow_unknown_taxes` a warning."""
    problems: list[Problem] = []
    unknown = unknown_taxes(ds, s)
    if not allow_unknown_taxes:
        import difflib

        known = sorted(ds.tax_list())
        for key, t in unknown:
            near = difflib.get_close_matches(t, known, n=1)
            hint = f"did you mean '{near[0]}'? " if near else ""
            problems.append(Problem(scenario_file, f"tax '{t}' is not in the dataset's tax list (receipts, taxes.csv): {hint}"
                                    "known: " + ", ".join(known) + " (--allow-unknown-taxes accepts it)", column=key))
    h = scenario_hierarchy(ds, s)
    rows = ds.receipts.grid(s.years, h.n, len(scenario_taxes(ds, s)), base_mask(ds, s, scenario_file)).year_rows
    for y in (y for y, n in zip(s.years, rows) if n == 0):
        have = ds.receipts.years()
        problems.append(Problem(ds.files["receipts"].name, f"scenario year {y} has no receipts (years present: "
                                f"{', '.join(map(str, sorted(have))) or 'none'})", column="year"))
    idx = h.unit_index()
    if s.region_shares is not None and s.option not in (2, 4):
        problems.append(Problem(scenario_file, "region_shares apply to options 2 and 4 only", column="region_shares"))
    for code in s.region_shares or {}:
        u = idx.get(code)
        if u is None or h.level[u] != REGION:
            problems.append(Problem(scenario_file, f"'{code}' is not a region code in units.csv", column="region_shares"))
    for key in ("district_method", "rural_method"):
        m = getattr(s, key)
        if isinstance(m, dict):
            for code in m:
                u = idx.get(code)
                if u is None or h.level[u] != REGION:
                    problems.append(Problem(scenario_file, f"'{code}' is not a region code in units.csv", column=key))
    unused = []
    for code in s.child_shares:
        u = idx.get(code)
        if u is None:
            problems.append(Problem(scenario_file, f"unknown unit code '{code}' (not in units.csv)", column="child_shares"))
        elif h.level[u] not in (DISTRICT, RURAL):
            problems.append(Problem(scenario_file, f"'{code}' is a {LEVELS[h.level[u]]}; child shares are for districts "
                                    "and rural units", column="child_shares"))
        elif not h.has_budget[u]:
            unused.append(code)
    if s.envelope is not None and (s.envelope.floor is not None or s.envelope.ceiling is not None) and ds.last_transfers is None:
        problems.append(Problem(scenario_file, "floors and ceilings need last_transfers.csv in the dataset (code, amount[, kind])",
                                column="envelope"))
    for m in s.mandates:
        if m.per_capita is None and (ds.mandate_costs is None or m.name not in ds.mandate_costs):
            problems.append(Problem(scenario_file, f"mandate '{m.name}' has no cost: give per_capita, or its rows in mandates.csv",
                                    column="mandates"))
    if s.actual_shock is not None:
        problems += [Problem(scenario_file, f"unknown payer category '{p}' (known: {', '.join(ds.payer_names)})",
                             column=f"actual_shock.payers.{p}") for p in s.actual_shock.payers if p not in ds.payer_names]
    if s.capacity and ds.bases is None:
        problems.append(Problem(scenario_file, "a capacity basis needs bases.csv in the dataset (code, year, tax, base)", column="capacity"))
    if s.revision is not None:
        if ds.receipts_revised is None:
            problems.append(Problem(scenario_file, "a revision needs receipts_revised.csv in the dataset (same columns as receipts.csv)",
                                    column="revision"))
        else:
            have = ds.receipts_revised.years()
            problems += [Problem(ds.files["receipts_revised"].name, f"revision year {y} has no receipts", column="year")
                         for y in s.years if y >= s.revision.from_year and y not in have]
    if problems:
        raise InterbudgetError(problems)
    known = ds.tax_list()
    warnings = [f"{scenario_file}: tax '{t}' ({key}) is not in the dataset's tax list; accepted (--allow-unknown-taxes)"
                for key, t in unknown]
    if s.regulated_taxes is None and (s.option != 1 or "M2" in s.methods_used()):
        warnings += [f"{scenario_file}: regulated tax '{t}' has no receipts in the dataset" for t in s.regulated if t not in known]
    if ds.bases is not None:
        with_base = set(np.unique(ds.bases.tax).tolist())
        warnings += [f"{scenario_file}: capacity tax '{t}' has no rows in bases.csv: its capacity is 0"
                     for t in s.capacity if t not in ds.taxes or ds.taxes.index(t) not in with_base]
    if s.sequestration is not None:
        warnings += [f"{scenario_file}: sequestration.protected names function '{f}', which has no needs in the dataset"
                     for f in s.sequestration.protected if f not in ds.functions]
    if s.actual_shock is not None:
        warnings += [f"{scenario_file}: actual_shock tax '{t}' has no receipts in the dataset" for t in s.actual_shock.taxes if t not in ds.taxes]
    if (s.sequestration or s.borrowing) and ds.receipts_actual is None and s.revision is None and s.actual_shock is None:
        warnings.append(f"{scenario_file}: sequestration and borrowing act on the actual and revised tracks; this run has neither")
    if unused:
        warnings.append(f"{scenario_file}: child_shares of units without a budget in this scenario are not used: {', '.join(unused)}")
    split = [t for t in s.regulated if s.share(t, "district") + s.share(t, "rural") > 0]
    if s.option == 4 and split:  # §3.3.2: an enterprise split cannot be carried down to the districts
        warnings.append(f"{scenario_file}: option 4 splits {', '.join(split)} by enterprise, and such a split cannot be made between "
                        "districts (§3.3.2): the district and rural shares of these taxes apply to the regional payers' receipts "
                        "booked on each territory, a territorial split, not an enterprise split")
    if ds.coefficients.unit.size and not h.has_budget[ds.coefficients.unit].all():
        warnings.append(f"{scenario_file}: coefficients of units without a budget in this scenario are ignored")
    return warnings


def scenario_taxes(ds: Dataset, s: Scenario) -> list[str]:
    """The dataset's taxes, then taxes the scenario names that have no receipts (they still bound shares)."""
    extra = [t for t in list(s.sharing) + list(s.sharing_base or {}) + s.regulated + list(s.capacity) if t not in ds.taxes]
    return list(ds.taxes) + list(dict.fromkeys(extra))


def counted_columns(n_taxes: int, taxes_mask: np.ndarray, payers: tuple[int, ...]) -> np.ndarray:
    """A (1, 2, n_taxes) 0/1 table selecting the given taxes of the given payers."""
    sel = np.zeros((1, 2, n_taxes))
    for p in payers:
        sel[0, p, taxes_mask] = 1.0
    return sel


def _subtree_receipts(h: Hierarchy, grid: ReceiptGrid, lvl: int, units: np.ndarray, select: np.ndarray) -> np.ndarray:
    """(units, years): selected receipts booked at each of `units` (all at level `lvl`) or below."""
    w = grid.take(select, np.zeros(h.n, dtype=np.int32))
    pos = np.full(h.n, -1, dtype=np.int64)
    pos[units] = np.arange(units.size)
    anc = h.anc[lvl][grid.key_unit]
    r = np.where(anc >= 0, pos[np.maximum(anc, 0)], -1)
    ok = r >= 0
    n = units.size
    return np.bincount(r[ok] * grid.ny + grid.key_year[ok], weights=w[ok], minlength=n * grid.ny).reshape(n, grid.ny)


@dataclass
class _Context:
    s: Scenario
    h: Hierarchy
    taxes: list[str]
    grid: ReceiptGrid
    needs: np.ndarray
    scenario_file: str

    @property
    def regulated(self) -> np.ndarray:
        return np.array([t in self.s.regulated for t in self.taxes], dtype=bool)

    @property
    def payers(self) -> tuple[int, ...]:
        """Payers whose regulated receipts count: option 4 shares regional payers only."""
        return (REGIONAL,) if self.s.option == 4 else (REGIONAL, BASE)

    def gaps(self, model: ShareModel) -> np.ndarray:
        rev = revenue(self.h, self.grid, model.tables(self.h))
        return close_gaps(self.needs, rev, self.h.b_level, self.h.b_parent, self.s.withdrawal_rate).gap

    def computed(self, model: ShareModel, lvl: int, units: np.ndarray, cap: np.ndarray, rule: str) -> ComputedShares:
        """The no-withdrawal share of `units` at `lvl`, from gaps under `model` (their regulated share 0)."""
        h = self.h
        g0 = self.gaps(model)[h.budget_index_of_unit[units]]
        q = _subtree_receipts(h, self.grid, lvl, units, counted_columns(len(self.taxes), self.regulated, self.payers))
        share = no_withdrawal_share(g0, q, cap)
        return ComputedShares(LEVELS[lvl], units, g0, q, np.broadcast_to(np.asarray(cap, float), share.shape).copy(),
                              share, list(self.s.regulated), rule)


def _region_shares(c: _Context, model: ShareModel) -> tuple[ShareModel, ComputedShares]:
    h, s = c.h, c.s
    regions = np.flatnonzero((h.level == REGION) & h.has_budget).astype(np.int32)
    zero = with_region_rows(model, h, regions, np.zeros(regions.size), c.regulated, c.payers, s.option)
    # cap = 1 - the largest sum of district and rural shares among the regulated taxes (METHOD.md: `sharing`)
    lower = max((s.share(t, "district") + s.share(t, "rural") for t in s.regulated), default=0.0)
    cs = c.computed(zero, REGION, regions, np.full(regions.size, 1.0 - lower), f"option {s.option}")
    if s.region_shares is not None:  # official shares (e.g. optimized) replace the computed ones
        given = np.array([s.region_shares.get(h.codes[u], np.nan) for u in regions.tolist()])
        missing = [h.codes[u] for u, g in zip(regions.tolist(), given) if np.isnan(g)]
        above = [h.codes[u] for u, g in zip(regions.tolist(), given) if g > 1.0 - lower + SHARE_TOLERANCE]
        if missing or above:
            raise InterbudgetError(Problem(c.scenario_file, (f"no share for region(s) {', '.join(missing)}" if missing else "")
                                           + ("; " if missing and above else "")
                                           + (f"share above the cap {1.0 - lower:g} for {', '.join(above)}" if above else ""),
                                           column="region_shares"))
        cs.share, cs.rule = given, f"option {s.option}, given"
    return with_region_rows(model, h, regions, cs.share, c.regulated, c.payers, s.option), cs


def _methods(s: Scenario, h: Hierarchy, tier: int, units: np.ndarray) -> np.ndarray:
    """The method of each child unit, by its region (a map falls back to M3)."""
    m = s.district_method if tier == DISTRICT else s.rural_method
    if isinstance(m, str):
        return np.full(units.size, m, dtype=object)
    region_method = np.full(h.n, "M3", dtype=object)
    idx = h.unit_index()
    for code, method in m.items():
        region_method[idx[code]] = method
    reg = h.anc[REGION][units]
    return np.where(reg >= 0, region_method[np.maximum(reg, 0)], "M3")


def _child_shares(c: _Context, model: ShareModel, tier: int) -> tuple[ShareModel, list[ComputedShares]]:
    """Child-specific splits at one tier (METHOD.md district methods M1, M2, M4)."""
    h, s = c.h, c.s
    kids = (h.level == tier) & h.has_budget
    if tier == DISTRICT:  # the region→district tier exists where the region has a budget
        reg = h.anc[REGION]
        kids &= (reg >= 0) & h.has_budget[np.maximum(reg, 0)]
    units = np.flatnonzero(kids).astype(np.int32)
    methods = _methods(s, h, tier, units)
    split = methods != "M3"
    units, methods = units[split], methods[split]
    if units.size == 0:
        return model, []
    parent = model.parent_part(h, tier, units)  # what the parent level holds before the split
    default = np.broadcast_to(model.child_default(tier), parent.shape)
    lp = parent + default  # the local part
    d = default.copy()
    m1, m2, m4 = (methods == "M1"), (methods == "M2"), (methods == "M4")
    if m1.any():
        d[m1] = 0.0  # a tax or a child missing from the table gives 0
        pos = {u: i for i, u in enumerate(units.tolist())}
        tax_idx = {t: k for k, t in enumerate(c.taxes)}
        unit_of = h.unit_index()
        problems = []
        for code, shares in s.child_shares.items():  # a loop over the table, not over units
            i = pos.get(unit_of.get(code, -1))
            if i is None or not m1[i]:
                continue
            for tax, v in shares.items():
                if tax not in tax_idx:
                    continue
                k = tax_idx[tax]
                for p in c.payers:  # option 4: base payers carry no share at any level
                    d[i, p, k] = v
                    if v > lp[i, p, k] + SHARE_TOLERANCE:
                        what = "the region's share + the district share" if tier == DISTRICT else "the district's share + the rural share"
                        problems.append(Problem(c.scenario_file, f"share {v:g} of '{tax}' for '{code}' is above the local part "
                                                f"{lp[i, p, k]:g} ({what}{', base payers' if p == BASE else ''})",
                                                column=f"child_shares.{code}.{tax}"))
        if problems:
            raise InterbudgetError(problems)
    d[m4] = lp[m4]  # M4: the whole local part to the child
    if m2.any():  # provisional: no regulated share for the M2 children
        sel = np.ix_(np.flatnonzero(m2), list(c.payers), np.flatnonzero(c.regulated))
        d[sel] = 0.0

    def child(d: np.ndarray) -> ChildShares:
        keep = np.where(d == default, parent, lp - d)  # exact where the split is the scenario's own
        keep[m4] = 0.0
        return ChildShares(tier, units, methods.tolist(), d.copy(), keep)

    attr = "tier1" if tier == DISTRICT else "tier2"
    model = replace(model, **{attr: child(d)})
    computed = []
    if m2.any():
        # bound: the smallest local part among the regulated taxes (METHOD.md M2; local parts from `sharing`)
        lp_reg = lp[np.ix_(np.flatnonzero(m2), [REGIONAL], np.flatnonzero(c.regulated))]
        cap = lp_reg.reshape(lp_reg.shape[0], -1).min(axis=1) if lp_reg.size else np.zeros(int(m2.sum()))
        cs = c.computed(model, tier, units[m2], cap, "M2")
        d[sel] = cs.share[:, None, None]
        model = replace(model, **{attr: child(d)})
        computed.append(cs)
    return model, computed


def capacity_receipts(ds: Dataset, s: Scenario, rec: Receipts, taxes: list[str]) -> Receipts:
    """Receipts with each capacity tax replaced by base x standard rate at the same units
    (concept §1.6: transfers fixed on capacity, so extra collection stays with the budget)."""
    cap = np.zeros(len(taxes))
    on = np.zeros(len(taxes), dtype=bool)
    for t, r in s.capacity.items():
        k = taxes.index(t)
        cap[k], on[k] = r.rate, True
    b = ds.bases
    keep = ~on[rec.tax]
    sel = on[b.tax]
    return Receipts(np.concatenate([rec.unit[keep], b.unit[sel]]), np.concatenate([rec.year[keep], b.year[sel]]),
                    np.concatenate([rec.tax[keep], b.tax[sel]]),
                    np.concatenate([rec.payer[keep], np.zeros(int(sel.sum()), dtype=rec.payer.dtype)]),
                    np.concatenate([rec.amount[keep], b.base[sel] * cap[b.tax[sel]]]))


def _shares(c: _Context) -> tuple[ShareModel, list[ComputedShares], dict[int, LevelShares]]:
    """Set every share: the scenario's, then the computed ones, top down."""
    model = scenario_model(c.s, c.h, c.taxes)
    computed: list[ComputedShares] = []
    if c.s.option in (2, 4):
        model, cs = _region_shares(c, model)
        computed.append(cs)
    for tier in (DISTRICT, RURAL):
        model, more = _child_shares(c, model, tier)
        computed += more
    return model, computed, model.tables(c.h)


@dataclass
class ProgramFunding:
    """Category 2 of targeted subventions: the pool's allocation to development programs."""

    rows: list[dict]  # per program and year: program, code, year, cost, score, funded, capped
    by_budget: np.ndarray  # (n_budgets, n_years) funded programs
    envelope: list[dict] = field(default_factory=list)  # category 2 under an envelope: per region and year


def fund_programs(ds: Dataset, s: Scenario, h: Hierarchy, years: list[int]) -> ProgramFunding:
    by_budget = np.zeros((h.nb, len(years)))
    rows: list[dict] = []
    envelope: list[dict] = []
    p = ds.programs
    if s.transfer_model != "targeted" or p is None:
        return ProgramFunding(rows, by_budget)
    cfg = s.targeted
    for k, y in enumerate(years):
        sel = np.flatnonzero(p.year == y)
        if sel.size == 0:
            continue
        names = [p.program[i] for i in sel.tolist()]
        order_key = np.argsort(np.argsort(np.array(names, dtype=object)))  # ties broken by program id
        env = s.envelope if s.envelope is not None and s.envelope.applies_to == "category2" else None
        if env is None:
            alloc = allocate_pool(p.cost[sel], p.score[sel], order_key, p.unit[sel], cfg.pool_for(y) if cfg else 0.0,
                                  cfg.region_cap if cfg else None)
        else:  # the envelope is shared between regions by their programs' cost, with guarantees; then by priority inside
            regions, inv = np.unique(p.unit[sel], return_inverse=True)
            last, lo, hi = _guarantees(ds, env, "category2", regions)
            res = distribute(np.bincount(inv, weights=p.cost[sel]), float(env.for_year("total", y)), lo, hi,
                             env.for_year("scale", y), what=f"category 2 envelope {y}")
            funded = np.zeros(sel.size)
            capped = np.zeros(sel.size, dtype=bool)
            for r in range(regions.size):  # a loop over regions (20), each a small priority queue
                mine = np.flatnonzero(inv == r)
                a = allocate_pool(p.cost[sel][mine], p.score[sel][mine], order_key[mine], inv[mine], float(res.allocation[r]), None)
                funded[mine], capped[mine] = a.funded, a.capped
                envelope.append({"year": y, "code": h.codes[regions[r]], "need": float(np.bincount(inv, weights=p.cost[sel])[r]),
                                 "last": float(last[r]), "floor": float(lo[r]), "ceiling": float(hi[r]),
                                 "allocated": float(res.allocation[r]), "bound": BOUND_NAMES[int(res.bound[r])], "scale": res.scale})
            alloc = Allocation(funded, capped)
        np.add.at(by_budget[:, k], h.budget_index_of_unit[p.unit[sel]], alloc.funded)
        rows += [{"program": names[j], "code": h.codes[p.unit[i]], "year": y, "cost": float(p.cost[i]), "score": float(p.score[i]),
                  "funded": float(alloc.funded[j]), "capped": bool(alloc.capped[j])} for j, i in enumerate(sel.tolist())]
    return ProgramFunding(rows, by_budget, envelope)


def fix_transfers(c: _Context, items: NeedItems, basis: np.ndarray, programs: ProgramFunding) -> tuple[Transfers, Coverage | None]:
    """Subventions and withdrawals on a basis revenue: general (METHOD.md step 2) or targeted (§3.3.3)."""
    h, s = c.h, c.s
    if s.transfer_model == "targeted":
        nb, ny = basis.shape
        mand, basic, addl = (items.totals(nb, ny, priority=p) for p in range(3))
        return close_gaps_targeted(mand, basic, addl, basis, programs.by_budget, h.b_level, h.b_parent, s.withdrawal_rate)
    return close_gaps(c.needs, basis, h.b_level, h.b_parent, s.withdrawal_rate), None


@dataclass
class EnvelopeRows:
    rows: list[dict] = field(default_factory=list)  # per region and year: need, last, floor, ceiling, allocated, bound, scale


BOUND_NAMES = {AT_FLOOR: "floor", SCALED: "scaled", AT_CEILING: "ceiling"}


def _guarantees(ds: Dataset, env, kind: str, units: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Last period's amounts and the floors and ceilings they give (0 and inf where none)."""
    last = ds.last_transfers[kind][units] if ds.last_transfers is not None else np.full(units.size, np.nan)
    has = ~np.isnan(last)
    lo = np.where(has & (env.floor is not None), np.nan_to_num(last) * (env.floor or 0.0), 0.0)
    hi = np.where(has & (env.ceiling is not None), np.nan_to_num(last) * (env.ceiling or 0.0), np.inf)
    return last, lo, hi


def envelope_general(ds: Dataset, s: Scenario, h: Hierarchy, years: list[int], tr: Transfers, category2: np.ndarray,
                     record: EnvelopeRows | None) -> Transfers:
    """Replace the regions' need-based subventions by a fixed envelope with guarantees."""
    env = s.envelope
    regions = np.flatnonzero((h.level == REGION) & h.has_budget).astype(np.int32)
    b = h.budget_index_of_unit[regions]
    last, lo, hi = _guarantees(ds, env, "general", regions)
    subvention = tr.subvention.copy()
    for k, y in enumerate(years):
        need = subvention[b, k] - category2[b, k]
        inside = ((need > 0) | (~np.isnan(last) & (lo > 0))) & (tr.withdrawal[b, k] == 0)  # donors stay donors
        res = distribute(need[inside], float(env.for_year("total", y)), lo[inside], hi[inside], env.for_year("scale", y),
                         what=f"envelope {y}")
        subvention[b[inside], k] = res.allocation + category2[b[inside], k]
        if record is not None:
            for j, u in enumerate(regions[inside].tolist()):
                record.rows.append({"year": y, "code": h.codes[u], "need": float(need[inside][j]), "last": float(last[inside][j]),
                                    "floor": float(res.lo[j]), "ceiling": float(res.hi[j]), "allocated": float(res.allocation[j]),
                                    "bound": BOUND_NAMES[int(res.bound[j])], "scale": res.scale})
    return with_subventions(tr, subvention, h.b_parent)


def mandate_costs(ds: Dataset, m, h: Hierarchy, years: list[int]) -> np.ndarray:
    """(n_budgets, n_years): what a mandate costs each budget of its level from its first year."""
    cost = np.zeros((h.nb, len(years)))
    on = np.array([y >= m.from_year for y in years])
    if ds.mandate_costs is not None and m.name in ds.mandate_costs:
        unit, year, amount = ds.mandate_costs[m.name]
        for k, y in enumerate(years):
            sel = (year == y) & on[k]
            np.add.at(cost[:, k], h.budget_of[unit[sel]], amount[sel])
    else:
        b = np.flatnonzero(h.b_level == LEVELS.index(m.level))
        cost[np.ix_(b, np.flatnonzero(on))] = (m.per_capita * h.population[h.budget_units[b]])[:, None]
    return cost


def apply_mandates(ds: Dataset, s: Scenario, h: Hierarchy, years: list[int], tr: Transfers, spending: np.ndarray,
                   revenue_: np.ndarray, record: list | None) -> tuple[Transfers, np.ndarray]:
    """Mandates decided after the amounts were fixed (§3.3.1): new needs; compensated ones raise the
    subventions down from the decider; the others are flagged where the budget cannot pay them."""
    spending = spending.copy()
    subvention = tr.subvention.copy()
    costs = []
    for m in s.mandates:
        cost = mandate_costs(ds, m, h, years)
        spending += cost
        if m.compensate:
            subvention += pass_down(cost, h.b_level, h.b_parent, LEVELS.index(m.decided_by))
        costs.append(cost)
    out = with_subventions(tr, subvention, h.b_parent)
    after = balance(spending, revenue_, out)
    if record is not None:
        for m, cost in zip(s.mandates, costs):
            for b, k in zip(*np.nonzero(cost)):
                unfunded = 0.0 if m.compensate else float(min(cost[b, k], max(0.0, -after[b, k])))
                record.append({"mandate": m.name, "code": h.b_codes[b], "year": years[k], "decided_by": m.decided_by,
                               "cost": float(cost[b, k]), "compensated": m.compensate, "unfunded": unfunded})
    return out, spending


def run(ds: Dataset, s: Scenario, scenario_file: str = "scenario", allow_unknown_taxes: bool = False) -> Result:
    ds = ds.with_needs_basis(s.needs_basis, scenario_file)  # the scenario's needs basis (docs/METHOD.md)
    warnings = ds.warnings + check_compatible(ds, s, scenario_file, allow_unknown_taxes)
    h = scenario_hierarchy(ds, s)
    mask = base_mask(ds, s, scenario_file)
    years = list(s.years)
    ny = len(years)
    taxes = scenario_taxes(ds, s)
    items = need_items(ds, years, h)
    loans, refi = debt_loans(ds, s, h, years)
    if loans is not None:  # debt service is a mandatory need of the borrowing budget, on every track
        items = items.plus(debt_rules.service_items(loans, years, ds.functions.index("debt_service")))
    programs = fund_programs(ds, s, h, years)
    needs = items.totals(h.nb, ny)
    spending = needs + programs.by_budget  # funded programs are spent by the region that gets them

    def grid_of(rec: Receipts) -> ReceiptGrid:
        if not s.capacity:
            return rec.grid(years, h.n, len(taxes), mask)
        return ReceiptGrid.build(capacity_receipts(ds, s, rec.classify(mask), taxes), years, h.n, len(taxes))

    c = _Context(s, h, taxes, grid_of(ds.receipts), needs, scenario_file)
    model, computed, tables = _shares(c)
    envelope = EnvelopeRows() if s.envelope is not None else None
    mandates: list[dict] = []

    def fixed(name: str, rec: Receipts, basis_grid: ReceiptGrid, pos: list[int], record: bool):
        """A track whose amounts are fixed on `rec`: transfers, the envelope, then the mandates decided after."""
        basis = revenue(h, basis_grid, tables)
        tr, coverage = fix_transfers(c, items, basis, programs)
        if s.envelope is not None and s.envelope.applies_to == "general":
            tr = envelope_general(ds, s, h, years, tr, programs.by_budget, envelope if record else None)
        rev = revenue(h, rec.grid(years, h.n, len(taxes), mask), tables) if s.capacity else basis
        spent = spending
        if s.mandates:
            tr, spent = apply_mandates(ds, s, h, years, tr, spending, rev, mandates if record else None)
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
    if s.revision is not None:  # from `from_year` on, the amounts are fixed again on the new projections; shares stay
        pos = [k for k, y in enumerate(years) if y >= s.revision.from_year]
        revised = fixed("revised", ds.receipts_revised, grid_of(ds.receipts_revised), pos, False)[0]
    if envelope is not None and s.envelope.applies_to == "category2":
        envelope.rows = programs.envelope
    dr = None
    if loans is not None or s.sequestration is not None or s.borrowing is not None:
        dr = DebtRun(loans, refi, None)
        others = shortfalls(ds, s, h, years, items, spent, plan, [t for t in (actual, revised) if t is not None], dr)
        actual, revised = (others.pop(0) if actual is not None else None), (others.pop(0) if revised is not None else None)
    return Result(s, ds, h, years, taxes, spent, items, model, tables, tr, plan, actual, computed, warnings, revised, mask,
                  coverage, programs, envelope, mandates, areceipts if s.actual_shock is not None else None, dr)
