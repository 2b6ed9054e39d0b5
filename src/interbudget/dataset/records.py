"""The typed records a dataset folder becomes: receipts, needs, debt, norms, ... and the `Dataset` holding them.

Codes are integer indices (units by their row in units.csv, taxes,
functions and drivers by small vocabularies); amounts are float64 arrays
in thousand tenge. Built by `load_dataset` (dataset.py).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ..errors import InterbudgetError, Problem
from ..grid import receipt_grid, year_positions
from ..hierarchy import Hierarchy
from ..scenario import NEEDS_BASES  # the needs bases and their files (docs/METHOD.md "Needs bases")

PRIORITIES = ("mandatory", "basic", "additional")
PAYERS = ("regional", "base")  # payer classes; payers.csv may add categories of either class
REGIONAL, BASE = 0, 1
LANGS = ("kk", "ru", "en")
TRUE_WORDS = ("true", "1", "yes", "")
FALSE_WORDS = ("false", "0", "no")


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

    def classify(self, base_mask: np.ndarray) -> Receipts:
        """The same receipts with `payer` as a class: 0 regional, 1 base."""
        cls = base_mask.astype(np.int8)[self.payer]
        return Receipts(self.unit, self.year, self.tax, cls, self.amount)

    def select_years(self, years: list[int]) -> tuple[Receipts, np.ndarray]:
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

    def with_needs_basis(self, basis: str, source: str = "scenario") -> Dataset:
        """The dataset with `needs` taken from the named needs basis (docs/METHOD.md "Needs bases")."""
        if basis == self.needs_basis:
            return self
        if basis in self.needs_bases_unread:  # load_dataset(..., needs_basis=...) read one basis: never an empty one
            raise InterbudgetError(Problem(source, f"needs basis '{basis}' was not read: the dataset {self.folder} was loaded "
                                                   f"with needs_basis='{self.needs_basis}' only (load_dataset without "
                                                   "needs_basis reads every basis)", column="needs_basis"))
        if basis not in self.needs_bases:
            have = ", ".join(sorted(set(self.needs_bases) | set(self.needs_bases_unread))) or "none"
            raise InterbudgetError(Problem(source, f"needs basis '{basis}' is not in the dataset {self.folder}: it needs "
                                                   f"{NEEDS_BASES.get(basis, '?')}.csv (bases present: {have})", column="needs_basis"))
        return replace(self, needs=self.needs_bases[basis], needs_basis=basis)
    listed_taxes: list[str] = field(default_factory=list)  # taxes.csv's taxes, where present
    warnings: list[str] = field(default_factory=list)  # what was accepted on request (--allow-duplicates)
    needs_bases_unread: tuple[str, ...] = ()  # bases whose files are present but were not read (load_dataset needs_basis)

    def tax_index(self) -> dict[str, int]:
        return {t: i for i, t in enumerate(self.taxes)}

    def tax_list(self) -> set[str]:
        """The dataset's tax list: taxes seen in a receipts file, and those of taxes.csv where present."""
        seen = np.zeros(len(self.taxes), dtype=bool)
        for r in (self.receipts, self.receipts_actual, self.receipts_revised):
            if r is not None and r.tax.size:
                seen |= np.bincount(r.tax, minlength=len(self.taxes))[: len(self.taxes)] > 0  # one pass, no sort
        return {t for t, s in zip(self.taxes, seen.tolist(), strict=True) if s} | set(self.listed_taxes)

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

