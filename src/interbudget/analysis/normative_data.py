"""The data basis of the normative-needs fit (§3.1, §3.3.3): each region's territory spending and drivers.

A region's territory is its own unit and every unit below it. Its spending on a function is the sum of the
`needs.csv` rows of those units for the year (the observed basis); a region without any row in the year is
not observed (reported, never fitted as zero). Drivers of a territory: `population` from units.csv (or the
`population` driver of drivers.csv for the year, summed over the territory, where given), `area_km2` from
units.csv, any drivers.csv driver summed over the territory, any other numeric units.csv column at the
region's row.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..dataset import PRIORITIES, Dataset
from ..errors import InterbudgetError, Problem
from ..hierarchy import REGION

STANDARD_UNIT_COLUMNS = {"code", "parent", "level", "name_kk", "name_ru", "name_en", "has_budget"}


def territory_spending(ds: Dataset, year: int):
    """(observed regions, excluded region codes, function names, spending (n, f), priority per function)."""
    h, nd = ds.hierarchy, ds.needs
    regions_all = np.flatnonzero(h.level == REGION)
    pos = np.full(h.n, -1, dtype=np.int64)
    pos[regions_all] = np.arange(regions_all.size)
    sel = (nd.year == year) & (nd.unit >= 0)
    reg = pos[np.maximum(h.anc[REGION, nd.unit[sel]], 0)]
    reg = np.where(h.anc[REGION, nd.unit[sel]] >= 0, reg, -1)  # republic rows belong to no region
    keep = reg >= 0
    reg, fun, pri, amt = reg[keep], nd.function[sel][keep], nd.priority[sel][keep], nd.amount[sel][keep]
    nf = len(ds.functions)
    spend = np.bincount(reg * nf + fun, weights=amt, minlength=regions_all.size * nf).reshape(regions_all.size, nf)
    by_pri = np.bincount(fun.astype(np.int64) * len(PRIORITIES) + pri, weights=amt, minlength=nf * len(PRIORITIES))
    by_pri = by_pri.reshape(nf, len(PRIORITIES))
    rows_of = np.bincount(reg, minlength=regions_all.size)
    seen = rows_of > 0
    used = np.flatnonzero(np.bincount(fun, minlength=nf) > 0)
    fnames = [ds.functions[i] for i in used]
    priority = [PRIORITIES[int(np.argmax(by_pri[i]))] for i in used]
    excluded = [str(c) for c in h.codes[regions_all[~seen]]]
    return regions_all[seen], excluded, fnames, spend[seen][:, used], priority


def _units_numeric(ds: Dataset) -> dict[str, np.ndarray]:
    """Extra numeric columns of units.csv (area, density, ...), NaN where empty."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    path = ds.files["units"]
    table = (pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(strings_can_be_null=True)) if path.suffix == ".csv"
             else pq.read_table(path))
    out = {}
    for name in table.column_names:
        col = table.column(name)
        if name in STANDARD_UNIT_COLUMNS or not (pa.types.is_floating(col.type) or pa.types.is_integer(col.type)):
            continue
        out[name] = np.asarray(pc.cast(col, pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False), dtype=float)
    return out


def _driver(ds: Dataset, year: int, name: str) -> np.ndarray | None:
    """A drivers.csv driver of YEAR per unit, summed over each unit's subtree; None if the year has none."""
    if name not in ds.driver_names:
        return None
    d = ds.drivers
    sel = (d.driver == ds.driver_names.index(name)) & (d.year == year)
    if not sel.any():
        return None
    per_unit = np.bincount(d.unit[sel], weights=d.value[sel], minlength=ds.hierarchy.n)
    return ds.hierarchy.subtree_sum(per_unit)


def population_of(ds: Dataset, year: int, units: np.ndarray) -> np.ndarray:
    """The population of each unit's territory in YEAR: drivers.csv `population` if given, else units.csv."""
    drv = _driver(ds, year, "population")
    return (drv if drv is not None else ds.hierarchy.population)[units].astype(float)


def region_values(ds: Dataset, year: int, regions: np.ndarray, terms: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(population (n,), factors (n, k)) of the regions; errors name the region and the driver."""
    h = ds.hierarchy
    pop = population_of(ds, year, regions)
    problems = [f"region '{h.codes[u]}' has population {p:g} in {year}: its need per person is undefined"
                for u, p in zip(regions.tolist(), pop.tolist(), strict=True) if not p > 0]
    if problems:
        raise InterbudgetError([Problem("needs estimate", p) for p in problems])
    cols, numeric = [], None
    for term in terms:
        if term == "urban_share":
            urban, rural = _driver(ds, year, "urban_population"), _driver(ds, year, "rural_population")
            if urban is not None:
                v, what = urban[regions] / pop, "urban_population"
            elif rural is not None:
                v, what = 1 - rural[regions] / pop, "rural_population"
            else:
                raise InterbudgetError(Problem("needs estimate", f"term 'urban_share' needs the driver urban_population or "
                                               f"rural_population in drivers.csv for {year}"))
        elif term == "log_density":
            area = h.area[regions] if h.area is not None else np.zeros(regions.size)
            with np.errstate(divide="ignore"):
                v = np.log(pop / area)
            what = "area_km2"
        elif term.startswith("per_person:"):
            name = term.split(":", 1)[1]
            drv = _driver(ds, year, name)
            if drv is None:
                numeric = _units_numeric(ds) if numeric is None else numeric
                if name not in numeric:
                    raise InterbudgetError(Problem("needs estimate", f"term '{term}': no driver '{name}' in drivers.csv for "
                                                   f"{year} and no numeric column '{name}' in units.csv"))
                drv = numeric[name]
            v, what = drv[regions] / pop, name
        else:
            raise InterbudgetError(Problem("needs estimate", f"unknown term '{term}': use urban_share, log_density or "
                                           "per_person:DRIVER"))
        bad = [f"region '{h.codes[u]}': {what} gives no finite value of term '{term}' in {year}"
               for u, x in zip(regions.tolist(), v.tolist(), strict=True) if not np.isfinite(x)]
        if bad:
            raise InterbudgetError([Problem("needs estimate", b) for b in bad])
        cols.append(v)
    return pop, (np.column_stack(cols) if cols else np.zeros((regions.size, 0)))
