"""Load a dataset folder (METHOD.md contract) into typed integer/float arrays.

Codes become integer indices once, here: units by their row in units.csv,
taxes, functions and drivers by small vocabularies. Every problem names the
file, the row and the column; all problems of a dataset are collected and
raised together. The records live in records.py, the hierarchy's
checks in units.py, the other tables' loaders in parts.py;
their public names stay importable from here.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from .. import tables as T
from ..errors import InterbudgetError, Problem, Problems
from ..grid import receipt_grid, year_positions  # noqa: F401 — importable from here, as before
from ..scenario import NEEDS_BASES  # the needs bases and their files (docs/METHOD.md "Needs bases")
from .parts import (
    _load_bases,
    _load_coefficients,
    _load_debt,
    _load_drivers,
    _load_last_transfers,
    _load_mandates,
    _load_needs,
    _load_networks,
    _load_norms,
    _load_oil_regions,
    _load_programs,
    _load_receipts,
    _load_tax_series,
)
from .reading import read_all
from .records import (  # noqa: F401
    BASE,
    FALSE_WORDS,
    LANGS,
    PAYERS,
    PRIORITIES,
    REGIONAL,
    TRUE_WORDS,
    Bases,
    Coefficients,
    Dataset,
    Debt,
    Drivers,
    Needs,
    Networks,
    Norms,
    Programs,
    Receipts,
    TaxSeries,
    _empty_needs,
    sha256_file,
)
from .units import _load_payers, _load_units

TABLES = {
    # stem: (required columns, optional columns, required file?)
    "units": (["code", "parent", "level", "name_kk", "name_ru", "name_en", "population"], ["has_budget", "area_km2"], True),
    "receipts": (["code", "year", "tax", "amount"], ["payer"], True),
    "receipts_actual": (["code", "year", "tax", "amount"], ["payer"], False),
    "receipts_revised": (["code", "year", "tax", "amount"], ["payer"], False),
    "payers": (["payer", "base"], ["name_kk", "name_ru", "name_en", "description"], False),
    "bases": (["code", "year", "tax", "base"], [], False),
    "needs": (["code", "year", "function", "priority", "amount"], ["kind"], False),
    "needs_law": (["code", "year", "function", "priority", "amount"], ["kind"], False),  # needs bases (docs/METHOD.md)
    "needs_normative": (["code", "year", "function", "priority", "amount"], ["kind"], False),
    "debt": (["code", "creditor", "instrument", "currency", "amount", "rate", "start_year", "maturity_year"], ["reference"], False),
    "tax_series": (["code", "year", "tax", "amount"], [], False),  # real receipts by region and year (tax criteria)
    "norms": (["function", "level", "priority", "driver", "norm"], [], False),
    "drivers": (["code", "year", "driver", "value"], [], False),
    "coefficients": (["code", "function", "coefficient"], ["factor", "reference"], False),
    "programs": (["program", "code", "year", "cost", "score"], ["name", "reference"], False),
    "last_transfers": (["code", "amount"], ["kind"], False),
    "mandates": (["mandate", "code", "year", "amount"], [], False),
    "oil_elasticity": (["code", "tax", "oil_elasticity"], ["basis"], False),
    "taxes": (["tax"], ["oil_elasticity", "name_kk", "name_ru", "name_en", "region", "district", "rural", "reference", "status"], False),
    "networks": (["function", "level", "priority", "institution", "cost"],
                 ["population_per_institution", "area_per_institution_km2", "max_distance_km", "reference"], False),
}


_F, _I, _C = "float", "int", "code"
_NEEDS = {"code": _C, "year": _I, "function": _C, "priority": _C, "amount": _F, "kind": _C}
_RECEIPTS = {"code": _C, "year": _I, "tax": _C, "payer": _C, "amount": _F}
# what each column holds, so that a CSV is read typed where that changes nothing (tables/csvread.py)
KINDS = {
    "units": {"level": _C, "population": _F, "has_budget": _C, "area_km2": _F},
    "receipts": _RECEIPTS, "receipts_actual": _RECEIPTS, "receipts_revised": _RECEIPTS,
    "bases": {"code": _C, "year": _I, "tax": _C, "base": _F},
    "needs": _NEEDS, "needs_law": _NEEDS, "needs_normative": _NEEDS,
    "debt": {"code": _C, "creditor": _C, "amount": _F, "rate": _F, "start_year": _I, "maturity_year": _I},
    "tax_series": {"code": _C, "year": _I, "tax": _C, "amount": _F},
    "norms": {"function": _C, "level": _C, "priority": _C, "driver": _C, "norm": _F},
    "drivers": {"code": _C, "year": _I, "driver": _C, "value": _F},
    "coefficients": {"code": _C, "function": _C, "coefficient": _F},
    "programs": {"code": _C, "year": _I, "cost": _F, "score": _F},
    "last_transfers": {"code": _C, "amount": _F, "kind": _C},
    "mandates": {"code": _C, "year": _I, "amount": _F},
    "oil_elasticity": {"code": _C, "oil_elasticity": _F},
    "taxes": {"oil_elasticity": _F},
    "networks": {"function": _C, "level": _C, "priority": _C, "cost": _F},
}


def _locate(folder: Path, problems: Problems) -> dict[str, Path]:
    files: dict[str, Path] = {}
    if not folder.is_dir():
        raise InterbudgetError(f"{folder}: dataset folder not found")
    for stem, (_, _, needed) in TABLES.items():
        found = T.find_table(folder, stem)
        if isinstance(found, list):
            problems.add(f"{stem}.csv", f"both {stem}.csv and {stem}.parquet are present; keep one")
        elif found is None:
            if needed:
                problems.add(f"{stem}.csv", f"required file missing from {folder}")
        else:
            files[stem] = found
    return files


def _read(files: dict[str, Path], stem: str, problems: Problems, allow_duplicates: bool = False) -> T.RawTable | None:
    """One table of the folder, read and checked row by row (exact repeats), its cells not yet."""
    if stem not in files:
        return None
    req, opt, needed = TABLES[stem]
    return T.read_table(files[stem], req, opt, problems, must_have_rows=needed, allow_duplicates=allow_duplicates,
                        kinds=KINDS.get(stem))


def _only(needs_basis: str | None, files: dict[str, Path]) -> dict[str, str]:
    """The needs bases to leave unread (basis -> file stem): those other than `needs_basis`, when its file is
    present (else every basis is read, and the run says what is missing as it does after a full read)."""
    if needs_basis is None:
        return {}
    if needs_basis not in NEEDS_BASES:
        raise InterbudgetError(Problem("load_dataset", f"needs basis '{needs_basis}' is not one of {', '.join(NEEDS_BASES)}",
                                       column="needs_basis"))
    if NEEDS_BASES[needs_basis] not in files:
        return {}
    return {b: stem for b, stem in NEEDS_BASES.items() if b != needs_basis and stem in files}


def load_dataset(folder: str | Path, allow_duplicates: bool = False, needs_basis: str | None = None) -> Dataset:
    """Read and check every file of a dataset; raise all problems together.

    A row repeated exactly is an error naming both rows; `allow_duplicates` keeps such rows as given and says so
    in `Dataset.warnings`, as it says of receipts given twice for one (code, year, tax, payer), which are summed.
    `needs_basis` (observed, law or normative; docs/METHOD.md "Needs bases"): read and check only that basis's
    needs file, the one a run of a scenario with that basis uses; of the other bases' files only the function
    names are read, so that function ids are those of a full read. The dataset then gives that basis and refuses
    the others with an InterbudgetError (`Dataset.with_needs_basis`). None (`validate`, the web): every basis."""
    folder = Path(folder)
    problems = Problems()
    files = _locate(folder, problems)
    unread = _only(needs_basis, files)
    jobs: list[tuple[str, int, Callable[[Problems], Any]]]
    jobs = [(stem, files[stem].stat().st_size, partial(_read, files, stem, allow_duplicates=allow_duplicates))
            for stem in TABLES if stem in files and stem not in unread.values()]
    jobs += [(f"names of {stem}", files[stem].stat().st_size, partial(_function_names, files[stem])) for stem in unread.values()]
    done = read_all(jobs, problems)  # two files at once (reading.py)
    raw = {stem: done.get(stem) for stem in TABLES}
    units = raw["units"]
    if units is None:  # missing or unreadable: _locate or read_table has said why
        problems.raise_if_any()
        raise InterbudgetError(f"{folder}: units.csv could not be read")
    codes, h = _load_units(units, problems)
    taxes: dict[str, int] = {}
    functions: dict[str, int] = {}
    drivers: dict[str, int] = {}

    payer_names, payer_is_base = _load_payers(raw["payers"], problems)
    receipts, actual, revised = (_load_receipts(t, codes, taxes, payer_names, problems) if (t := raw[k]) is not None else None
                                 for k in ("receipts", "receipts_actual", "receipts_revised"))
    bases = _load_bases(t, codes, taxes, problems) if (t := raw["bases"]) is not None else None

    bases_of_needs = {"observed": _empty_needs()}
    for basis, stem in NEEDS_BASES.items():
        if (t := raw[stem]) is not None:
            bases_of_needs[basis] = _load_needs(t, codes, functions, problems)
        elif basis in unread:  # a function's id, and every order by id, is that of a full read
            for name in done[f"names of {stem}"]:
                functions.setdefault(name, len(functions))
    needs = bases_of_needs["observed"]
    if "needs" not in files and len(bases_of_needs) > 1:
        del bases_of_needs["observed"]  # no needs.csv: observed is not a basis of this dataset
    if unread:  # one basis read (needs_basis): it is the dataset's needs, the only basis it gives
        assert needs_basis is not None
        needs, bases_of_needs = bases_of_needs[needs_basis], {needs_basis: bases_of_needs[needs_basis]}
    series = _load_tax_series(t, codes, problems) if (t := raw["tax_series"]) is not None else None

    norms = Norms(*(np.zeros(0, dt) for dt in (np.int32, np.int8, np.int8, np.int32, np.float64)))
    if (t := raw["norms"]) is not None:
        norms = _load_norms(t, functions, drivers, problems)
    drv = Drivers(*(np.zeros(0, dt) for dt in (np.int32, np.int64, np.int32, np.float64)))
    if (t := raw["drivers"]) is not None:
        drv = _load_drivers(t, codes, drivers, problems)
    coef = Coefficients(np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.float64))
    if (t := raw["coefficients"]) is not None:
        coef = _load_coefficients(t, codes, functions, h, problems)

    networks = _load_networks(raw["networks"], functions, problems) if raw["networks"] is not None else None
    oil, listed_taxes = {}, []
    if (t := raw["taxes"]) is not None:
        listed_taxes = T.strings(t, "tax", problems).to_pylist()
    if t is not None and t.has("oil_elasticity"):
        oil = dict(zip(listed_taxes, T.numbers(t, "oil_elasticity", problems, what="oil elasticity", empty=0.0).tolist(), strict=True))
    oil_regions = None
    if (t := raw["oil_elasticity"]) is not None and h is not None:
        oil_regions = _load_oil_regions(t, codes, taxes, h, problems)
    mandate_costs = _load_mandates(t, codes, problems) if (t := raw["mandates"]) is not None else None
    last = None
    if (t := raw["last_transfers"]) is not None and h is not None:
        last = _load_last_transfers(t, codes, h, problems)
    programs = _load_programs(t, codes, h, problems) if (t := raw["programs"]) is not None else None
    debt = _load_debt(raw["debt"], codes, problems) if raw["debt"] is not None else None
    if debt is not None:
        functions.setdefault("debt_service", len(functions))  # the need its service makes (rules/borrowing.py)
    area = (T.numbers(units, "area_km2", problems, negative_ok=False, what="area", empty=0.0)
            if units.has("area_km2") else np.zeros(units.nrows))  # empty: unknown, 0
    problems.raise_if_any()
    assert h is not None and receipts is not None
    h.area = area
    return Dataset(
        folder=folder,
        files=files,
        hierarchy=h,
        receipts=receipts,
        receipts_actual=actual,
        receipts_revised=revised,
        bases=bases,
        needs=needs,
        norms=norms,
        drivers=drv,
        coefficients=coef,
        networks=networks,
        programs=programs,
        last_transfers=last,
        mandate_costs=mandate_costs,
        oil_elasticity=oil,
        oil_elasticity_regions=oil_regions,
        taxes=list(taxes),
        functions=list(functions),
        driver_names=list(drivers),
        payer_names=payer_names,
        payer_is_base=payer_is_base,
        debt=debt,
        needs_bases=bases_of_needs,
        tax_series=series,
        listed_taxes=listed_taxes,
        warnings=problems.warnings,
        needs_basis=needs_basis if unread and needs_basis is not None else "observed",
        needs_bases_unread=tuple(unread),
    )


def _function_names(path: Path, problems: Problems) -> list[str]:
    """The function names of a needs file left unread, in the order reading it would add them to the vocabulary;
    the file is not checked (`validate` does)."""
    t = T.read_column(path, "function")
    if t is None:
        return []
    names: dict[str, int] = {}
    T.encode(t, "function", Problems(), names)
    return [n for n in names if n]
