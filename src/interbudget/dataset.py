"""Load a dataset folder (METHOD.md contract) into typed integer/float arrays.

Codes become integer indices once, here: units by their row in units.csv,
taxes, functions and drivers by small vocabularies. Every problem names the
file, the row and the column; all problems of a dataset are collected and
raised together.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import tables as T
from .errors import InterbudgetError, Problem, Problems
from .grid import receipt_grid, year_positions
from .hierarchy import LEVELS, REPUBLIC, Hierarchy, find_cycles
from .vocab import CREDITORS, KINDS
from .scenario import NEEDS_BASES  # the needs bases and their files (docs/METHOD.md "Needs bases")

PRIORITIES = ("mandatory", "basic", "additional")
PAYERS = ("regional", "base")  # payer classes; payers.csv may add categories of either class
REGIONAL, BASE = 0, 1
LANGS = ("kk", "ru", "en")
TRUE_WORDS = ("true", "1", "yes", "")
FALSE_WORDS = ("false", "0", "no")

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


@dataclass
class Receipts:
    unit: np.ndarray  # int32 booking unit
    year: np.ndarray  # int64
    tax: np.ndarray  # int32 index into Dataset.taxes
    payer: np.ndarray  # int16 payer category (Dataset.payer_names); classes via `classify`
    amount: np.ndarray  # float64, thousand tenge, may be negative
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def years(self) -> set[int]:
        if "years" not in self._cache:
            if self.year.size == 0:
                self._cache["years"] = set()
            else:
                lo = int(self.year.min())
                self._cache["years"] = set((np.flatnonzero(np.bincount(self.year - lo)) + lo).tolist())
        return self._cache["years"]

    def grid(self, years: list[int], n_units: int, n_taxes: int, base_mask: np.ndarray):
        """The receipts of `years` summed per (unit, year) x (payer class, tax), built once (grid.receipt_grid).
        `base_mask[category]` says which payer categories are base enterprises."""
        return receipt_grid(self, years, n_units, n_taxes, base_mask)

    def classify(self, base_mask: np.ndarray) -> "Receipts":
        """The same receipts with `payer` as a class: 0 regional, 1 base."""
        cls = base_mask.astype(np.int8)[self.payer]
        return Receipts(self.unit, self.year, self.tax, cls, self.amount)

    def select_years(self, years: list[int]) -> tuple["Receipts", np.ndarray]:
        """Rows of the given years, and each row's position in `years`."""
        yi = year_positions(self.year, years)
        keep = yi >= 0
        if keep.all():
            return self, yi
        sub = Receipts(self.unit[keep], self.year[keep], self.tax[keep], self.payer[keep], self.amount[keep])
        return sub, yi[keep]


@dataclass
class Needs:
    unit: np.ndarray
    year: np.ndarray
    function: np.ndarray
    priority: np.ndarray
    amount: np.ndarray
    kind: np.ndarray | None = None  # int8 index into KINDS (None: all current)


@dataclass
class Debt:
    """Local debt (debt.csv): one row per loan or issue, amounts in thousand tenge."""

    unit: np.ndarray  # the borrowing unit (its budget, or the nearest budget above)
    creditor: np.ndarray  # int8 index into CREDITORS
    instrument: list[str]
    currency: list[str]
    amount: np.ndarray  # principal at start_year
    rate: np.ndarray  # annual interest rate on the outstanding principal
    start_year: np.ndarray
    maturity_year: np.ndarray


@dataclass
class Norms:
    function: np.ndarray
    level: np.ndarray
    priority: np.ndarray
    driver: np.ndarray
    norm: np.ndarray


@dataclass
class Drivers:
    unit: np.ndarray
    year: np.ndarray
    driver: np.ndarray
    value: np.ndarray


@dataclass
class Bases:
    """Tax bases for the capacity basis: capacity = base x a standard rate."""

    unit: np.ndarray
    year: np.ndarray
    tax: np.ndarray
    base: np.ndarray


