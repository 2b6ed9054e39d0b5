"""Normative needs estimated from data (§3.1, §3.3.3): a small representative expenditure system.

For every function group f, the regions' executed spending per person is regressed, weighted by
population, on a few cost factors of their territory (Australia's CGC "assessed expenses": national
average spending per person x population x a disability factor for each state; see
../shared/reference/methods/australia_cgc_hfe.md and docs/METHOD.md "Normative needs"):

    E_if / P_i = a_f + sum_k b_fk (x_ik - xbar_k)      weights P_i, xbar_k = population-weighted mean

Because the factors are centred on the national (population-weighted) mean and the fit is weighted by
population, a_f = sum_i E_if / sum_i P_i is the national spending per person on f — the **norm** per
unit of the driver `population` — and the modelled need of region i is a_f x P_i x c_if with the
**cost coefficient** c_if = max(fitted_if, 0) / a_f (1 at national-average conditions). The modelled
needs of all regions add up to the executed total of each function (before the floor at 0).

E_if is the need of region i's whole territory: the `needs.csv` rows (the observed basis) of the region's
budget and every budget below it for the year. Factors ("terms"):
- `urban_share`: the driver `urban_population` / population (or 1 - `rural_population` / population);
- `log_density`: ln(population / area_km2) (units.csv `area_km2`);
- `per_person:D`: any other driver D per person — a `drivers.csv` driver (summed over the region's
  territory) or a numeric column of units.csv (the region's row).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..dataset import Dataset
from ..errors import InterbudgetError, Problem
from ..hierarchy import REGION
from .normative_data import region_values, territory_spending

#: a fit keeps at least this many degrees of freedom (observations - parameters)
MIN_DEGREES_OF_FREEDOM = 3
NORM_DRIVER = "population"
REFERENCE = "§3.1, §3.3.3"


@dataclass
class NeedsEstimate:
    """The fit of one year: per function (columns) and region (rows); see the module docstring."""

    year: int
    functions: list[str]
    priority: list[str]  # per function: the priority carrying most of its spending
    terms: list[str]  # the cost factors, in the order of beta's rows 1..
    regions: np.ndarray  # unit indices of the observed regions
    codes: list[str]
    names: list[str]  # English names of the regions
    population: np.ndarray  # (n,)
    x: np.ndarray  # (n, k) the factors, uncentred
    xbar: np.ndarray  # (k,) population-weighted means
    observed: np.ndarray  # (n, f) executed spending of each region's territory
    beta: np.ndarray  # (1 + k, f): norm per person, then one slope per term
    std_error: np.ndarray  # (1 + k, f)
    r2: np.ndarray  # (f,)
    fitted: np.ndarray  # (n, f) modelled spending per person (before the floor at 0)
    loo: np.ndarray  # (n, f) leave-one-region-out prediction per person (NaN where a region alone fixes a slope)
    excluded: list[str]  # regions without needs rows in the year (not observed), reported
    refused: list[tuple[str, str]] = field(default_factory=list)  # (function, why): left out of the fit, reported

    @property
    def n(self) -> int:
        return int(self.regions.size)

    @property
    def norm(self) -> np.ndarray:
        return self.beta[0]

    @property
    def coefficient(self) -> np.ndarray:
        """(n, f) cost coefficient of each region and function: need per person / norm, never below 0."""
        return np.maximum(self.fitted, 0.0) / self.norm

    @property
    def modelled(self) -> np.ndarray:
        """(n, f) modelled need of each region's territory in the fitted year."""
        return self.norm * self.population[:, None] * self.coefficient

    @property
    def modelled_loo(self) -> np.ndarray:
        """(n, f) the region's need as predicted by the fit without it (out of sample)."""
        return np.maximum(self.loo, 0.0) * self.population[:, None]


def _terms_default(ds: Dataset, year: int) -> list[str]:
    names = set(ds.driver_names)
    out = ["urban_share"] if {"urban_population", "rural_population"} & names else []
    h = ds.hierarchy
    regions = np.flatnonzero(h.level == REGION)
    if h.area is not None and regions.size and (h.area[regions] > 0).all():
        out.append("log_density")
    return out


