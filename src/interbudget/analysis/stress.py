"""Stress tests: Monte Carlo over correlated shocks to receipts (concept §3.3.2, the risk of option 3).

Within the medium term the amounts are fixed, so a shock to receipts stays in
the balances. Revenue is linear in receipts, so each budget's revenue is
sum over shock groups (region x tax) of factor_g x contribution_g: the
contributions are computed once, the draws are a matrix product.

factor(region k, tax t) = exp(elasticity_t x oil + common + regional_k + growth):
oil ~ N(0, oil_sd) (log price; elasticities from taxes.csv, per region from
oil_elasticity.csv where the dataset has it), common ~ N(0,
common_sd) shared by every region, regional_k ~ N(0, region_sd), growth a
constant log drift. Seeded; zero variances give the deterministic run.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..engine import Result
from ..hierarchy import LEVELS, REGION
from ..rules.sharing import SHARED_LEVELS
from .table import Table


@dataclass
class Shocks:
    draws: int = 10_000
    seed: int = 1
    oil_sd: float = 0.25
    common_sd: float = 0.03
    region_sd: float = 0.05
    growth: float = 0.0
    chunk: int = 1_000


def oil_elasticity(res: Result) -> np.ndarray:
    """(n_regions + 1, n_taxes): each tax's oil elasticity in each region (last row: receipts booked at the republic);
    taxes.csv's value per tax, replaced by oil_elasticity.csv's per region and tax."""
    h, ds = res.hierarchy, res.dataset
    regions = np.flatnonzero(h.level == REGION)
    per_tax = np.array([ds.oil_elasticity.get(t, 0.0) for t in res.taxes])
    e = np.repeat(per_tax[None, :], regions.size + 1, axis=0)
    if ds.oil_elasticity_regions is not None:
        unit, tax, value = ds.oil_elasticity_regions
        pos = np.full(h.n, -1)
        pos[regions] = np.arange(regions.size)
        e[pos[unit], tax] = value
    return e


def contributions(res: Result) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """C (n_budgets * n_years, groups): revenue each budget gets from each (region, tax) group, plan receipts;
    and per group its region position (-1: the republic itself) and tax."""
    h, ds = res.hierarchy, res.dataset
    assert res.base_mask is not None  # engine.run always sets it
    rec, yi = ds.receipts.classify(res.base_mask).select_years(res.years)
    ny, nt = len(res.years), len(res.taxes)
    regions = np.flatnonzero(h.level == REGION)
    pos = np.full(h.n, -1)
    pos[regions] = np.arange(regions.size)
    anc = h.anc[REGION][rec.unit]
    reg = np.where(anc >= 0, pos[np.maximum(anc, 0)], regions.size)  # the last group row: booked at the republic
    group = reg.astype(np.int64) * nt + rec.tax
    n_groups = (regions.size + 1) * nt
    size = h.nb * ny * n_groups
    c = np.zeros(size)
    given = np.zeros(rec.amount.size)
    for lvl in SHARED_LEVELS:
        frac = res.tables[lvl].fractions(rec)
        given += frac
        tgt = h.share_target(lvl)[rec.unit].astype(np.int64)
        c += np.bincount((tgt * ny + yi) * n_groups + group, weights=rec.amount * frac, minlength=size)
    c += np.bincount((h.b_republic * ny + yi) * n_groups + group, weights=rec.amount * (1 - given), minlength=size)
    g_region = np.repeat(np.arange(regions.size + 1), nt)
    g_region[g_region == regions.size] = -1
    return c.reshape(h.nb * ny, n_groups), g_region, np.tile(np.arange(nt), regions.size + 1)


STRESS_COLUMNS = ("level", "year", "budgets", "p_any_deficit", "mean_budgets_in_deficit", "expected_deficit", "balance_p5",
                  "balance_p50", "balance_p95", "deterministic_balance")


@dataclass(frozen=True)
class Stress:
    """A stress test's result: `levels` has one row per level and year with the columns STRESS_COLUMNS —
    budgets; p_any_deficit (share of draws with some budget of the level in deficit); mean_budgets_in_deficit;
    expected_deficit (mean over draws of the level's deficits, thousand tenge); balance_p5, balance_p50,
    balance_p95 (quantiles of the level's total balance over draws); deterministic_balance (the plan's)."""

    scenario: str
    draws: int
    seed: int
    years: tuple[int, ...]
    levels: Table

    def to_dict(self) -> dict:
        """The layout of stress.json: per level, each column as a list over the years."""
        out: dict = {"scenario": self.scenario, "draws": self.draws, "seed": self.seed, "years": list(self.years), "levels": []}
        lv = self.levels
        for level in dict.fromkeys(lv["level"].tolist()):
            m = lv["level"] == level

            def col(k: str, m: npt.NDArray[np.bool_] = m) -> list[Any]:
                return lv[k][m].tolist()

            out["levels"].append({"level": level, "p_any_deficit": col("p_any_deficit"),
                                  "mean_budgets_in_deficit": col("mean_budgets_in_deficit"), "budgets": int(lv["budgets"][m][0]),
                                  "expected_deficit": col("expected_deficit"), "balance_p5": col("balance_p5"),
                                  "balance_p50": col("balance_p50"), "balance_p95": col("balance_p95"),
                                  "deterministic_balance": col("deterministic_balance")})
        return out


def stress(res: Result, shocks: Shocks) -> Stress:
    """Monte Carlo of SHOCKS on RES's receipts, the medium-term amounts fixed: a `Stress` (one row per level and year)."""
    h, tr = res.hierarchy, res.transfers
    ny = len(res.years)
    c, g_region, g_tax = contributions(res)
    elasticity = oil_elasticity(res)[g_region, g_tax]  # g_region -1: the republic's row, the last
    n_regions = int(g_region.max()) + 1
    fixed = (tr.subvention - tr.withdrawal - tr.subventions_paid + tr.withdrawals_received - res.needs).reshape(-1)
    # one stream per kind of shock: the draws do not depend on how they are chunked
    rng_oil, rng_common, rng_region = np.random.default_rng(shocks.seed).spawn(3)
    levels = [lvl for lvl in range(4) if (h.b_level == lvl).any()]
    # an indicator (budget-years x level-years) turns per-budget results into per-level sums by a matrix product
    ind = np.zeros((h.nb * ny, len(levels) * ny))
    cols = np.searchsorted(levels, h.b_level)[:, None] * ny + np.arange(ny)[None, :]
    ind[np.arange(h.nb * ny), cols.reshape(-1)] = 1.0
    c_level = c.T @ ind  # (groups, level-years)
    fixed_level = fixed @ ind
    deficit_chunks: list[np.ndarray] = []
    any_def_chunks: list[np.ndarray] = []
    balance_chunks: list[np.ndarray] = []
    done = 0
    while done < shocks.draws:
        d = min(shocks.chunk, shocks.draws - done)
        oil = rng_oil.normal(0.0, shocks.oil_sd, d) if shocks.oil_sd else np.zeros(d)
        common = rng_common.normal(0.0, shocks.common_sd, d) if shocks.common_sd else np.zeros(d)
        regional = rng_region.normal(0.0, shocks.region_sd, (d, n_regions)) if shocks.region_sd else np.zeros((d, n_regions))
        regional = np.concatenate([regional, np.zeros((d, 1))], axis=1)[:, g_region]  # the republic's own receipts: no regional shock
        factor = np.exp(oil[:, None] * elasticity[None, :] + common[:, None] + regional + shocks.growth)
        neg = np.minimum(factor @ c.T + fixed[None, :], 0.0)  # (draws, budget-years): deficits only
        deficit_chunks.append(-(neg @ ind))
        any_def_chunks.append((neg < -1e-6) @ ind)  # how many budgets of each level are in deficit
        balance_chunks.append(factor @ c_level + fixed_level[None, :])
        done += d
    deficits, any_def, balances = (np.concatenate(x).reshape(-1, len(levels), ny)
                                   for x in (deficit_chunks, any_def_chunks, balance_chunks))
    columns: dict[str, list[Any]] = {c: [] for c in STRESS_COLUMNS}
    for i, lvl in enumerate(levels):
        defs, anyd, bals = deficits[:, i], any_def[:, i], balances[:, i]
        per_year = {"p_any_deficit": (anyd > 0).mean(axis=0), "mean_budgets_in_deficit": anyd.mean(axis=0),
                    "expected_deficit": defs.mean(axis=0), "balance_p5": np.quantile(bals, 0.05, axis=0),
                    "balance_p50": np.quantile(bals, 0.5, axis=0), "balance_p95": np.quantile(bals, 0.95, axis=0),
                    "deterministic_balance": res.plan.balance[h.b_level == lvl].sum(axis=0)}
        columns["level"] += [LEVELS[lvl]] * ny
        columns["year"] += list(res.years)
        columns["budgets"] += [int((h.b_level == lvl).sum())] * ny
        for k, v in per_year.items():
            columns[k] += [float(x) for x in v]
    return Stress(res.scenario.name, shocks.draws, shocks.seed, tuple(res.years),
                  Table({k: np.array(v, dtype=object if k == "level" else None) for k, v in columns.items()}))
