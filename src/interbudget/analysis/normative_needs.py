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


def region_units(ds: Dataset, est: N.NeedsEstimate) -> np.ndarray:
    """The units of DS that are the fit's regions, matched by code (DS may be another dataset than the fit's)."""
    h = ds.hierarchy
    idx = h.unit_index()
    missing = [c for c in est.codes if c not in idx or h.level[idx[c]] != REGION]
    if missing:
        raise InterbudgetError(f"{ds.folder}: the fit's region(s) {', '.join(missing)} are not regions of this dataset")
    return np.array([idx[c] for c in est.codes], dtype=np.int64)


def _entries(ds: Dataset, est: N.NeedsEstimate, regions: np.ndarray, split: str, year: int):
    """(budget, region position, function position, share) of every budget that gets a part of a territory's need in YEAR.

    split "observed": as the budgets' needs.csv rows of f in YEAR (or, where DS has no rows in YEAR, in the fitted
    year); a territory with no such rows for f gets its need at the region's budget. "region": all at the region."""
    h = ds.hierarchy
    nr, nf = est.n, len(est.functions)
    region_budget = h.budget_of[regions]
    if split == "region":
        r, j = np.divmod(np.arange(nr * nf), nf)
        return region_budget[r], r, j, np.ones(r.size)
    if split != "observed":
        raise InterbudgetError(f"split '{split}': use observed or region")
    rpos = np.full(h.n, -1, dtype=np.int64)
    rpos[regions] = np.arange(nr)
    fpos = np.full(max(len(ds.functions), 1), -1, dtype=np.int64)
    known = [(ds.functions.index(f), k) for k, f in enumerate(est.functions) if f in ds.functions]
    for i, k in known:  # a few functions
        fpos[i] = k
    nd = ds.needs
    basis = year if (nd.year == year).any() else est.year
    anc = h.anc[REGION, nd.unit]
    r = np.where(anc >= 0, rpos[np.maximum(anc, 0)], -1)
    j = fpos[nd.function] if nd.function.size else np.zeros(0, np.int64)
    keep = (nd.year == basis) & (r >= 0) & (j >= 0)
    b = h.budget_of[nd.unit[keep]].astype(np.int64)
    key, inv = np.unique(b * nf + j[keep], return_inverse=True)
    amount = np.bincount(inv.reshape(-1), weights=nd.amount[keep], minlength=key.size)
    b, jj = np.divmod(key, nf)
    rr = rpos[h.anc[REGION, h.budget_units[b]]]
    total = np.bincount(rr * nf + jj, weights=amount, minlength=nr * nf).reshape(nr, nf)
    obs = total[rr, jj]
    pos = obs > 0
    zr, zj = np.nonzero(total <= 0)  # no observed spending of the territory on f: its need goes to the region's budget
    return (np.concatenate([b[pos], region_budget[zr]]), np.concatenate([rr[pos], zr]), np.concatenate([jj[pos], zj]),
            np.concatenate([amount[pos] / obs[pos], np.ones(zr.size)]))


def normative_needs(ds: Dataset, est: N.NeedsEstimate, years: list[int] | None = None, index: dict[int, float] | None = None,
                    split: str = "observed") -> list[dict]:
    """Rows (code, year, function, priority, amount + provenance) of the normative need of every budget of DS.

    DS: the fit's dataset or another one with the same region codes (e.g. fit on the executed year's dataset,
    apply to the medium-term one); years: default the fitted year; index: a factor per year applied to the
    fitted year's norms (price and volume growth to a forecast; default 1); split: "observed" (each territory's
    need is split over its budgets as their needs.csv rows of the function in that year, or in the fitted year
    where DS has none in that year) or "region" (all at the region's budget). Population per year: DS's
    drivers.csv `population` of that year where given, else its units.csv. Columns: NEEDS_COLUMNS (the
    contract of needs.csv) then PROVENANCE_COLUMNS (norm, population, coefficient, share, rule, reference).
    """
    years = [est.year] if years is None else [int(y) for y in years]
    index = index or {}
    regions = region_units(ds, est)
    ref = f"{N.REFERENCE}; fit of {est.year} on needs.csv, terms: {', '.join(est.terms) or 'none'} (interbudget needs estimate)"
    rows = []
    for y in years:  # a few years
        b, r, j, share = _entries(ds, est, regions, split, y)
        order = np.lexsort((j, ds.hierarchy.b_codes[b].astype(str)))
        b, r, j, share = b[order], r[order], j[order], share[order]
        codes = ds.hierarchy.b_codes[b].tolist()
        coef, norm = est.coefficient[r, j], est.norm[j]
        pop = population_of(ds, y, regions)[r]
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
