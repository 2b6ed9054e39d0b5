"""The public Python API (re-exported by `interbudget`): load a dataset and a scenario, run, get tables.

    import interbudget as ib
    ds = ib.load_dataset("bundled:data/kz")
    law = ib.load_scenario("bundled:scenarios/current-law.yaml")
    res = ib.run(ds, law.with_changes({"option": 2}))
    res.frame()          # one row per budget and year: code, name, level, region, ..., balance, status
    ib.metrics(res).regions.to_pandas()   # the analyses return tables: metrics, compare, scorecard, stress

Every bad input raises `InterbudgetError`, whose `problems` name the file, the row or key and the problem.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from . import bundled
from .dataset import Dataset, load_dataset as _load_dataset
from .engine import Result, run as _run
from .scenario import Scenario, load_scenario as _load_scenario

if TYPE_CHECKING:
    from .analysis.compare_table import Comparison
    from .analysis.metrics_table import Metrics
    from .analysis.stress import Stress
    from .analysis.table import Table


def load_dataset(folder: str | Path, allow_duplicates: bool = False, needs_basis: str | None = None) -> Dataset:
    """The dataset in FOLDER (docs/METHOD.md's files, CSV or Parquet; `bundled:data/kz` for a shipped one), every
    file checked; all problems are raised together. `allow_duplicates` keeps rows repeated exactly (said in
    `Dataset.warnings`) instead of refusing them. `needs_basis` (observed, law or normative) reads only that basis's
    needs file, for runs of scenarios on that basis; asking the dataset for another basis is then an error."""
    return _load_dataset(bundled.resolve(folder), allow_duplicates=allow_duplicates, needs_basis=needs_basis)


def load_scenario(path: str | Path) -> Scenario:
    """The scenario of a YAML file after `extends:` (`bundled:scenarios/NAME.yaml` for a shipped one); frozen:
    change it with `Scenario.with_changes`."""
    return _load_scenario(bundled.resolve(path))[0]


def run(dataset: Dataset | str | Path, scenario: Scenario | str | Path, allow_unknown_taxes: bool = False) -> Result:
    """SCENARIO run on DATASET (either may be given as a path): plan, actual and revised tracks with every
    intermediate kept. `Result.frame(track=...)` is the tidy table, `Result.warnings` what was accepted.
    A tax the dataset does not know is an error unless `allow_unknown_taxes`."""
    source = Path(scenario).name if isinstance(scenario, (str, Path)) else scenario.name
    ds = dataset if isinstance(dataset, Dataset) else load_dataset(dataset)
    s = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    return _run(ds, s, source, allow_unknown_taxes=allow_unknown_taxes)


# ---- the analyses (concept §3.3.2): each returns tables (analysis/table.py), never formatted text ----------------
def _year_pos(result: Result, year: int | None) -> int:
    from .errors import InterbudgetError

    if year is None:
        return 0
    if year not in result.years:
        raise InterbudgetError(f"scenario '{result.scenario.name}' has no year {year} (its years: {result.years})")
    return result.years.index(year)


def metrics(result: Result, year: int | None = None, with_retention: bool = True) -> Metrics:
    """The metrics of RESULT in YEAR (default: its first): a `Metrics` record of tables — `capacity` (units, when,
    mean, gini, cv, theil, max_min), `levels`, `stability`, `actual_gap`, `retention`, `oil_exposure`, `regions`
    (columns in its docstring). `with_retention=False` skips the retention re-runs (one per region).
    `.to_dict()` is metrics.json."""
    from .analysis.metrics import metrics as _metrics

    return _metrics(result, _year_pos(result, year), result.scenario.name, with_retention=with_retention)


def compare(results: list[Result], year: int | None = None) -> Comparison:
    """Current law, a draft and amendments (RESULTS, in that order) in YEAR (default: the first's first year):
    a `Comparison` with `regions` (one row per region and scenario: net_transfer, capacity_after, change,
    change_per_capita_tenge against the first) and `pairs` (each with `rows` per budget, `transitions`,
    `bands` by population). `.to_dict()` is compare.json."""
    from .analysis.compare import compare as _compare

    return _compare(results, results[0].years[0] if year is None else year)


def scorecard(result: Result, draws: int = 10_000, seed: int = 1, oil_sd: float = 0.25, with_retention: bool = True) -> Table:
    """Every indicator of the scorecard (docs/METHOD.md "Scorecard") for RESULT: a Table with the columns scenario,
    year, level, code (empty for a level's total), indicator, value, unit, section; the oil shock as
    `interbudget scorecard` draws it (DRAWS, SEED, OIL_SD)."""
    from .analysis.scorecard import scorecard as _scorecard
    from .analysis.stress import Shocks

    shocks = Shocks(draws=draws, seed=seed, oil_sd=oil_sd, common_sd=0.0, region_sd=0.0)
    return _scorecard(result, result.scenario.name, shocks, with_retention=with_retention)


def stress(result: Result, draws: int = 10_000, seed: int = 1, oil_sd: float = 0.25, common_sd: float = 0.03,
           region_sd: float = 0.05, growth: float = 0.0) -> Stress:
    """Monte Carlo over correlated shocks to RESULT's receipts with the medium-term amounts fixed (`interbudget
    stress`'s options): a `Stress` whose `levels` table has one row per level and year (budgets, p_any_deficit,
    mean_budgets_in_deficit, expected_deficit, balance_p5, balance_p50, balance_p95, deterministic_balance).
    `.to_dict()` is one result of stress.json."""
    from .analysis.stress import Shocks, stress as _stress

    return _stress(result, Shocks(draws, seed, oil_sd, common_sd, region_sd, growth))
