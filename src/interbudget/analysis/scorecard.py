"""The scorecard: every advantage and drawback the concept names for the four options, measured (§3.3.2).

One row per scenario, year, level, code and indicator (`code` empty for a level's total). Each
indicator is defined exactly in docs/METHOD.md ("Scorecard"); `section` names the concept's argument
it measures. Statuses come from the one rule (rules/status.py), never from a test of their own.
`scorecard` returns an analysis.table.Table of COLUMNS.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..engine import Result
from ..hierarchy import LEVELS, REGION
from ..rules.sharing import scenario_model
from ..rules.status import no_residue, statuses
from .metrics import retention, stability
from .stress import Shocks, contributions, oil_elasticity
from .table import Table

COLUMNS = ["scenario", "year", "level", "code", "indicator", "value", "unit", "section"]
# the concept's arguments (§3.3.2), in the order the scorecard shows them; i18n/scorecard.*.yaml has their words
SECTIONS = ("withdrawals_remain", "hidden_withdrawal", "many_norms", "price_risk", "local_responsibility", "incentive",
            "stability", "enterprise_split")
INDICATORS = {  # indicator: (section, unit)
    "subvention_budgets": ("withdrawals_remain", "budgets"), "withdrawal_budgets": ("withdrawals_remain", "budgets"),
    "subventions": ("withdrawals_remain", "thousand tenge"), "withdrawals": ("withdrawals_remain", "thousand tenge"),
    "hidden_withdrawal": ("hidden_withdrawal", "thousand tenge"),
    "distinct_norms": ("many_norms", "norms"), "norm_spread": ("many_norms", "share"),
    "fixed_transfers_share_of_republic_revenue": ("price_risk", "ratio"),
    "republic_shortfall_oil_p5": ("price_risk", "thousand tenge"), "local_shortfall_oil_p5": ("price_risk", "thousand tenge"),
    "own_revenue_share": ("local_responsibility", "ratio"),
    "retention_this_year": ("incentive", "tenge per tenge"), "retention_after_reset": ("incentive", "tenge per tenge"),
    "year_to_year_change": ("stability", "ratio"),
    "enterprise_split_taxes": ("enterprise_split", "taxes"), "district_split_possible": ("enterprise_split", "1 yes / 0 no"),
}


def _row(res: Result, year: int, level: str, code: str, indicator: str, value: float) -> dict:
    section, unit = INDICATORS[indicator]
    return {"scenario": res.scenario.name, "year": int(year), "level": level, "code": code, "indicator": indicator,
            "value": float(value) + 0.0, "unit": unit, "section": section}


def _local_levels(res: Result) -> list[int]:
    h = res.hierarchy
    return [lvl for lvl in range(1, len(LEVELS)) if (h.b_level == lvl).any()]


def transfer_counts(res: Result) -> list[dict]:
    """subvention_budgets, withdrawal_budgets, subventions, withdrawals per level and year (plan)."""
    h, tr = res.hierarchy, res.transfers
    st = statuses(tr.subvention, tr.withdrawal)
    rows = []
    for lvl in _local_levels(res):
        b = h.b_level == lvl
        for k, y in enumerate(res.years):
            rows += [_row(res, y, LEVELS[lvl], "", "subvention_budgets", (st[b, k] == "subvention").sum()),
                     _row(res, y, LEVELS[lvl], "", "withdrawal_budgets", (st[b, k] == "donor").sum()),
                     _row(res, y, LEVELS[lvl], "", "subventions", tr.subvention[b, k].sum()),
                     _row(res, y, LEVELS[lvl], "", "withdrawals", tr.withdrawal[b, k].sum())]
    return rows


def hidden_withdrawal_array(res: Result) -> tuple[np.ndarray, np.ndarray]:
    """(region units, (regions, years)): HW = max(0, K − S). K: the regulated-tax receipts booked on the region's
    territory that the republic keeps beyond what the scenario's own `sharing` table (option 1, no computed
    shares) would leave it; S: the subvention the region's budget receives from the republic that year."""
    h, s = res.hierarchy, res.scenario
    regions = np.flatnonzero((h.level == REGION) & h.has_budget)
    ny = len(res.years)
    assert res.base_mask is not None  # engine.run always sets it
    rec, yi = res.dataset.receipts.classify(res.base_mask).select_years(res.years)
    law = scenario_model(s.model_copy(update={"option": 1}), h, res.taxes).tables(h)
    local_option = sum(res.tables[lvl].fractions(rec) for lvl in res.tables)
    local_law = sum(law[lvl].fractions(rec) for lvl in law)
    regulated = np.array([t in s.regulated for t in res.taxes], dtype=bool)[rec.tax]
    extra = np.where(regulated, (local_law - local_option) * rec.amount, 0.0)
    pos = np.full(h.n, -1)
    pos[regions] = np.arange(regions.size)
    anc = h.anc[REGION][rec.unit]
    r = np.where(anc >= 0, pos[np.maximum(anc, 0)], -1)
    ok = r >= 0
    kept = np.bincount(r[ok] * ny + yi[ok], weights=extra[ok], minlength=regions.size * ny).reshape(regions.size, ny)
    subvention = res.transfers.subvention[h.budget_index_of_unit[regions]]
    return regions, no_residue(np.maximum(kept - subvention, 0.0))  # below half a tiyn: nothing kept


