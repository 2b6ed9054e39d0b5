"""Region-specific shares of the regulated taxes (METHOD.md options 2 and 4; concept §3.3.2).

One share per region, fixed for the medium term: computed as the no-withdrawal share with every lower
tier at M3 (rules/share_context.py), or given by the scenario (`region_shares`, e.g. optimized), which is
then checked against the same cap: 1 - the largest sum of district and rural shares among the regulated
taxes.
"""
from __future__ import annotations

import numpy as np

from ..errors import InterbudgetError, Problem
from ..hierarchy import REGION
from .provenance import Stamp
from .share_context import SHARE_TOLERANCE, ComputedShares, ShareContext
from .sharing import ShareModel, with_region_rows


def region_stamp(option: int, given: bool) -> Stamp:
    """Provenance of a region-specific share: computed under the option, or the scenario's own."""
    return Stamp(f"option {option}", "§3.3.2", "region_shares.{code}" if given else "option",
                 "region-specific share (shares.csv)", kind="region_share_given" if given else "region_share_computed")


def region_shares(c: ShareContext, model: ShareModel) -> tuple[ShareModel, ComputedShares]:
    """Fix the region-level share of every region with a budget; the table row says which rule set it."""
    h, s = c.h, c.s
    regions = np.flatnonzero((h.level == REGION) & h.has_budget).astype(np.int32)
    computed = region_stamp(s.option, given=False)
    zero = with_region_rows(model, h, regions, np.zeros(regions.size), c.regulated, c.payers, computed)
    # cap = 1 - the largest sum of district and rural shares among the regulated taxes (METHOD.md: `sharing`)
    lower = max((s.share(t, "district") + s.share(t, "rural") for t in s.regulated), default=0.0)
    cs = c.computed(zero, REGION, regions, np.full(regions.size, 1.0 - lower), computed)
    if s.region_shares is not None:  # official shares (e.g. optimized) replace the computed ones
        given = np.array([s.region_shares.get(h.codes[u], np.nan) for u in regions.tolist()])
        missing = [h.codes[u] for u, g in zip(regions.tolist(), given, strict=True) if np.isnan(g)]
        above = [h.codes[u] for u, g in zip(regions.tolist(), given, strict=True) if g > 1.0 - lower + SHARE_TOLERANCE]
        if missing or above:
            raise InterbudgetError(Problem(c.scenario_file, (f"no share for region(s) {', '.join(missing)}" if missing else "")
                                           + ("; " if missing and above else "")
                                           + (f"share above the cap {1.0 - lower:g} for {', '.join(above)}" if above else ""),
                                           column="region_shares"))
        cs.share, cs.rule, cs.stamp = given, f"option {s.option}, given", region_stamp(s.option, given=True)
    return with_region_rows(model, h, regions, cs.share, c.regulated, c.payers, cs.stamp), cs