@dataclass
class Coefficients:
    unit: np.ndarray
    function: np.ndarray
    coefficient: np.ndarray
    factor: list[str] = field(default_factory=list)  # per row: density, climate, ... ("" if not given)
    reference: list[str] = field(default_factory=list)


@dataclass
class Programs:
    """Regional development programs for category 2 of targeted subventions (§3.3.3)."""

    program: list[str]
    unit: np.ndarray  # a region
    year: np.ndarray
    cost: np.ndarray
    score: np.ndarray


@dataclass
class Networks:
    """Network norms (§3.3.3): institutions a budget must run, from its population and area."""

    function: np.ndarray
    level: np.ndarray
    priority: np.ndarray
    institution: list[str]
    cost: np.ndarray  # per institution and year
    population_per_institution: np.ndarray  # NaN: no population rule
    area_per_institution: np.ndarray  # km2; NaN: no area rule (max_distance_km d gives pi d^2)
    reference: list[str]


@dataclass
class TaxSeries:
    """A real series of receipts by unit and year (tax_series.csv), for the tax criteria's stability and evenness."""

    unit: np.ndarray
    year: np.ndarray
    tax: list[str]
    amount: np.ndarray


def _empty_needs() -> Needs:
    z = np.zeros(0)
    return Needs(z.astype(np.int32), z.astype(np.int64), z.astype(np.int32), z.astype(np.int8), z)


@dataclass
class Dataset:
    folder: Path
    files: dict[str, Path]
    hierarchy: Hierarchy
    receipts: Receipts
    receipts_actual: Receipts | None
    receipts_revised: Receipts | None
    bases: Bases | None
    needs: Needs
    norms: Norms
    drivers: Drivers
    coefficients: Coefficients
    networks: Networks | None
    programs: Programs | None
    last_transfers: dict[str, np.ndarray] | None  # kind (general, category2) -> per unit, NaN where not given
    mandate_costs: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] | None  # mandate -> (unit, year, amount)
    taxes: list[str]
    functions: list[str]
    driver_names: list[str]
    payer_names: list[str] = field(default_factory=lambda: list(PAYERS))
    payer_is_base: np.ndarray = field(default_factory=lambda: np.array([False, True]))
    oil_elasticity: dict[str, float] = field(default_factory=dict)  # taxes.csv: how a tax moves with the oil price
    # oil_elasticity.csv: per region and tax, replacing taxes.csv's value for receipts booked in the region
    oil_elasticity_regions: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # (region unit, tax, elasticity)
    file_hashes: dict[str, str] = field(default_factory=dict)
    debt: Debt | None = None  # debt.csv: local debt, its service a mandatory need (rules/borrowing.py)
    needs_bases: dict[str, Needs] = field(default_factory=dict)  # basis -> its needs rows (NEEDS_BASES files present)
    needs_basis: str = "observed"  # the basis `needs` holds
    tax_series: TaxSeries | None = None

    def with_needs_basis(self, basis: str, source: str = "scenario") -> "Dataset":
        """The dataset with `needs` taken from the named needs basis (docs/METHOD.md "Needs bases")."""
        if basis == self.needs_basis:
            return self
        if basis not in self.needs_bases:
            have = ", ".join(sorted(self.needs_bases)) or "none"
            raise InterbudgetError(Problem(source, f"needs basis '{basis}' is not in the dataset {self.folder}: it needs "
                                                   f"{NEEDS_BASES.get(basis, '?')}.csv (bases present: {have})", column="needs_basis"))
        return replace(self, needs=self.needs_bases[basis], needs_basis=basis)
    listed_taxes: list[str] = field(default_factory=list)  # taxes.csv's taxes, where present
    warnings: list[str] = field(default_factory=list)  # what was accepted on request (--allow-duplicates)

    def tax_index(self) -> dict[str, int]:
        return {t: i for i, t in enumerate(self.taxes)}

    def tax_list(self) -> set[str]:
        """The dataset's tax list: taxes seen in a receipts file, and those of taxes.csv where present."""
        seen = np.zeros(len(self.taxes), dtype=bool)
        for r in (self.receipts, self.receipts_actual, self.receipts_revised):
            if r is not None and r.tax.size:
                seen |= np.bincount(r.tax, minlength=len(self.taxes))[: len(self.taxes)] > 0  # one pass, no sort
        return {t for t, s in zip(self.taxes, seen.tolist()) if s} | set(self.listed_taxes)

    def hashes(self) -> dict[str, str]:
        if not self.file_hashes:
            self.file_hashes = {p.name: sha256_file(p) for p in self.files.values()}
        return self.file_hashes


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


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
    if stem not in files:
        return None
    req, opt, needed = TABLES[stem]
    return T.read_table(files[stem], req, opt, problems, must_have_rows=needed, allow_duplicates=allow_duplicates)


