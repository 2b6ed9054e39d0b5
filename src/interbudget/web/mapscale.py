"""What the dashboard's map shows, on a fixed scale: every figure is turned into a ratio whose
meaning does not depend on the units drawn, and coloured by fixed breaks, so Kyzylorda's districts and the
regions of the republic share one legend.

- need per person, own revenue per person: the territory's figure per person over the NATIONAL average of all
  budgets of the same level (1.0 = the national average of that level);
- capacity before / after transfers: the territory's revenue (before / after its transfers with the level above)
  per unit of its need (1.0 = revenue covers need), as in the dashboard's table;
- net transfer per person: the budget's subvention less its withdrawal per person, over the national average need
  per person of its level (0 = no transfer; 0.2 = it receives a fifth of an average person's need).

A region-limited viewer of a draft sees no national aggregate (web/projection.py): its averages are those of its
own region's budgets of the level.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine import Result
from .charts import territory

METRICS = ("capacity_before", "capacity_after", "net_pp", "need_pp", "revenue_pp")
DEFAULT = "capacity_before"
# ratio scales: 1.0 (the average, revenue = need) in the middle class; the breaks are symmetric in log terms
RATIO_BREAKS = (0.5, 0.75, 0.9, 1.1, 1.33, 2.0)
NET_BREAKS = (-0.5, -0.2, -0.05, 0.05, 0.2, 0.5)
# ColorBrewer diverging 7-class palettes: BrBG for ratios (below / above the middle), RdBu for flows (pays / receives)
RATIO_COLOURS = ("#8c510a", "#d8b365", "#f6e8c3", "#f5f5f5", "#c7eae5", "#5ab4ac", "#01665e")
NET_COLOURS = ("#b2182b", "#ef8a62", "#fddbc7", "#f7f7f7", "#d1e5f0", "#67a9cf", "#2166ac")
KIND = {"capacity_before": "capacity", "capacity_after": "capacity", "net_pp": "net", "need_pp": "average",
        "revenue_pp": "average"}


@dataclass(frozen=True)
class Scale:
    """Fixed class breaks (len(colours) - 1 of them, ascending), the colours and a sentence per class."""
    metric: str
    breaks: tuple[float, ...]
    colours: tuple[str, ...]
    words: tuple[str, ...]
    title: str

    def classes(self, ratio: np.ndarray) -> np.ndarray:
        """Class 0..len(colours)-1 of each finite ratio (a ratio on a break belongs to the class above), -1 for NaN."""
        r = np.asarray(ratio, dtype=float)
        out = np.searchsorted(np.asarray(self.breaks), r, side="right")
        return np.where(np.isfinite(r), out, -1)


def scale(metric: str, t: dict) -> Scale:
    """The scale of METRIC with its words in the catalogue T (catalog(lang)['charts'])."""
    kind = KIND[metric]
    net = kind == "net"
    return Scale(metric, NET_BREAKS if net else RATIO_BREAKS, NET_COLOURS if net else RATIO_COLOURS,
                 tuple(t["legend"][kind]), t["metrics"][metric])


def values(res: Result, k: int, lvl: int, metric: str, allowed: np.ndarray | None = None) -> dict[str, tuple[float, float]]:
    """Code -> (figure, ratio) of METRIC for every budget of level LVL (ALLOWED: a mask over those budgets, for the
    averages and the codes given). The figure is tenge per person or, for capacity, the ratio itself."""
    d = territory(res, k, lvl)
    m = np.ones(d["b"].size, dtype=bool) if allowed is None else allowed
    pop, need, rev = d["population"], d["needs"], d["revenue"]
    net = d["subvention"] - d["withdrawal"]
    with np.errstate(divide="ignore", invalid="ignore"):
        per = lambda x: np.where(pop > 0, x * 1000.0 / pop, np.nan)  # noqa: E731
        total_pop = pop[m].sum()
        avg_need = need[m].sum() * 1000.0 / total_pop if total_pop > 0 else np.nan
        if metric == "capacity_before":
            fig = np.where(need > 0, rev / need, np.nan)
            ratio = fig
        elif metric == "capacity_after":
            fig = np.where(need > 0, (rev + net) / need, np.nan)
            ratio = fig
        elif metric == "net_pp":
            fig = per(net)
            ratio = fig / avg_need
        elif metric == "need_pp":
            fig = per(need)
            ratio = fig / avg_need
        elif metric == "revenue_pp":
            fig = per(rev)
            avg = rev[m].sum() * 1000.0 / total_pop if total_pop > 0 else np.nan
            ratio = fig / avg
        else:
            raise ValueError(f"unknown map metric '{metric}'")
    codes = d["codes"][m].tolist()
    return {c: (float(f), float(r)) for c, f, r in zip(codes, fig[m].tolist(), ratio[m].tolist(), strict=True)}
