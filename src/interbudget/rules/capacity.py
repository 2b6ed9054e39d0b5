"""The capacity basis (docs/METHOD.md "Capacity"; concept §1.6).

Transfers are fixed on revenue capacity, not on what was collected, so that extra collection stays with
the budget: each capacity tax's receipts are replaced by its base (bases.csv) x the scenario's standard
rate, booked at the same units.
"""
from __future__ import annotations

import numpy as np

from ..dataset import Bases, Receipts
from ..scenario import Scenario
from .provenance import Stamp

STAMP = Stamp("capacity", "§1.6", "capacity.{tax}.rate", "base (bases.csv) x standard rate")


def capacity_receipts(bases: Bases, s: Scenario, rec: Receipts, taxes: list[str]) -> Receipts:
    """Receipts with each capacity tax replaced by base x standard rate at the same units
    (concept §1.6: transfers fixed on capacity, so extra collection stays with the budget)."""
    cap = np.zeros(len(taxes))
    on = np.zeros(len(taxes), dtype=bool)
    for t, r in s.capacity.items():
        k = taxes.index(t)
        cap[k], on[k] = r.rate, True
    b = bases
    keep = ~on[rec.tax]
    sel = on[b.tax]
    return Receipts(np.concatenate([rec.unit[keep], b.unit[sel]]), np.concatenate([rec.year[keep], b.year[sel]]),
                    np.concatenate([rec.tax[keep], b.tax[sel]]),
                    np.concatenate([rec.payer[keep], np.zeros(int(sel.sum()), dtype=rec.payer.dtype)]),
                    np.concatenate([rec.amount[keep], b.base[sel] * cap[b.tax[sel]]]))
