"""The normative need per budget and year from a fit (§3.1, §3.3.3), and the fit's files.

need(region i, function f, year y) = norm_f x population_i(y) x coefficient_if x index(y): the territory's
normative need. Below the region it is split over the budgets of the territory in proportion to their
observed need of f in the fitted year (an illustrative rule: the split of the observed basis is kept), or
placed wholly at the region's budget (`split="region"`). A dataset builder writes the first five columns
as `needs_normative.csv`; the others are each figure's provenance.
"""
from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

import numpy as np

from ..dataset import Dataset
from ..errors import InterbudgetError
from ..hierarchy import REGION
from . import normative as N
from .normative_data import population_of

NEEDS_COLUMNS = ["code", "year", "function", "priority", "amount"]
PROVENANCE_COLUMNS = ["norm", "population", "coefficient", "share", "rule", "reference"]
RULE = "normative need = norm per person x population x cost coefficient x the budget's share of its territory"


def _entries(ds: Dataset, est: N.NeedsEstimate, split: str):
    """(budget, region position, function position, share) of every budget that gets a part of a territory's need."""
    h = ds.hierarchy
    nr, nf = est.n, len(est.functions)
    region_budget = h.budget_of[est.regions]
    if split == "region":
        r, j = np.divmod(np.arange(nr * nf), nf)
        return region_budget[r], r, j, np.ones(r.size)
    if split != "observed":
        raise InterbudgetError(f"split '{split}': use observed or region")
    rpos = np.full(h.n, -1, dtype=np.int64)
    rpos[est.regions] = np.arange(nr)
    fpos = np.full(len(ds.functions), -1, dtype=np.int64)
    fpos[[ds.functions.index(f) for f in est.functions]] = np.arange(nf)
    nd = ds.needs
    anc = h.anc[REGION, nd.unit]
    r = np.where(anc >= 0, rpos[np.maximum(anc, 0)], -1)
    j = fpos[nd.function]
    keep = (nd.year == est.year) & (r >= 0) & (j >= 0)
    b = h.budget_of[nd.unit[keep]].astype(np.int64)
    key, inv = np.unique(b * nf + j[keep], return_inverse=True)
    amount = np.bincount(inv.reshape(-1), weights=nd.amount[keep])
    b, jj = np.divmod(key, nf)
    rr = rpos[h.anc[REGION, h.budget_units[b]]]
    obs = est.observed[rr, jj]
    share = np.where(obs > 0, amount / np.where(obs > 0, obs, 1), 0.0)
    pos = obs > 0
    none = est.observed == 0  # a territory without observed spending on f: its need goes to the region's budget
    zr, zj = np.nonzero(none)
    return (np.concatenate([b[pos], region_budget[zr]]), np.concatenate([rr[pos], zr]), np.concatenate([jj[pos], zj]),
            np.concatenate([share[pos], np.ones(zr.size)]))


def normative_needs(ds: Dataset, est: N.NeedsEstimate, years: list[int] | None = None, index: dict[int, float] | None = None,
                    split: str = "observed") -> list[dict]:
    """Rows (code, year, function, priority, amount + provenance) of the normative need of every budget.

    years: default the fitted year; index: a factor per year applied to the fitted year's norms (price and
    volume growth to a forecast; default 1); split: "observed" (the territory's need is split over its
    budgets as their observed need of the function in the fitted year) or "region" (all at the region).
    Population per year: drivers.csv `population` of that year where given, else units.csv.
    """
    years = [est.year] if years is None else [int(y) for y in years]
    index = index or {}
    b, r, j, share = _entries(ds, est, split)
    order = np.lexsort((j, ds.hierarchy.b_codes[b].astype(str)))
    b, r, j, share = b[order], r[order], j[order], share[order]
    codes = ds.hierarchy.b_codes[b].tolist()
    coef = est.coefficient[r, j]
    norm = est.norm[j]
    ref = f"{N.REFERENCE}; fit of {est.year} on needs.csv, terms: {', '.join(est.terms) or 'none'} (interbudget needs estimate)"
    rows = []
    for y in years:  # a few years
        pop = population_of(ds, y, est.regions)[r]
        amount = norm * pop * coef * share * float(index.get(y, 1.0))
        for k in range(b.size):  # rows of the output table (budgets x functions), plain values
            rows.append({"code": codes[k], "year": y, "function": est.functions[j[k]], "priority": est.priority[j[k]],
                         "amount": float(amount[k]), "norm": float(norm[k]), "population": float(pop[k]),
                         "coefficient": float(coef[k]), "share": float(share[k]), "rule": RULE, "reference": ref})
    return rows


def write_rows(path: Path, columns: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        w.writerows([[repr(v) if isinstance(v, float) else v for v in (r[c] for c in columns)] for r in rows])


ESTIMATE_FILES = {
    "norms.csv": (["function", "level", "priority", "driver", "norm"], N.norms_rows),
    "coefficients.csv": (["code", "function", "coefficient", "factor", "reference"], N.coefficients_rows),
    "fit.csv": (["function", "driver", "coefficient", "std_error", "r2", "n"], N.fit_rows),
    "quality.csv": (["function", "priority", "n", "parameters", "norm_per_person", "r2", "error_share", "loo_error_share",
                     "loo_regions", "floored", "observed", "modelled"], N.quality_rows),
    "explained.csv": (["code", "name", "population", "observed", "modelled", "modelled_loo", "explained", "explained_loo"],
                      N.explained_rows),
}


def write_estimate(est: N.NeedsEstimate, folder: Path, needs: list[dict] | None = None) -> list[Path]:
    """Write the fit's files (and needs_normative.csv when NEEDS is given) into FOLDER: all or none."""
    files = {name: (cols, fn(est)) for name, (cols, fn) in ESTIMATE_FILES.items()}
    if needs is not None:
        files["needs_normative.csv"] = (NEEDS_COLUMNS + PROVENANCE_COLUMNS, needs)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder, prefix=".estimate-") as tmp:
            for name, (cols, rows) in files.items():
                write_rows(Path(tmp) / name, cols, rows)
            for name in files:
                os.replace(Path(tmp) / name, folder / name)
    except OSError as exc:
        raise InterbudgetError(f"{folder}: cannot write the estimate ({exc.strerror})") from None
    return [folder / name for name in files]
