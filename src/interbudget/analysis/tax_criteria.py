"""The seven criteria for assigning a tax to a level (concept §3.3.2).

Each criterion gives a score in [0, 1] meaning "how strongly it pulls the tax
up to the centre": stability (cyclical receipts go up), evenness of the base
(an uneven base goes up), social fairness (redistributive taxes go up),
mobility of the base (mobile bases go up), tax exporting (a tax borne by
outsiders must not be local), efficiency (a level should keep what its own
effort raises: pulls down) and benefit correspondence (a fee goes to the
budget that pays for the service: pulls down). Stability and evenness come
from the data where it can say them; the others from documented expert
scores (`tax_criteria.csv`), each score labeled with where it came from.
"""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from ..dataset import Dataset
from ..errors import InterbudgetError, Problem
from ..hierarchy import REGION
from .inequality import weighted_stats

CRITERIA = ("stability", "evenness", "fairness", "mobility", "exporting", "efficiency", "benefit")
PULLS_DOWN = {"efficiency", "benefit"}
# the weighted pull (-1 down .. +1 up) mapped to a level
THRESHOLDS = ((0.2, "republic"), (-0.2, "region"), (-0.5, "district"), (-1.01, "rural"))
MIN_CRITERIA = 4  # fewer scores than this: not assessed (e.g. non-tax receipts)


def read_expert(path: Path) -> dict[str, dict[str, dict]]:
    """tax_criteria.csv: tax, criterion, score (0-1), basis (expert / source), rationale."""
    out: dict[str, dict[str, dict]] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh), start=2):
            try:
                score = float(row["score"])
            except (KeyError, ValueError):
                raise InterbudgetError(Problem(path.name, f"score '{row.get('score')}' is not a number", f"line {i}", "score")) from None
            if row.get("criterion") not in CRITERIA:
                raise InterbudgetError(Problem(path.name, f"unknown criterion '{row.get('criterion')}': one of {', '.join(CRITERIA)}",
                                               f"line {i}", "criterion"))
            if not 0 <= score <= 1:
                raise InterbudgetError(Problem(path.name, f"score {score:g} is outside [0, 1]", f"line {i}", "score"))
            out.setdefault(row["tax"], {})[row["criterion"]] = {"score": score, "basis": row.get("basis") or "expert",
                                                                "rationale": row.get("rationale") or ""}
    return out


def data_scores(ds: Dataset) -> dict[str, dict[str, dict]]:
    """Stability from the oil elasticity and the year-to-year swing of receipts; evenness from the Gini of
    receipts per person across regions; both from the real regional series where tax_series.csv has the tax."""
    h, rec = ds.hierarchy, ds.receipts
    regions = np.flatnonzero(h.level == REGION)
    pos = np.full(h.n, -1)
    pos[regions] = np.arange(regions.size)
    anc = h.anc[REGION][rec.unit]
    reg = np.where(anc >= 0, pos[np.maximum(anc, 0)], -1)
    years = sorted(rec.years())
    out = {}
    for k, tax in enumerate(ds.taxes):
        sel = rec.tax == k
        per_year = np.array([rec.amount[sel & (rec.year == y)].sum() for y in years])
        growth = np.diff(per_year) / np.where(per_year[:-1] != 0, np.abs(per_year[:-1]), 1.0) if len(years) > 1 else np.zeros(0)
        swing = float(np.std(growth)) if growth.size > 1 else 0.0
        elasticity = ds.oil_elasticity.get(tax, 0.0)
        scores = {"stability": {"score": float(min(1.0, abs(elasticity) + 5 * swing)), "basis": "data",
                                "rationale": f"oil elasticity {elasticity:g}, swing of yearly growth {swing:.3f}"}}
        real = series_scores(ds, tax, elasticity)
        if real:
            scores.update(real)
            out[tax] = scores
            continue
        mine = sel & (reg >= 0)
        if mine.any():
            per_region = np.bincount(reg[mine], weights=rec.amount[mine], minlength=regions.size)
            pop = h.population[regions]
            gini = weighted_stats(np.divide(per_region, pop, out=np.zeros_like(per_region), where=pop > 0), pop)["gini"]
            scores["evenness"] = {"score": float(min(1.0, max(0.0, gini) * 2)), "basis": "data",
                                  "rationale": f"Gini of receipts per person across regions {gini:.3f}"}
        out[tax] = scores
    return out


