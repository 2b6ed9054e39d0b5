"""Region-specific shares of the regulated taxes (METHOD.md options 2 and 4;
concept §3.3.2): one share per region, fixed for the medium term, chosen so
that no withdrawal is needed in any year."""
from __future__ import annotations

import numpy as np


def no_withdrawal_share(g0: np.ndarray, q: np.ndarray, cap: float | np.ndarray) -> np.ndarray:
    """s_c = clamp(min over years with Q_c(y) > 0 of G0_c(y) / Q_c(y), 0, cap).

    g0, q: (n, years). A unit with no year of positive Q gets 0 (METHOD.md says
    so for Q = 0 in every year; a base that only shrinks gets nothing either).
    """
    pos = q > 0
    ratio = np.where(pos, g0 / np.where(pos, q, 1.0), np.inf)
    s = ratio.min(axis=1)
    s = np.where(pos.any(axis=1), s, 0.0)
    return np.clip(s, 0.0, cap)