def _refuse(problems: list[str]) -> None:
    if problems:
        raise InterbudgetError([Problem("needs estimate", p) for p in problems])


def estimate_needs(ds: Dataset, year: int, terms: list[str] | None = None, functions: list[str] | None = None) -> NeedsEstimate:
    """Fit the norms and cost coefficients of every function group on the regions' spending of YEAR.

    ds: a loaded dataset whose `needs.csv` holds the observed (executed) basis; terms: the cost factors
    (default: `urban_share` where urban or rural population is given, `log_density` where every region
    has an area); functions: restrict to these function groups (default: every function with spending
    in YEAR). A function too few regions spend on is left out and listed in `refused`; raises
    InterbudgetError naming the function (too few observations, when it was asked for by name or when every
    function is refused) or the region and driver (zero population, a factor that is constant or missing,
    collinear factors).
    """
    terms = _terms_default(ds, year) if terms is None else list(terms)
    h = ds.hierarchy
    regions, excluded, fnames, observed, priority = territory_spending(ds, year)
    if functions is not None:
        unknown = [f for f in functions if f not in fnames]
        _refuse([f"function '{f}': no spending in needs.csv for {year}" for f in unknown])
        pick = [fnames.index(f) for f in functions]
        fnames, observed, priority = [fnames[i] for i in pick], observed[:, pick], [priority[i] for i in pick]
    if not fnames:
        _refuse([f"needs.csv has no spending of any region in {year}: nothing to fit"])
    codes = [str(c) for c in h.codes[regions]]
    pop, x = region_values(ds, year, regions, terms)
    n, k = regions.size, len(terms)
    p = 1 + k
    if n - p < MIN_DEGREES_OF_FREEDOM:
        _refuse([f"function '{f}': {n} regions observed in {year}, too few for {p} parameters "
                 f"(at least {p + MIN_DEGREES_OF_FREEDOM} are needed; drop a term with --term)" for f in fnames])
    w = pop / pop.sum()
    xbar = w @ x if k else np.zeros(0)
    xc = x - xbar
    bad = []
    for j, t in enumerate(terms):  # a few terms
        if np.ptp(x[:, j]) <= 1e-12 * max(1.0, np.abs(x[:, j]).max()):
            bad.append(f"term '{t}' is the same ({x[0, j]:.6g}) in every observed region in {year}: it cannot explain differences")
    _refuse(bad)
    X = np.column_stack([np.ones(n), xc])
    A = X.T @ (X * w[:, None])
    if np.linalg.matrix_rank(A) < p:
        _refuse([f"terms {', '.join(terms)} are collinear across the regions in {year}: drop one with --term"])
    # a function spent by too few regions is refused (named); asked for by name, or all refused, it is an error
    spenders = (observed > 0).sum(axis=0)
    few = spenders < p + MIN_DEGREES_OF_FREEDOM
    refused = [(f, (f"function '{f}': spending in {spenders[j]} of {n} regions in {year}, too few observations for {p} "
                    f"parameters (at least {p + MIN_DEGREES_OF_FREEDOM} regions must spend on it)"))
               for j, f in enumerate(fnames) if few[j]]
    if refused and (functions is not None or few.all()):
        _refuse([why for _f, why in refused])
    kept = np.flatnonzero(~few).tolist()
    fnames, priority, observed = [fnames[j] for j in kept], [priority[j] for j in kept], observed[:, kept]
    y = observed / pop[:, None]  # (n, f)
    Ainv = np.linalg.inv(A)
    beta = Ainv @ (X.T @ (w[:, None] * y))  # (p, f)
    fitted = X @ beta
    resid = y - fitted
    ss_res = (w[:, None] * resid**2).sum(axis=0)
    ss_tot = (w[:, None] * (y - beta[0]) ** 2).sum(axis=0)
    r2 = np.where(ss_tot > 0, 1 - ss_res / np.where(ss_tot > 0, ss_tot, 1), 1.0)
    # classical weighted-least-squares errors: cov = sum(w r^2) / (n - p) x (X'WX)^-1 (any scale of the weights)
    se = np.sqrt(np.outer(np.diag(Ainv), ss_res / (n - p)))
    lever = w * np.einsum("ij,jk,ik->i", X, Ainv, X)
    with np.errstate(divide="ignore", invalid="ignore"):
        loo = np.where((1 - lever)[:, None] > 1e-9, y - resid / (1 - lever)[:, None], np.nan)
    names = [h.name(int(u), "en") for u in regions]
    return NeedsEstimate(year, fnames, priority, terms, regions, codes, names, pop, x, xbar, observed, beta, se, r2, fitted,
                         loo, excluded, refused)


