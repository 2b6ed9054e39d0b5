"""A track of a run (METHOD.md "Tracks"): the plan, the actual receipts against the plan's fixed amounts,
or a revision fixed again on new projections (concept §1.6: amounts fixed for the medium term)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .transfers import Transfers


@dataclass
class Track:
    name: str  # "plan", "actual" or "revised"
    year_pos: list[int]  # positions in the scenario's years that this track covers
    revenue: np.ndarray  # (n_budgets, n_years of the scenario)
    balance: np.ndarray
    transfers: Transfers  # the fixed amounts this track keeps
    basis: np.ndarray  # the revenue the transfers were fixed on (capacity, or the revenue itself)
    needs: np.ndarray | None = None  # this track's own needs (after sequestration cuts); None: the result's
