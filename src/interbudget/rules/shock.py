"""A shock on the actual track (concept §1: fixed amounts must survive a bad year): for the scenario's shock
years the actual receipts are the plan's, each multiplied by (1 + the change of its tax) x (1 + the change of
its payer category) — an oil-price fall hits the oil and gas enterprises' receipts and the oil-linked taxes.
Other years keep receipts_actual.csv. The changes are the scenario's (illustrative unless it cites a source)."""
from __future__ import annotations

import numpy as np

from ..dataset import Receipts


def shocked_receipts(plan: Receipts, actual: Receipts | None, years: list[int], tax_change: np.ndarray,
                     payer_change: np.ndarray) -> Receipts:
    """tax_change: per tax index, payer_change: per payer category (fractions, -0.3 for a 30 % fall)."""
    on = np.isin(plan.year, years)
    f = (1.0 + tax_change[plan.tax[on]]) * (1.0 + payer_change[plan.payer[on]])
    parts = [(plan.unit[on], plan.year[on], plan.tax[on], plan.payer[on], plan.amount[on] * f)]
    if actual is not None:
        keep = ~np.isin(actual.year, years)
        parts.append((actual.unit[keep], actual.year[keep], actual.tax[keep], actual.payer[keep], actual.amount[keep]))
    cols = [np.concatenate([p[i] for p in parts]) for i in range(5)]
    return Receipts(cols[0].astype(plan.unit.dtype), cols[1].astype(plan.year.dtype), cols[2].astype(plan.tax.dtype),
                    cols[3].astype(plan.payer.dtype), cols[4])