def fit_rows(est: NeedsEstimate) -> list[dict]:
    """fit.csv: function,driver,coefficient,std_error,r2,n — the norm (driver population), then each term's slope."""
    rows = []
    for j, f in enumerate(est.functions):
        for i, d in enumerate([NORM_DRIVER] + est.terms):
            rows.append({"function": f, "driver": d, "coefficient": float(est.beta[i, j]), "std_error": float(est.std_error[i, j]),
                         "r2": float(est.r2[j]), "n": est.n})
    return rows


def norms_rows(est: NeedsEstimate) -> list[dict]:
    """norms.csv (METHOD.md): one norm per function at the region level, per person."""
    return [{"function": f, "level": "region", "priority": est.priority[j], "driver": NORM_DRIVER, "norm": float(est.norm[j])}
            for j, f in enumerate(est.functions)]


def coefficients_rows(est: NeedsEstimate) -> list[dict]:
    """coefficients.csv (METHOD.md): the fitted cost coefficient of every region and function."""
    ref = f"interbudget needs estimate, {est.year}: {', '.join(est.terms) or 'no cost factor'} ({REFERENCE})"
    c = est.coefficient
    return [{"code": code, "function": f, "coefficient": float(c[i, j]), "factor": "fitted cost", "reference": ref}
            for i, code in enumerate(est.codes) for j, f in enumerate(est.functions)]


def quality_rows(est: NeedsEstimate) -> list[dict]:
    """quality.csv: per function, the fit in amounts: R², the error share sum_i |modelled - observed| / observed total,
    the same out of sample (leave-one-region-out), the regions whose fitted need fell below 0 (floored), totals."""
    obs, mod, loo = est.observed, est.modelled, est.modelled_loo
    rows = []
    for j, f in enumerate(est.functions):
        total = obs[:, j].sum()
        ok = ~np.isnan(loo[:, j])
        rows.append({"function": f, "priority": est.priority[j], "n": est.n, "parameters": 1 + len(est.terms),
                     "norm_per_person": float(est.norm[j]), "r2": float(est.r2[j]),
                     "error_share": float(np.abs(mod[:, j] - obs[:, j]).sum() / total),
                     "loo_error_share": float(np.abs(loo[ok, j] - obs[ok, j]).sum() / obs[ok, j].sum()) if ok.any() else float("nan"),
                     "loo_regions": int(ok.sum()), "floored": int((est.fitted[:, j] < 0).sum()),
                     "observed": float(total), "modelled": float(mod[:, j].sum())})
    return rows


def explained_rows(est: NeedsEstimate) -> list[dict]:
    """explained.csv: per region, the share of its spending the model explains, function by function:
    explained = max(0, 1 - sum_f |modelled - observed| / sum_f observed), in and out of sample (LOO)."""
    obs, mod, loo = est.observed, est.modelled, est.modelled_loo
    tot = obs.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        expl = np.maximum(0.0, 1 - np.abs(mod - obs).sum(axis=1) / tot)
        expl_loo = np.maximum(0.0, 1 - np.abs(loo - obs).sum(axis=1) / tot)
    return [{"code": c, "name": est.names[i], "population": float(est.population[i]), "observed": float(tot[i]),
             "modelled": float(mod[i].sum()), "modelled_loo": float(loo[i].sum()), "explained": float(expl[i]),
             "explained_loo": float(expl_loo[i])} for i, c in enumerate(est.codes)]