def hidden_withdrawal(res: Result) -> list[dict]:
    h = res.hierarchy
    regions, hw = hidden_withdrawal_array(res)
    rows = []
    for k, y in enumerate(res.years):
        rows.append(_row(res, y, "region", "", "hidden_withdrawal", hw[:, k].sum()))
        rows += [_row(res, y, "region", h.codes[u], "hidden_withdrawal", hw[i, k]) for i, u in enumerate(regions.tolist())]
    return rows


def norms(res: Result) -> list[dict]:
    """distinct_norms, norm_spread: the shares of the regulated taxes (regional payers) each budget of a level gets."""
    h, s = res.hierarchy, res.scenario
    reg = [k for k, t in enumerate(res.taxes) if t in s.regulated]
    rows: list[dict] = []
    if not reg:
        return rows
    for lvl in _local_levels(res):
        units = h.budget_units[h.b_level == lvl]
        t = res.tables[lvl]
        v = np.round(t.table[t.row_of_unit[units]][:, 0, :][:, reg], 9)  # (budgets, regulated taxes); payer class 0: regional
        distinct = max(np.unique(v[:, j]).size for j in range(len(reg)))  # per tax, the most of any regulated tax
        spread = float((v.max(axis=0) - v.min(axis=0)).max())
        for y in res.years:
            rows += [_row(res, y, LEVELS[lvl], "", "distinct_norms", distinct), _row(res, y, LEVELS[lvl], "", "norm_spread", spread)]
    return rows


def fixed_transfers_share(res: Result) -> list[dict]:
    h, tr = res.hierarchy, res.transfers
    rep = h.b_republic
    rows = []
    for k, y in enumerate(res.years):
        rev = res.plan.revenue[rep, k]
        rows.append(_row(res, y, "republic", "", "fixed_transfers_share_of_republic_revenue",
                         tr.subventions_paid[rep, k] / rev if rev else float("nan")))
    return rows


def oil_shortfall(res: Result, shocks: Shocks) -> dict[str, np.ndarray]:
    """(draws, years) shortfall of revenue against the plan under the stress test's oil shock alone (amounts fixed, so
    the balance falls by as much): the republic's, and that of all local budgets together."""
    h = res.hierarchy
    ny = len(res.years)
    c, g_region, g_tax = contributions(res)
    e = oil_elasticity(res)[g_region, g_tax]
    c = c.reshape(h.nb, ny, -1)
    rep, local = c[h.b_republic], c[h.b_level > 0].sum(axis=0)  # (years, groups)
    rng_oil = np.random.default_rng(shocks.seed).spawn(3)[0]  # the stress test's oil stream: the same draws
    out = {"republic": np.zeros((0, ny)), "local": np.zeros((0, ny))}
    done = 0
    while done < shocks.draws:
        d = min(shocks.chunk, shocks.draws - done)
        oil = rng_oil.normal(0.0, shocks.oil_sd, d) if shocks.oil_sd else np.zeros(d)
        loss = 1.0 - np.exp(oil[:, None] * e[None, :])  # (draws, groups): the fraction of each group's revenue lost
        out = {"republic": np.concatenate([out["republic"], loss @ rep.T]), "local": np.concatenate([out["local"], loss @ local.T])}
        done += d
    return out