def _load_units(t: T.RawTable, problems: Problems) -> tuple[pa.Array, Hierarchy | None]:
    name = t.name
    codes = T.strings(t, "code", problems)
    enc = pc.dictionary_encode(codes)
    T.duplicates(t, [np.asarray(enc.indices.to_numpy(zero_copy_only=False))], problems, "unit code", "code")
    level = T.choices(t, "level", list(LEVELS), problems)
    population = T.numbers(t, "population", problems, negative_ok=False, what="population")
    if t.has("has_budget"):
        hb = T.choices(t, "has_budget", list(TRUE_WORDS + FALSE_WORDS), problems, default="true")
        has_budget = hb < len(TRUE_WORDS)
    else:
        has_budget = np.ones(t.nrows, dtype=bool)
    parents = T.strings(t, "parent", problems, allow_empty=True)
    no_parent = T.to_np(pc.equal(pc.utf8_length(parents), 0), bool)
    parent = T.to_np(pc.index_in(parents, value_set=codes).fill_null(-1), np.int32, copy=True)
    unknown = (parent < 0) & ~no_parent
    T._report(t, "parent", unknown, parents, "unknown parent code '{value}'", problems)
    parent[no_parent | unknown] = -1

    republics = np.flatnonzero(level == REPUBLIC)
    if republics.size == 0:
        problems.add(name, "no unit has level 'republic'; exactly one is needed", column="level")
    elif republics.size > 1:
        listed = ", ".join(f"'{codes[int(i)].as_py()}' ({t.row_label(int(i))})" for i in republics[:5])
        problems.add(name, f"{republics.size} units have level 'republic' ({listed}); exactly one is allowed", column="level")
    rep_with_parent = (level == REPUBLIC) & ~no_parent
    T._report(t, "parent", rep_with_parent, parents, "the republic must have an empty parent, not '{value}'", problems)
    orphan = (level != REPUBLIC) & no_parent
    T._report(t, "parent", orphan, None, "empty parent: only the republic has none", problems)
    rep_no_budget = (level == REPUBLIC) & ~has_budget
    T._report(t, "has_budget", rep_no_budget, None, "the republic always has a budget", problems)

    # a cycle: some chain of parents never reaches the republic
    cyc = find_cycles(parent)
    if cyc.any():
        reported: set[int] = set()
        for start in np.flatnonzero(cyc)[:50].tolist():
            seen, u = [], start
            while u not in seen:  # error path only: walk one chain by hand
                seen.append(u)
                u = int(parent[u])
            loop = seen[seen.index(u):]
            if reported.intersection(loop):
                continue
            reported.update(loop)
            chain = " → ".join(f"'{codes[i].as_py()}'" for i in loop + [loop[0]])
            problems.add(name, f"cycle in the hierarchy: {chain}", t.row_label(loop[0]), "parent")
    else:
        # every other unit's parent is exactly one level up
        has_par = parent >= 0
        wrong = np.zeros(t.nrows, dtype=bool)
        wrong[has_par] = level[parent[has_par]] != level[has_par] - 1
        rows = np.flatnonzero(wrong)
        msgs = [
            f"parent '{codes[int(parent[i])].as_py()}' is a {LEVELS[level[parent[i]]]}; "
            f"the parent of a {LEVELS[level[i]]} must be a {LEVELS[max(level[i] - 1, 0)]}"
            for i in rows[: Problems.PER_KIND + 1]
        ]
        problems.add_rows(name, "parent", [t.row_label(int(i)) for i in rows], msgs + [""] * (rows.size - len(msgs)))

    if problems:
        return codes, None
    names = {lg: T.strings(t, f"name_{lg}", problems, allow_empty=True) for lg in LANGS}  # Arrow arrays, read per unit on demand
    h = Hierarchy(
        codes=np.asarray(codes.to_pylist(), dtype=object),
        parent=parent,
        level=level.astype(np.int8),
        has_budget=has_budget,
        population=population,
        names=names,
    )
    return codes, h


