"""The public Python API (re-exported by `interbudget`): load a dataset and a scenario, run, get tables.

    import interbudget as ib
    ds = ib.load_dataset("bundled:data/kz")
    law = ib.load_scenario("bundled:scenarios/current-law.yaml")
    res = ib.run(ds, law.with_changes({"option": 2}))
    res.frame()          # one row per budget and year: code, name, level, region, ..., balance, status

Every bad input raises `InterbudgetError`, whose `problems` name the file, the row or key and the problem.
"""
from __future__ import annotations

from pathlib import Path

from . import bundled
from .dataset import Dataset, load_dataset as _load_dataset
from .engine import Result, run as _run
from .scenario import Scenario, load_scenario as _load_scenario


def load_dataset(folder: str | Path, allow_duplicates: bool = False) -> Dataset:
    """The dataset in FOLDER (docs/METHOD.md's files, CSV or Parquet; `bundled:data/kz` for a shipped one), every
    file checked; all problems are raised together. `allow_duplicates` keeps rows repeated exactly (said in
    `Dataset.warnings`) instead of refusing them."""
    return _load_dataset(bundled.resolve(folder), allow_duplicates=allow_duplicates)


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