def shortfall_p5(res: Result, shocks: Shocks) -> list[dict]:
    """The shortfall against the plan exceeded in 5% of the draws (the 95th percentile of the shortfall, i.e. the
    5th percentile of the revenue change)."""
    sf = oil_shortfall(res, shocks)
    rows = []
    for k, y in enumerate(res.years):
        rows.append(_row(res, y, "republic", "", "republic_shortfall_oil_p5", np.quantile(sf["republic"][:, k], 0.95)))
        rows.append(_row(res, y, "local", "", "local_shortfall_oil_p5", np.quantile(sf["local"][:, k], 0.95)))
    return rows


def own_revenue_share(res: Result) -> list[dict]:
    """Σ min(R, N) / Σ N over a level's budgets: the part of its spending a level finances from its own revenue."""
    h = res.hierarchy
    rows = []
    for lvl in _local_levels(res):
        b = h.b_level == lvl
        for k, y in enumerate(res.years):
            n, r = res.needs[b, k], res.plan.revenue[b, k]
            rows.append(_row(res, y, LEVELS[lvl], "", "own_revenue_share", np.minimum(r, n).sum() / n.sum() if n.sum() else float("nan")))
    return rows


def incentive(res: Result, scenario_file: str) -> list[dict]:
    rows = []
    ret = retention(res, scenario_file)
    for k, y in enumerate(res.years):
        for key, ind in (("this_year", "retention_this_year"), ("after_reset", "retention_after_reset")):
            if ret:
                rows.append(_row(res, y, "region", "", ind, np.mean([r[key][k] for r in ret])))
            rows += [_row(res, y, "region", r["code"], ind, r[key][k]) for r in ret]
    return rows


def year_to_year(res: Result) -> list[dict]:
    rows = []
    for st in stability(res):
        for k, v in enumerate(st.get("net_transfer_change", [])):
            rows.append(_row(res, res.years[k + 1], st["level"], "", "year_to_year_change", v))
    return rows


def enterprise_split(res: Result) -> list[dict]:
    """Option 4 only: how many taxes are split by enterprise, and whether a district split is possible (§3.3.2: no)."""
    s = res.scenario
    if not s.base_payers_to_republic:
        return []
    n = sum(t in s.regulated for t in res.taxes)
    return [r for y in res.years for r in (_row(res, y, "republic", "", "enterprise_split_taxes", n),
                                           _row(res, y, "district", "", "district_split_possible", 0))]


def scorecard(res: Result, scenario_file: str = "scenario", shocks: Shocks | None = None, with_retention: bool = True) -> Table:
    """Every indicator of one run, in the order of SECTIONS: a Table of COLUMNS (scenario, year, level, code — empty
    for a level's total —, indicator, value, unit, section), one row each. Iterating it gives the rows as dicts."""
    shocks = shocks or Shocks()
    rows = (transfer_counts(res) + hidden_withdrawal(res) + norms(res) + fixed_transfers_share(res) + shortfall_p5(res, shocks)
            + own_revenue_share(res) + (incentive(res, scenario_file) if with_retention else []) + year_to_year(res)
            + enterprise_split(res))
    rows = [r for r in rows if r["value"] == r["value"]]  # an undefined ratio (nothing to divide by) has no row
    order = {s: i for i, s in enumerate(SECTIONS)}
    return Table.from_rows(sorted(rows, key=lambda r: order[r["section"]]), COLUMNS)  # stable: inside a section the order above


def side_by_side(rows: Iterable[dict]) -> tuple[list[str], list[dict]]:
    """Scenarios as columns: one row per (year, level, code, indicator) with the value of each scenario (ROWS: the rows
    of one or more scorecards)."""
    rows = list(rows)
    names = list(dict.fromkeys(r["scenario"] for r in rows))
    table: dict[tuple, dict] = {}
    for r in rows:
        key = (r["section"], r["indicator"], r["level"], r["code"], r["year"])
        row = table.setdefault(key, {k: r[k] for k in ("section", "indicator", "level", "code", "year", "unit")})
        row[r["scenario"]] = r["value"]
    order = {s: i for i, s in enumerate(SECTIONS)}
    ind = {k: i for i, k in enumerate(INDICATORS)}
    keys = sorted(table, key=lambda k: (order[k[0]], ind[k[1]], k[2], k[3] != "", k[3], k[4]))
    return names, [table[k] for k in keys]
