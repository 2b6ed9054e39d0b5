"""A budget's transfer status (§3.3.2, §3.3.3): subvention, donor or neither — one rule for every output.

A subvention or withdrawal below half a tiyn (0.000005 thousand tenge) is no transfer: floating-point
residues of a gap that is zero by construction must not make a budget a subvention or donor budget.
"""
from __future__ import annotations

from typing import overload

import numpy as np

HALF_TIYN = 0.000005  # thousand tenge: half of the smallest coin (1 tiyn = 0.01 tenge)
STATUSES = ("subvention", "donor", "neutral")


@overload
def no_residue(amount: float) -> float: ...
@overload
def no_residue(amount: np.ndarray) -> np.ndarray: ...
def no_residue(amount: float | np.ndarray) -> float | np.ndarray:
    """AMOUNT with every |value| below half a tiyn set to 0 (scalars and arrays alike)."""
    a = np.asarray(amount, dtype=float)
    cleaned = np.where(np.abs(a) < HALF_TIYN, 0.0, a)
    return float(cleaned) if cleaned.ndim == 0 else cleaned


def budget_status(s: float, w: float) -> str:
    """subvention, donor or neutral, from the subvention received and the withdrawal paid."""
    return "subvention" if s >= HALF_TIYN else "donor" if w >= HALF_TIYN else "neutral"


def statuses(s: np.ndarray, w: np.ndarray) -> np.ndarray:
    """budget_status over arrays of subventions and withdrawals."""
    s, w = np.asarray(s, dtype=float), np.asarray(w, dtype=float)
    return np.where(s >= HALF_TIYN, "subvention", np.where(w >= HALF_TIYN, "donor", "neutral"))
