"""A run's figures as one tidy table: a row per budget and year of a track, for notebooks (`Result.frame`).

Built from the result's arrays in numpy (no loop over budgets) as an Arrow table (core dependencies only);
`Result.frame` hands it to pandas. The status is the project's one transfer-status rule (rules/status.py).
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from .errors import InterbudgetError
from .hierarchy import LEVELS
from .rules.status import statuses

#: the columns of `Result.frame`, in order (amounts in thousand tenge)
FRAME_COLUMNS = ["code", "name", "level", "region", "year", "population", "needs", "revenue", "subvention_received",
                 "withdrawal_paid", "subventions_paid", "withdrawals_received", "balance", "status"]


def _names(h, units: np.ndarray, lang: str) -> np.ndarray:
    """The name of each unit in LANG, falling back as Hierarchy.name does (en, ru, kk, then the code)."""
    out = np.asarray(h.codes[units], dtype=object).copy()
    missing = np.ones(units.size, dtype=bool)
    for lg in (lang, "en", "ru", "kk"):
        col = h.names.get(lg)
        if col is None or not missing.any():
            continue
        vals = np.asarray(col.take(units).to_pylist() if hasattr(col, "take") else [col[int(u)] for u in units], dtype=object)
        have = missing & np.array([bool(v) for v in vals], dtype=bool)
        out[have] = vals[have]
        missing &= ~have
    return out


def result_table(res, track: str = "plan", lang: str = "en") -> pa.Table:
    """An Arrow table with FRAME_COLUMNS: one row per budget and year of TRACK (plan, actual or revised),
    budgets ordered by level and code as in budgets.csv; `region` is the code of the region the budget belongs
    to ("" for the republic), `population` that of the budget's territory."""
    tracks = {t.name: t for t in res.tracks}
    if track not in tracks:
        raise InterbudgetError(f"track '{track}' is not in this result: choose {', '.join(tracks)}")
    if lang not in ("kk", "ru", "en"):
        raise InterbudgetError(f"unknown language '{lang}': choose kk, ru or en")
    t = tracks[track]
    h = res.hierarchy
    order = np.lexsort((h.b_codes.astype(str), h.b_level))
    pos = np.asarray(t.year_pos, dtype=np.int64)
    b, y = np.repeat(order, pos.size), np.tile(pos, order.size)
    units = h.budget_units[b]
    region_unit = h.b_region_unit[b]
    tr = t.transfers

    def col(a: np.ndarray) -> np.ndarray:
        return a[b, y] + 0.0  # + 0.0 turns -0.0 into 0.0

    return pa.table({
        "code": pa.array(h.b_codes[b].astype(str)),
        "name": pa.array(_names(h, units, lang), pa.string()),
        "level": pa.array(np.asarray(LEVELS, dtype=object)[h.b_level[b]], pa.string()),
        "region": pa.array(np.where(region_unit >= 0, h.codes[np.maximum(region_unit, 0)], "").astype(str)),
        "year": np.asarray(res.years, dtype=np.int64)[y],
        "population": h.population[units],
        "needs": col(res.needs),
        "revenue": col(t.revenue),
        "subvention_received": col(tr.subvention),
        "withdrawal_paid": col(tr.withdrawal),
        "subventions_paid": col(tr.subventions_paid),
        "withdrawals_received": col(tr.withdrawals_received),
        "balance": col(t.balance),
        "status": pa.array(statuses(col(tr.subvention), col(tr.withdrawal))),
    })


def result_frame(res, track: str = "plan", lang: str = "en"):
    """`result_table` as a pandas DataFrame (pandas is not a core dependency: a clear error without it)."""
    try:
        import pandas as pd  # noqa: F401 -- only whether it is installed
    except ImportError:
        raise InterbudgetError("Result.frame needs pandas (pip install pandas); Result.table gives the same as an Arrow "
                               "table") from None
    return result_table(res, track, lang).to_pandas()
