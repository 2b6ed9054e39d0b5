"""The general envelope and its guarantees (docs/METHOD.md "Envelope"; concept §3.3.3).

The regions' need-based subventions are replaced by a fixed envelope distributed by need
(rules/envelope.py), each region held between a floor and a ceiling relative to last period's amount
(last_transfers.csv); donors stay donors. Category 2 under an envelope (rules/programmes.py) uses the
same guarantees.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..hierarchy import REGION, Hierarchy
from ..scenario import Envelope
from .envelope import AT_CEILING, AT_FLOOR, SCALED, distribute
from .provenance import Stamp
from .transfers import Transfers, with_subventions

BOUND_NAMES = {AT_FLOOR: "floor", SCALED: "scaled", AT_CEILING: "ceiling"}
STAMP = Stamp("envelope", "§3.3.3", "envelope", "a fixed envelope distributed by need, with floors and ceilings")


@dataclass
class EnvelopeRows:
    rows: list[dict[str, Any]] = field(default_factory=list)  # per region and year: need, last, floor, ceiling, allocated, bound, scale
    stamp: Stamp = STAMP


def guarantees(last_transfers: dict[str, np.ndarray] | None, env: Envelope, kind: str,
               units: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Last period's amounts and the floors and ceilings they give (0 and inf where none)."""
    last = last_transfers[kind][units] if last_transfers is not None else np.full(units.size, np.nan)
    has = ~np.isnan(last)
    lo = np.where(has & (env.floor is not None), np.nan_to_num(last) * (env.floor or 0.0), 0.0)
    hi = np.where(has & (env.ceiling is not None), np.nan_to_num(last) * (env.ceiling or 0.0), np.inf)
    return last, lo, hi


def envelope_general(last_transfers: dict[str, np.ndarray] | None, env: Envelope, h: Hierarchy, years: list[int],
                     tr: Transfers, category2: np.ndarray, record: EnvelopeRows | None) -> Transfers:
    """Replace the regions' need-based subventions by a fixed envelope with guarantees."""
    regions = np.flatnonzero((h.level == REGION) & h.has_budget).astype(np.int32)
    b = h.budget_index_of_unit[regions]
    last, lo, hi = guarantees(last_transfers, env, "general", regions)
    subvention = tr.subvention.copy()
    for k, y in enumerate(years):
        need = subvention[b, k] - category2[b, k]
        inside = ((need > 0) | (~np.isnan(last) & (lo > 0))) & (tr.withdrawal[b, k] == 0)  # donors stay donors
        res = distribute(need[inside], float(env.for_year("total", y) or 0.0), lo[inside], hi[inside], env.for_year("scale", y),
                         what=f"envelope {y}")
        subvention[b[inside], k] = res.allocation + category2[b[inside], k]
        if record is not None:
            for j, u in enumerate(regions[inside].tolist()):  # rows of envelope.csv: one per region (20)
                record.rows.append({"year": y, "code": h.codes[u], "need": float(need[inside][j]), "last": float(last[inside][j]),
                                    "floor": float(res.lo[j]), "ceiling": float(res.hi[j]), "allocated": float(res.allocation[j]),
                                    "bound": BOUND_NAMES[int(res.bound[j])], "scale": res.scale})
    return with_subventions(tr, subvention, h.b_parent)
