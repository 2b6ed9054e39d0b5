"""What a scenario runs on: its tree, its base payers and its taxes (METHOD.md; concept §3.4, §3.3.2).

The tree has fourth-level budgets as the scenario says (§3.4: rural budgets, or programmes of the
district budget instead); the base enterprises are the scenario's payer categories, else payers.csv's
(option 4 sends them to the republic); the taxes are the dataset's, then those the scenario names with
no receipts (they still bound shares).
"""
from __future__ import annotations

import numpy as np

from ..errors import InterbudgetError, Problem
from ..hierarchy import RURAL, Hierarchy
from ..scenario import Scenario


def scenario_hierarchy(h: Hierarchy, s: Scenario) -> Hierarchy:
    """The dataset's tree, with or without fourth-level budgets as the scenario says (§3.4)."""
    own = False if s.rural_programmes else s.rural_budgets  # §3.4: programmes of the district budget instead
    if own is None:
        return h
    rural = h.level == RURAL
    return h.with_budgets(np.where(rural, own, h.has_budget))


def base_mask(payer_names: list[str], payer_is_base: np.ndarray, s: Scenario, scenario_file: str) -> np.ndarray:
    """Which payer categories are base enterprises: the scenario's list, else payers.csv."""
    if s.base_payers is None:
        return payer_is_base
    unknown = [p for p in s.base_payers if p not in payer_names]
    if unknown:
        raise InterbudgetError(Problem(scenario_file, f"unknown payer categor{'y' if len(unknown) == 1 else 'ies'} "
                                       f"{', '.join(unknown)} (known: {', '.join(payer_names)})", column="base_payers"))
    mask = np.array([p in s.base_payers for p in payer_names])
    mask[:2] = [False, True]  # the classes of METHOD.md keep their meaning
    return mask


def scenario_taxes(dataset_taxes: list[str], s: Scenario) -> list[str]:
    """The dataset's taxes, then taxes the scenario names that have no receipts (they still bound shares)."""
    extra = [t for t in list(s.sharing) + list(s.sharing_base or {}) + s.regulated + list(s.capacity) if t not in dataset_taxes]
    return list(dataset_taxes) + list(dict.fromkeys(extra))