def series_scores(ds: Dataset, tax: str, elasticity: float) -> dict[str, dict]:
    """Stability and evenness from the real regional series of `tax` (tax_series.csv): the swing is the spread
    across regions of the year-on-year growth (consecutive years a region has both, the common trend taken out);
    evenness is the Gini of receipts per person across the regions of the latest year."""
    ts, h = ds.tax_series, ds.hierarchy
    if ts is None:
        return {}
    mine = np.array([t == tax for t in ts.tax], dtype=bool) & (ts.unit >= 0)
    mine &= h.level[np.maximum(ts.unit, 0)] == REGION
    if not mine.any():
        return {}
    unit, year, amount = ts.unit[mine], ts.year[mine], ts.amount[mine]
    key = {(int(u), int(y)): float(a) for u, y, a in zip(unit, year, amount, strict=True)}  # a few hundred rows
    growth = np.array([a / key[u, y - 1] - 1 for (u, y), a in key.items() if key.get((u, y - 1), 0.0) > 0])
    out = {}
    if growth.size > 1:
        swing = float(np.std(growth))
        years = sorted({int(y) for y in year})
        out["stability"] = {"score": float(min(1.0, abs(elasticity) + 5 * swing)), "basis": "data",
                            "rationale": f"oil elasticity {elasticity:g}, tax_series.csv: spread across regions of yearly growth {swing:.3f} "
                                         f"({growth.size} region-years, {years[0]}-{years[-1]})"}
    last = int(year.max())
    sel = year == last
    pop = h.population[unit[sel]]
    gini = weighted_stats(np.divide(amount[sel], pop, out=np.zeros(int(sel.sum())), where=pop > 0), pop)["gini"]
    out["evenness"] = {"score": float(min(1.0, max(0.0, gini) * 2)), "basis": "data",
                       "rationale": f"tax_series.csv: Gini of receipts per person across {int(sel.sum())} regions in {last}: {gini:.3f}"}
    return out


def today_level(shares: dict[str, float]) -> str:
    """The level that keeps the most of a tax under current law (the republic keeps the rest)."""
    rep = 1 - sum(shares.values())
    return max([("republic", rep)] + list(shares.items()), key=lambda kv: kv[1])[0]


def assess(ds: Dataset, expert: dict[str, dict[str, dict]], current_sharing: dict[str, dict[str, float]],
           weights: dict[str, float] | None = None) -> list[dict]:
    weights = weights or dict.fromkeys(CRITERIA, 1.0)
    data = data_scores(ds)
    rows = []
    for tax in ds.taxes:
        scores = {**expert.get(tax, {}), **data.get(tax, {})}  # the data speaks where it can
        now = today_level(current_sharing.get(tax, {}))
        if len(scores) < MIN_CRITERIA:
            rows.append({"tax": tax, "scores": scores, "missing": [c for c in CRITERIA if c not in scores], "pull": None,
                         "recommended": None, "today": now, "differs": False, "reasons": ["not assessed: too few criteria scored"]})
            continue
        total = sum(weights[c] for c in scores)
        pull = sum(weights[c] * (-1 if c in PULLS_DOWN else 1) * (2 * v["score"] - 1) for c, v in scores.items()) / total
        level = next(lv for t, lv in THRESHOLDS if pull > t)
        reasons = sorted(scores.items(), key=lambda kv: -abs(2 * kv[1]["score"] - 1))[:3]
        rows.append({"tax": tax, "scores": scores, "missing": [c for c in CRITERIA if c not in scores], "pull": pull,
                     "recommended": level, "today": now, "differs": level != now,
                     "reasons": [f"{c} {v['score']:.2f} ({v['basis']}): {v['rationale']}" for c, v in reasons]})
    return rows