def _load_payers(t: T.RawTable | None, problems: Problems) -> tuple[list[str], np.ndarray]:
    """Payer categories: regional and base, then those of payers.csv with their class."""
    names, is_base = list(PAYERS), [False, True]
    if t is None:
        return names, np.array(is_base)
    cats = T.strings(t, "payer", problems)
    flag = T.choices(t, "base", list(TRUE_WORDS[:-1] + FALSE_WORDS), problems)
    listed = [str(x).lower() for x in cats.to_pylist()]
    for i, name in enumerate(listed):
        if name in names:
            where = "a payer class of METHOD.md" if name in PAYERS else f"given on {t.row_label(listed.index(name))}"
            problems.add(t.name, f"payer category '{name}' is already defined ({where})", t.row_label(i), "payer")
            continue
        names.append(name)
        is_base.append(bool(flag[i] < len(TRUE_WORDS) - 1))
    return names, np.array(is_base)


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


def load_dataset(folder: str | Path, allow_duplicates: bool = False) -> Dataset:
    """Read and check every file of a dataset; raise all problems together.

    A row repeated exactly is an error naming both rows; `allow_duplicates` keeps such rows as given and says so
    in `Dataset.warnings`, as it says of receipts given twice for one (code, year, tax, payer), which are summed."""
    folder = Path(folder)
    problems = Problems()
    files = _locate(folder, problems)
    raw = {stem: _read(files, stem, problems, allow_duplicates) for stem in TABLES}
    if raw["units"] is None:
        problems.raise_if_any()
    codes, h = _load_units(raw["units"], problems)
    taxes: dict[str, int] = {}
    functions: dict[str, int] = {}
    drivers: dict[str, int] = {}

    payer_names, payer_is_base = _load_payers(raw["payers"], problems)
    receipts, actual, revised = (_load_receipts(raw[k], codes, taxes, payer_names, problems) if raw[k] else None
                                 for k in ("receipts", "receipts_actual", "receipts_revised"))
    bases = None
    if (t := raw["bases"]) is not None:
        bases = Bases(unit=T.lookup(t, "code", codes, problems), year=T.integers(t, "year", problems),
                      tax=T.encode(t, "tax", problems, taxes), base=T.numbers(t, "base", problems, negative_ok=False, what="tax base"))
        T.duplicates(t, [bases.unit, bases.year, bases.tax], problems, "tax base for this (code, year, tax)")

    bases_of_needs = {"observed": _empty_needs()}
    for basis, stem in NEEDS_BASES.items():
        if (t := raw[stem]) is not None:
            bases_of_needs[basis] = Needs(
                unit=T.lookup(t, "code", codes, problems),
                year=T.integers(t, "year", problems),
                function=T.encode(t, "function", problems, functions),
                priority=T.choices(t, "priority", list(PRIORITIES), problems),
                amount=T.numbers(t, "amount", problems, negative_ok=False, what="need"),
                kind=T.choices(t, "kind", list(KINDS), problems, default="current") if t.has("kind") else None,
            )
    needs = bases_of_needs["observed"]
    if "needs" not in files and len(bases_of_needs) > 1:
        del bases_of_needs["observed"]  # no needs.csv: observed is not a basis of this dataset
    series = None
    if (t := raw["tax_series"]) is not None:
        series = TaxSeries(unit=T.lookup(t, "code", codes, problems), year=T.integers(t, "year", problems),
                           tax=T.strings(t, "tax", problems).to_pylist(), amount=T.numbers(t, "amount", problems, what="amount"))

    norms = Norms(*(np.zeros(0, dt) for dt in (np.int32, np.int8, np.int8, np.int32, np.float64)))
    if (t := raw["norms"]) is not None:
        norms = Norms(
            function=T.encode(t, "function", problems, functions),
            level=T.choices(t, "level", list(LEVELS), problems),
            priority=T.choices(t, "priority", list(PRIORITIES), problems),
            driver=T.encode(t, "driver", problems, drivers),
            norm=T.numbers(t, "norm", problems, negative_ok=False, what="norm"),
        )
        T.duplicates(t, [norms.function, norms.level], problems, "norm for this (function, level)")

    drv = Drivers(*(np.zeros(0, dt) for dt in (np.int32, np.int64, np.int32, np.float64)))
    if (t := raw["drivers"]) is not None:
        drv = Drivers(
            unit=T.lookup(t, "code", codes, problems),
            year=T.integers(t, "year", problems),
            driver=T.encode(t, "driver", problems, drivers),
            value=T.numbers(t, "value", problems, negative_ok=False, what="driver value"),
        )
        T.duplicates(t, [drv.unit, drv.year, drv.driver], problems, "driver value for this (code, year, driver)")

    coef = Coefficients(*(np.zeros(0, dt) for dt in (np.int32, np.int32, np.float64)))
    if (t := raw["coefficients"]) is not None:
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

    networks = _load_networks(raw["networks"], functions, problems) if raw["networks"] is not None else None
    oil, listed_taxes = {}, []
    if (t := raw["taxes"]) is not None:
        listed_taxes = T.strings(t, "tax", problems).to_pylist()
    if t is not None and t.has("oil_elasticity"):
        oil = dict(zip(listed_taxes, T.numbers(t, "oil_elasticity", problems, what="oil elasticity", empty=0.0).tolist()))
    oil_regions = None
    if (t := raw["oil_elasticity"]) is not None and h is not None:
        unit = T.lookup(t, "code", codes, problems)
        names = T.strings(t, "tax", problems)
        tax = np.array([taxes.get(str(n).strip(), -1) for n in names.to_pylist()], dtype=np.int32)
        T._report(t, "tax", tax < 0, names, "unknown tax '{value}' (not in receipts.csv)", problems)
        not_region = np.zeros(t.nrows, dtype=bool)
        not_region[unit >= 0] = h.level[unit[unit >= 0]] != 1
        T._report(t, "code", not_region, T.strings(t, "code", Problems()), "'{value}' is not a region: an oil elasticity is per region", problems)
        e = T.numbers(t, "oil_elasticity", problems, what="oil elasticity")
        T.duplicates(t, [unit, tax], problems, "oil elasticity for this (code, tax)")
        oil_regions = (unit, tax, e)
    mandate_costs = None
    if (t := raw["mandates"]) is not None:
        names = T.strings(t, "mandate", problems).to_pylist()
        unit, year = T.lookup(t, "code", codes, problems), T.integers(t, "year", problems)
        amount = T.numbers(t, "amount", problems, negative_ok=False, what="amount")
        mandate_costs = {}
        for name in dict.fromkeys(names):
            sel = np.array([n == name for n in names])
            mandate_costs[name] = (unit[sel], year[sel], amount[sel])
    last = None
    if (t := raw["last_transfers"]) is not None and h is not None:
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
    programs = None
    if (t := raw["programs"]) is not None:
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
    debt = _load_debt(raw["debt"], codes, problems) if raw["debt"] is not None else None
    if debt is not None:
        functions.setdefault("debt_service", len(functions))  # the need its service makes (rules/borrowing.py)
    area = (T.numbers(raw["units"], "area_km2", problems, negative_ok=False, what="area", empty=0.0)
            if raw["units"].has("area_km2") else np.zeros(raw["units"].nrows))  # empty: unknown, 0
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
    )
