"""The other tables of a dataset, each turned into its record with every cell checked (records.py).

Each loader takes the table read by `tables.read_table`, the unit codes, the
vocabularies it grows (taxes, functions, drivers) and the `Problems`
collector; `load_dataset` calls them in a fixed order, so vocabularies and
problems come out in the same order every time.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from .. import tables as T
from ..errors import Problems
from ..hierarchy import LEVELS, Hierarchy
from ..vocab import CREDITORS, KINDS
from .records import (
    PRIORITIES,
    Bases,
    Coefficients,
    Debt,
    Drivers,
    Needs,
    Networks,
    Norms,
    Programs,
    Receipts,
    TaxSeries,
)


def _load_receipts(t: T.RawTable, codes: pa.Array, taxes: dict[str, int], payers: list[str], problems: Problems) -> Receipts:
    unit = T.lookup(t, "code", codes, problems)
    year = T.integers(t, "year", problems)
    tax = T.encode(t, "tax", problems, taxes)
    payer = (T.choices(t, "payer", payers, problems, default="regional", dtype=np.int16) if t.has("payer")
             else np.zeros(t.nrows, np.int16))
    amount = T.numbers(t, "amount", problems, negative_ok=True, what="amount")
    # METHOD.md adds up the receipts booked at a unit (a refund may be a row of its own): a (code, year, tax,
    # payer) given twice is summed, never silently; an exact repeat is an error (read_table)
    T.duplicates(t, [unit, year, tax, payer], problems, "(code, year, tax, payer)", allow="summed as METHOD.md reads receipts")
    return Receipts(unit, year, tax, payer, amount)


def _load_networks(t: T.RawTable, functions: dict[str, int], problems: Problems) -> Networks:
    def optional(col: str) -> np.ndarray:  # empty: this rule does not apply (NaN)
        if not t.has(col):
            return np.full(t.nrows, np.nan)
        v = T.numbers(t, col, problems, negative_ok=False, what=col, empty=np.nan)
        T._report(t, col, v == 0, None, f"{col} must be positive", problems)
        return np.where(v > 0, v, np.nan)

    ppi = optional("population_per_institution")
    api = optional("area_per_institution_km2")
    dist = optional("max_distance_km")
    api = np.where(np.isnan(api) & ~np.isnan(dist), np.pi * dist**2, api)
    for i in np.flatnonzero(np.isnan(ppi) & np.isnan(api)):
        problems.add(t.name, "a network norm needs a catchment rule: population_per_institution, area_per_institution_km2 "
                     "or max_distance_km", t.row_label(int(i)))
    nw = Networks(
        function=T.encode(t, "function", problems, functions),
        level=T.choices(t, "level", list(LEVELS), problems),
        priority=T.choices(t, "priority", list(PRIORITIES), problems),
        institution=T.strings(t, "institution", problems).to_pylist(),
        cost=T.numbers(t, "cost", problems, negative_ok=False, what="cost per institution"),
        population_per_institution=ppi,
        area_per_institution=api,
        reference=T.strings(t, "reference", problems, allow_empty=True).to_pylist() if t.has("reference") else [""] * t.nrows,
    )
    return nw


def _load_debt(t: T.RawTable, codes: pa.Array, problems: Problems) -> Debt:
    """debt.csv: every cell checked (unknown creditor, negative amount or rate, a maturity before the start)."""
    start, maturity = T.integers(t, "start_year", problems, what="start_year"), T.integers(t, "maturity_year", problems, what="maturity_year")
    rate = T.numbers(t, "rate", problems, negative_ok=False, what="interest rate")
    T._report(t, "rate", rate > 1.0, None, "an interest rate is a fraction a year (0.05 for 5 %); above 1 is not one", problems)
    rows = np.flatnonzero(maturity < start).tolist()
    problems.add_rows(t.name, "maturity_year", [t.row_label(i) for i in rows],
                      [f"maturity_year {int(maturity[i])} is before start_year {int(start[i])}" for i in rows])
    return Debt(unit=T.lookup(t, "code", codes, problems), creditor=T.choices(t, "creditor", list(CREDITORS), problems),
                instrument=T.strings(t, "instrument", problems).to_pylist(), currency=T.strings(t, "currency", problems).to_pylist(),
                amount=T.numbers(t, "amount", problems, negative_ok=False, what="principal"), rate=rate,
                start_year=start, maturity_year=maturity)


def _load_bases(t: T.RawTable, codes: pa.Array, taxes: dict[str, int], problems: Problems) -> Bases:
    bases = Bases(unit=T.lookup(t, "code", codes, problems), year=T.integers(t, "year", problems),
                  tax=T.encode(t, "tax", problems, taxes), base=T.numbers(t, "base", problems, negative_ok=False, what="tax base"))
    T.duplicates(t, [bases.unit, bases.year, bases.tax], problems, "tax base for this (code, year, tax)")
    return bases


def _load_needs(t: T.RawTable, codes: pa.Array, functions: dict[str, int], problems: Problems) -> Needs:
    return Needs(
        unit=T.lookup(t, "code", codes, problems),
        year=T.integers(t, "year", problems),
        function=T.encode(t, "function", problems, functions),
        priority=T.choices(t, "priority", list(PRIORITIES), problems),
        amount=T.numbers(t, "amount", problems, negative_ok=False, what="need"),
        kind=T.choices(t, "kind", list(KINDS), problems, default="current") if t.has("kind") else None,
    )


def _load_tax_series(t: T.RawTable, codes: pa.Array, problems: Problems) -> TaxSeries:
    return TaxSeries(unit=T.lookup(t, "code", codes, problems), year=T.integers(t, "year", problems),
                     tax=T.strings(t, "tax", problems).to_pylist(), amount=T.numbers(t, "amount", problems, what="amount"))


def _load_norms(t: T.RawTable, functions: dict[str, int], drivers: dict[str, int], problems: Problems) -> Norms:
    norms = Norms(
        function=T.encode(t, "function", problems, functions),
        level=T.choices(t, "level", list(LEVELS), problems),
        priority=T.choices(t, "priority", list(PRIORITIES), problems),
        driver=T.encode(t, "driver", problems, drivers),
        norm=T.numbers(t, "norm", problems, negative_ok=False, what="norm"),
    )
    T.duplicates(t, [norms.function, norms.level], problems, "norm for this (function, level)")
    return norms


def _load_drivers(t: T.RawTable, codes: pa.Array, drivers: dict[str, int], problems: Problems) -> Drivers:
    drv = Drivers(
        unit=T.lookup(t, "code", codes, problems),
        year=T.integers(t, "year", problems),
        driver=T.encode(t, "driver", problems, drivers),
        value=T.numbers(t, "value", problems, negative_ok=False, what="driver value"),
    )
    T.duplicates(t, [drv.unit, drv.year, drv.driver], problems, "driver value for this (code, year, driver)")
    return drv


def _load_coefficients(t: T.RawTable, codes: pa.Array, functions: dict[str, int], h: Hierarchy | None,
                       problems: Problems) -> Coefficients:
    factor = T.strings(t, "factor", problems, allow_empty=True).to_pylist() if t.has("factor") else [""] * t.nrows
    coef = Coefficients(
        unit=T.lookup(t, "code", codes, problems),
        function=T.encode(t, "function", problems, functions),
        coefficient=T.numbers(t, "coefficient", problems, negative_ok=False, what="coefficient"),
        factor=factor,
        reference=T.strings(t, "reference", problems, allow_empty=True).to_pylist() if t.has("reference") else [""] * t.nrows,
    )
    fid = {f: i for i, f in enumerate(dict.fromkeys(factor))}
    T.duplicates(t, [coef.unit, coef.function, np.array([fid[f] for f in factor], dtype=np.int64)], problems,
                 "coefficient for this (code, function, factor)")
    if h is not None:
        ok = coef.unit >= 0
        nobudget = np.zeros(t.nrows, dtype=bool)
        nobudget[ok] = ~h.has_budget[coef.unit[ok]]
        rows = np.flatnonzero(nobudget)
        msgs = [
            f"unit '{h.codes[coef.unit[i]]}' has no budget of its own; give the coefficient "
            f"for its budget '{h.codes[h.budget_unit_of[coef.unit[i]]]}'"
            for i in rows[: Problems.PER_KIND + 1]
        ]
        problems.add_rows(t.name, "code", [t.row_label(int(i)) for i in rows], msgs + [""] * (rows.size - len(msgs)))
    return coef


def _load_oil_regions(t: T.RawTable, codes: pa.Array, taxes: dict[str, int], h: Hierarchy,
                      problems: Problems) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """oil_elasticity.csv: per region and tax, replacing taxes.csv's value for receipts booked in the region."""
    unit = T.lookup(t, "code", codes, problems)
    names = T.strings(t, "tax", problems)
    tax = np.array([taxes.get(str(n).strip(), -1) for n in names.to_pylist()], dtype=np.int32)
    T._report(t, "tax", tax < 0, names, "unknown tax '{value}' (not in receipts.csv)", problems)
    not_region = np.zeros(t.nrows, dtype=bool)
    not_region[unit >= 0] = h.level[unit[unit >= 0]] != 1
    T._report(t, "code", not_region, T.strings(t, "code", Problems()), "'{value}' is not a region: an oil elasticity is per region", problems)
    e = T.numbers(t, "oil_elasticity", problems, what="oil elasticity")
    T.duplicates(t, [unit, tax], problems, "oil elasticity for this (code, tax)")
    return unit, tax, e


def _load_mandates(t: T.RawTable, codes: pa.Array, problems: Problems) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    names = T.strings(t, "mandate", problems).to_pylist()
    unit, year = T.lookup(t, "code", codes, problems), T.integers(t, "year", problems)
    amount = T.numbers(t, "amount", problems, negative_ok=False, what="amount")
    mandate_costs = {}
    for name in dict.fromkeys(names):
        sel = np.array([n == name for n in names])
        mandate_costs[name] = (unit[sel], year[sel], amount[sel])
    return mandate_costs


def _load_last_transfers(t: T.RawTable, codes: pa.Array, h: Hierarchy, problems: Problems) -> dict[str, np.ndarray]:
    unit = T.lookup(t, "code", codes, problems)
    amount = T.numbers(t, "amount", problems, negative_ok=False, what="amount")
    kind = T.choices(t, "kind", ["general", "category2"], problems, default="general") if t.has("kind") else np.zeros(t.nrows, np.int8)
    T.duplicates(t, [unit, kind], problems, "last amount for this (code, kind)")
    last = {}
    for k, name in enumerate(("general", "category2")):
        arr = np.full(h.n, np.nan)
        sel = (kind == k) & (unit >= 0)
        arr[unit[sel]] = amount[sel]
        last[name] = arr
    return last


def _load_programs(t: T.RawTable, codes: pa.Array, h: Hierarchy | None, problems: Problems) -> Programs:
    programs = Programs(program=T.strings(t, "program", problems).to_pylist(), unit=T.lookup(t, "code", codes, problems),
                        year=T.integers(t, "year", problems), cost=T.numbers(t, "cost", problems, negative_ok=False, what="cost"),
                        score=T.numbers(t, "score", problems, what="score"))
    pid = {p: i for i, p in enumerate(dict.fromkeys(programs.program))}
    T.duplicates(t, [np.array([pid[p] for p in programs.program]), programs.year], problems, "program for this year", "program")
    if h is not None:
        ok = programs.unit >= 0
        not_region = np.zeros(t.nrows, dtype=bool)
        not_region[ok] = (h.level[programs.unit[ok]] != 1) | ~h.has_budget[programs.unit[ok]]
        T._report(t, "code", not_region, T.strings(t, "code", Problems()),
                  "'{value}' is not a region with a budget; development programs belong to regions", problems)
    return programs
