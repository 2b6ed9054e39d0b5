"""A scenario: a reform as data (METHOD.md "Scenario"), validated by pydantic.

A scenario may `extends:` another file and override only what changes: maps
merge key by key, any other value replaces the inherited one, and `null`
removes an inherited key (for example a tax's sharing, which then goes
wholly to the republic). Every share or rate may be written as
`{value: 0.5, reference: "Budget Code art. 52"}` instead of a bare number.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import InterbudgetError, Problem
from .patch import apply as _merge  # `extends:` is a JSON merge patch of the parent
from .vocab import CREDITORS, KINDS
from .yamlfile import load as load_yaml

OPTIONS = (1, 2, 3, 4)
METHODS = ("M1", "M2", "M3", "M4")
SHARE_LEVELS = ("region", "district", "rural")
DEFAULT_REGULATED = ["iit_source", "social_tax"]
OPTION4_REGULATED = ["iit_source", "social_tax", "vat"]
NEEDS_BASES = {"observed": "needs", "law": "needs_law", "normative": "needs_normative"}  # basis -> its file's stem


def _check_share(v: float, what: str = "share") -> float:
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"{what} {v} is outside [0, 1]")
    return v


def _one_of(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"unknown {what} '{value}': choose {', '.join(allowed[:-1])} or {allowed[-1]}")
    return value


def _unwrap(value: Any, refs: dict[str, str], key: str) -> Any:
    """Accept `{value: x, reference: r}` for any share or rate."""
    if isinstance(value, dict) and "value" in value:
        extra = set(value) - {"value", "reference"}
        if extra:
            raise ValueError(f"unknown key(s) {', '.join(sorted(extra))} beside value/reference")
        if value.get("reference"):
            refs[key] = str(value["reference"])
        return value["value"]
    return value


class TaxShares(BaseModel):
    """Shares of one tax kept by each level's budget; the republic gets 1 - sum."""

    model_config = ConfigDict(extra="forbid")
    region: float = 0.0
    district: float = 0.0
    rural: float = 0.0
    reference: str | None = None
    references: dict[str, str] = Field(default_factory=dict)  # level -> act, article, date

    @model_validator(mode="before")
    @classmethod
    def _values(cls, data: Any) -> Any:
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise ValueError("expected a map of level: share, e.g. {region: 0.5, district: 0.5}")
        data = dict(data)
        refs = dict(data.get("references") or {})
        for lvl in SHARE_LEVELS:
            if lvl in data:
                data[lvl] = _unwrap(data[lvl], refs, lvl)
        data["references"] = refs
        return data

    @field_validator("region", "district", "rural")
    @classmethod
    def _in_unit_interval(cls, v: float) -> float:
        return _check_share(v)

    @model_validator(mode="after")
    def _sum(self) -> "TaxShares":
        total = self.region + self.district + self.rural
        if total > 1.0 + 1e-12:
            raise ValueError(f"shares sum to {total:g}, above 1")
        return self

    def level(self, lvl: str) -> float:
        return float(getattr(self, lvl))


Method = str


class CapacityRate(BaseModel):
    """Standard rate applied to a tax base (bases.csv) to get revenue capacity."""

    model_config = ConfigDict(extra="forbid")
    rate: float
    reference: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare(cls, data: Any) -> Any:
        return {"rate": data} if isinstance(data, (int, float)) and not isinstance(data, bool) else data

    @field_validator("rate")
    @classmethod
    def _rate(cls, v: float) -> float:
        if not 0.0 <= v:
            raise ValueError(f"rate {v} is negative")
        return v


class Targeted(BaseModel):
    """Category 2 of targeted subventions: a pool for regional development programs (programs.csv)."""

    model_config = ConfigDict(extra="forbid")
    pool: float | dict[int, float] = 0.0  # one amount for every year, or per year
    region_cap: float | None = None  # the largest share of the pool one region may get
    reference: str | None = None

    @field_validator("region_cap")
    @classmethod
    def _cap(cls, v: float | None) -> float | None:
        return None if v is None else _check_share(v, "region_cap")

    @field_validator("pool")
    @classmethod
    def _pool(cls, v):
        for x in (v.values() if isinstance(v, dict) else [v]):
            if x < 0:
                raise ValueError(f"pool {x} is negative")
        return v

    def pool_for(self, year: int) -> float:
        return float(self.pool.get(year, 0.0)) if isinstance(self.pool, dict) else float(self.pool)


class Envelope(BaseModel):
    """A fixed envelope for the regions' subventions (general) or for category 2, distributed by need,
    with floors and ceilings relative to last period's amounts (last_transfers.csv)."""

    model_config = ConfigDict(extra="forbid")
    applies_to: str = "general"
    total: float | dict[int, float]
    floor: float | None = None  # share of last period's amount
    ceiling: float | None = None
    scale: float | dict[int, float] | None = None  # an official scaling value instead of solving
    reference: str | None = None

    @field_validator("applies_to")
    @classmethod
    def _applies(cls, v: str) -> str:
        return _one_of(v, ("general", "category2"), "envelope target")

    @model_validator(mode="after")
    def _bounds(self) -> "Envelope":
        for name in ("floor", "ceiling"):
            v = getattr(self, name)
            if v is not None and v < 0:
                raise ValueError(f"{name} {v} is negative")
        if self.floor is not None and self.ceiling is not None and self.floor > self.ceiling:
            raise ValueError(f"floor {self.floor} is above ceiling {self.ceiling}")
        for x in (self.total.values() if isinstance(self.total, dict) else [self.total]):
            if x < 0:
                raise ValueError(f"total {x} is negative")
        return self

    def for_year(self, key: str, year: int) -> float | None:
        v = getattr(self, key)
        return v.get(year) if isinstance(v, dict) else v


class Mandate(BaseModel):
    """A function handed to a lower level by a higher level's decision (§3.3.1), after the medium-term
    amounts were fixed: its cost is a new need; with `compensate` the decider pays it down the chain."""

    model_config = ConfigDict(extra="forbid")
    name: str
    function: str
    level: str  # the level that must now perform and pay: region, district or rural
    decided_by: str  # a level above it: republic, region or district
    from_year: int
    per_capita: float | None = None  # thousand tenge per person of each budget's territory
    priority: str = "mandatory"
    compensate: bool = False
    reference: str | None = None

    @model_validator(mode="after")
    def _levels(self) -> "Mandate":
        order = ("republic", "region", "district", "rural")
        if self.level not in order[1:]:
            raise ValueError(f"mandate '{self.name}': level '{self.level}' must be region, district or rural")
        if self.decided_by not in order or order.index(self.decided_by) >= order.index(self.level):
            raise ValueError(f"mandate '{self.name}': decided_by '{self.decided_by}' must be a level above '{self.level}'")
        if self.priority not in ("mandatory", "basic", "additional"):
            raise ValueError(f"mandate '{self.name}': unknown priority '{self.priority}'")
        if self.per_capita is not None and self.per_capita < 0:
            raise ValueError(f"mandate '{self.name}': per_capita {self.per_capita} is negative")
        return self


class Revision(BaseModel):
    """Re-fix subventions and withdrawals from `from_year` on the projections of receipts_revised.csv."""

    model_config = ConfigDict(extra="forbid")
    from_year: int
    reference: str | None = None


SEQUESTRABLE = ("additional", "basic", "mandatory")
DEFAULT_ORDER = ["additional.development", "additional.current", "basic.development", "basic.current", "mandatory.development"]


class Sequestration(BaseModel):
    """When revenue falls short on the actual or revised track (§1, §3.3.3): the order of cuts; mandatory current
    spending and protected functions are never cut (rules/sequestration.py)."""

    model_config = ConfigDict(extra="forbid")
    order: list[str] = Field(default_factory=lambda: list(DEFAULT_ORDER))  # "priority" or "priority.kind"
    protected: list[str] = Field(default_factory=list)  # functions never cut, in any budget
    max_share: float = 1.0  # no step is cut by more than this share of its spending in a year
    reference: str | None = None

    @field_validator("max_share")
    @classmethod
    def _max_share(cls, v: float) -> float:
        return _check_share(v, "max_share")

    @field_validator("order")
    @classmethod
    def _order(cls, v: list[str]) -> list[str]:
        steps: list[str] = []
        for step in v:
            priority, _, kind = str(step).partition(".")
            if priority not in SEQUESTRABLE:
                raise ValueError(f"unknown step '{step}': a priority ({', '.join(SEQUESTRABLE)}), optionally .current or .development")
            if kind and kind not in KINDS:
                raise ValueError(f"unknown kind in step '{step}': choose current or development")
            if priority == "mandatory" and kind != "development":
                raise ValueError(f"step '{step}': mandatory current spending is never cut (§3.3.3); write mandatory.development")
            for k in ([kind] if kind else ["development", "current"]):  # a priority alone: development first
                if f"{priority}.{k}" in steps:
                    raise ValueError(f"step '{step}': {priority} {k} spending is already in the order")
                steps.append(f"{priority}.{k}")
        return steps


class Borrowing(BaseModel):
    """A deficit left after sequestration is borrowed within legal limits (rules/borrowing.py, §1, §3.3.3)."""

    model_config = ConfigDict(extra="forbid")
    lenders: list[str] = Field(default_factory=lambda: ["republic"])  # allowed lenders; new loans come from the first
    rate: float = 0.0  # annual interest on new loans (and on refinanced debt)
    term: int = 5  # years of equal amortization of a new loan, from the year after it is taken
    max_debt_to_revenue: float | None = None  # debt at year end / (revenue + subvention - withdrawal)
    max_service_to_revenue: float | None = None  # debt service of the year / the same
    refinance: bool = False  # §3.3.3: third-party debt refinanced by budget credits of the republic at `rate`
    reference: str | None = None

    @field_validator("lenders")
    @classmethod
    def _lenders(cls, v: list[str]) -> list[str]:
        for x in v:
            _one_of(x, CREDITORS, "lender")
        if not v:
            raise ValueError("at least one lender is needed (republic, bank, bond or other)")
        return v

    @field_validator("rate")
    @classmethod
    def _rate(cls, v: float) -> float:
        if not 0.0 <= v <= 1.0:
            raise ValueError(f"rate {v} is outside [0, 1] (a fraction a year: 0.05 for 5 %)")
        return v

    @field_validator("term")
    @classmethod
    def _term(cls, v: int) -> int:
        if v < 1:
            raise ValueError(f"term {v} must be at least 1 year")
        return v

    @field_validator("max_debt_to_revenue", "max_service_to_revenue")
    @classmethod
    def _limit(cls, v: float | None) -> float | None:
        if v is not None and v < 0:
            raise ValueError(f"limit {v} is negative")
        return v

    @model_validator(mode="after")
    def _refinance(self) -> "Borrowing":
        if self.refinance and "republic" not in self.lenders:
            raise ValueError("refinance: true refinances by budget credits of the republic: list republic among the lenders")
        return self


class ActualShock(BaseModel):
    """Actual receipts of some years made from the plan's by a shock (rules/shock.py): an oil-price fall."""

    model_config = ConfigDict(extra="forbid")
    years: list[int]
    taxes: dict[str, float] = Field(default_factory=dict)  # tax -> change (-0.3: a 30 % fall)
    payers: dict[str, float] = Field(default_factory=dict)  # payer category -> change
    reference: str | None = None

    @field_validator("taxes", "payers")
    @classmethod
    def _changes(cls, v: dict[str, float]) -> dict[str, float]:
        for k, x in v.items():
            if x < -1.0:
                raise ValueError(f"change {x} for '{k}' is below -1 (receipts cannot fall by more than 100 %)")
        return v


class Scenario(BaseModel):
    """A validated scenario (METHOD.md "Scenario"), frozen: a reform is made with `with_changes(diff)`, which
    validates the result with the same messages as a YAML file."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    description: str | None = None
    years: list[int]
    option: int = 1
    district_method: Method | dict[str, Method] = "M3"
    rural_method: Method | dict[str, Method] = "M3"
    regulated_taxes: list[str] | None = None
    sharing: dict[str, TaxShares] = Field(default_factory=dict)
    sharing_base: dict[str, TaxShares] | None = None
    child_shares: dict[str, dict[str, float]] = Field(default_factory=dict)
    withdrawal_rate: float = 1.0
    references: dict[str, str] = Field(default_factory=dict)  # key -> act, article, date
    # interbudget extensions (docs/METHOD.md): all optional, old scenarios unchanged
    base_payers: list[str] | None = None  # payer categories treated as base enterprises
    rural_budgets: bool | None = None  # False: rural units have no budgets of their own (§3.4 before 2018)
    capacity: dict[str, CapacityRate] = Field(default_factory=dict)  # tax -> standard rate on bases.csv
    revision: Revision | None = None
    transfer_model: str = "general"  # general (METHOD.md) or targeted (§3.3.3, two categories)
    targeted: Targeted | None = None
    envelope: Envelope | None = None
    mandates: list[Mandate] = Field(default_factory=list)
    region_shares: dict[str, float] | None = None  # options 2/4: official (e.g. optimized) shares instead of computing them
    sequestration: Sequestration | None = None  # cuts when revenue falls short (actual and revised tracks)
    borrowing: Borrowing | None = None  # deficits after cuts borrowed within limits
    actual_shock: ActualShock | None = None  # actual receipts of some years from the plan's by a shock
    rural_programmes: bool = False  # §3.4: okrugs run as protected programmes of the district budget, not own budgets
    needs_basis: str = "observed"  # which needs the dataset's basis files give: observed, law or normative (docs/METHOD.md)

    @model_validator(mode="before")
    @classmethod
    def _rate_reference(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("withdrawal_rate"), dict):
            data = dict(data)
            refs = dict(data.get("references") or {})
            data["withdrawal_rate"] = _unwrap(data["withdrawal_rate"], refs, "withdrawal_rate")
            data["references"] = refs
        return data

    @field_validator("years")
    @classmethod
    def _years(cls, v: list[int]) -> list[int]:
        if not v:
            raise ValueError("at least one year is needed")
        dup = sorted({y for y in v if v.count(y) > 1})
        if dup:
            raise ValueError(f"year {dup[0]} is listed twice")
        return v

    @field_validator("option")
    @classmethod
    def _option(cls, v: int) -> int:
        if v not in OPTIONS:
            raise ValueError(f"unknown option {v}: choose 1, 2, 3 or 4")
        return v

    @field_validator("district_method", "rural_method")
    @classmethod
    def _method(cls, v: Any) -> Any:
        items = v.items() if isinstance(v, dict) else [(None, v)]
        for region, m in items:
            if m not in METHODS:
                at = f" for region '{region}'" if region is not None else ""
                raise ValueError(f"unknown method '{m}'{at}: choose M1, M2, M3 or M4")
        return v

    @field_validator("child_shares")
    @classmethod
    def _child_shares(cls, v: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for code, taxes in v.items():
            for tax, share in taxes.items():
                _check_share(share, f"share of '{tax}' for '{code}'")
        return v

    @field_validator("region_shares")
    @classmethod
    def _region_shares(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        for code, share in (v or {}).items():
            _check_share(share, f"region share for '{code}'")
        return v

    @field_validator("needs_basis")
    @classmethod
    def _needs_basis(cls, v: str) -> str:
        return _one_of(v, tuple(NEEDS_BASES), "needs_basis")

    @field_validator("transfer_model")
    @classmethod
    def _model(cls, v: str) -> str:
        return _one_of(v, ("general", "targeted"), "transfer_model")

    @model_validator(mode="after")
    def _targeted_only_when_asked(self) -> "Scenario":
        if self.targeted is not None and self.transfer_model != "targeted":
            raise ValueError("'targeted' settings are given but transfer_model is not 'targeted'")
        if self.envelope is not None and self.envelope.applies_to == "category2" and self.transfer_model != "targeted":
            raise ValueError("an envelope for category2 needs transfer_model: targeted")
        if self.envelope is not None:
            missing = [y for y in self.years if self.envelope.for_year("total", y) is None]
            if missing:
                raise ValueError(f"the envelope has no total for {', '.join(map(str, missing))}")
        return self

    @model_validator(mode="after")
    def _shock_years(self) -> "Scenario":
        if self.actual_shock is not None:
            other = [y for y in self.actual_shock.years if y not in self.years]
            if other:
                raise ValueError(f"actual_shock year {other[0]} is not a year of the scenario")
        return self

    @model_validator(mode="after")
    def _rural_programmes(self) -> "Scenario":
        if self.rural_programmes and self.rural_budgets:
            raise ValueError("rural_programmes: true runs the okrugs inside the district budget; it contradicts rural_budgets: true")
        return self

    @model_validator(mode="after")
    def _revision_year(self) -> "Scenario":
        if self.revision is not None:
            later = [y for y in self.years if y > min(self.years)]
            if self.revision.from_year not in later:
                raise ValueError(f"revision.from_year {self.revision.from_year} must be a later year of the medium term "
                                 f"({', '.join(map(str, later)) or 'none'})")
        return self

    @field_validator("withdrawal_rate")
    @classmethod
    def _rate(cls, v: float) -> float:
        return _check_share(v, "withdrawal_rate")

    # ---- changes -------------------------------------------------------
    def document(self) -> dict:
        """The scenario's keys as given (defaults not filled in): what a YAML file after `extends:` would hold."""
        return self.model_dump(exclude_unset=True)

    def with_changes(self, diff: dict, source: str = "changes") -> "Scenario":
        """This scenario with DIFF applied as `extends:` applies a file (a JSON merge patch: maps merge key by key,
        other values replace, None removes a key), validated like a file: an unknown key, a share outside
        [0, 1] or an unknown option raise InterbudgetError with the YAML path's messages, SOURCE as the file."""
        if not isinstance(diff, dict):
            raise InterbudgetError(Problem(source, "the changes must be a map of scenario keys"))
        return validate_scenario(_merge(self.document(), diff), source)

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> "Scenario":
        """A copy; with UPDATE its keys are replaced and the result is validated (never an invalid scenario)."""
        if not update:
            return super().model_copy(deep=deep)
        return validate_scenario({**self.document(), **update}, "model_copy")

    # ---- option semantics (CONCEPT §3.3.2), named so that no rule tests option numbers ----
    @property
    def fixed_uniform_shares(self) -> bool:
        """Option 1: one fixed share per tax and level, the same in every region."""
        return self.option == 1

    @property
    def region_specific_shares(self) -> bool:
        """Options 2 and 4: the oblast's share of the regulated taxes is set region by region."""
        return self.option in (2, 4)

    @property
    def centralizes_regulated_taxes(self) -> bool:
        """Option 3: the regulated taxes go to the republic at every level (the withdrawals disappear)."""
        return self.option == 3

    @property
    def base_payers_to_republic(self) -> bool:
        """Option 4: the base (large) enterprises' receipts go wholly to the republic."""
        return self.option == 4

    # ---- derived -------------------------------------------------------
    @property
    def regulated(self) -> list[str]:
        if self.regulated_taxes is not None:
            return list(self.regulated_taxes)
        return list(OPTION4_REGULATED if self.base_payers_to_republic else DEFAULT_REGULATED)

    def share(self, tax: str, level: str, base: bool = False) -> float:
        table = self.sharing_base if (base and self.sharing_base is not None) else self.sharing
        ts = table.get(tax)
        return ts.level(level) if ts else 0.0

    def method_for(self, tier: str, region_code: str) -> str:
        m = self.district_method if tier == "district" else self.rural_method
        if isinstance(m, dict):
            return m.get(region_code, "M3")
        return m

    def methods_used(self) -> set[str]:
        out: set[str] = set()
        for m in (self.district_method, self.rural_method):
            out.update(m.values() if isinstance(m, dict) else [m])
        return out




def _read_yaml(path: Path, chain: list[Path]) -> tuple[dict, list[Path]]:
    if path in chain:
        loop = " → ".join(p.name for p in chain + [path])
        raise InterbudgetError(Problem(chain[0].name, f"'extends' loops: {loop}"))
    if not path.is_file():
        who = f" (extended by {chain[-1].name})" if chain else ""
        raise InterbudgetError(Problem(str(path), f"scenario file not found{who}"))
    try:
        data = load_yaml(path.read_text(encoding="utf-8"), path.name)  # a key given twice is an error naming its line
    except UnicodeDecodeError:
        raise InterbudgetError(Problem(path.name, "not valid UTF-8")) from None
    if data is None:
        raise InterbudgetError(Problem(path.name, "the scenario file is empty"))
    if not isinstance(data, dict):
        raise InterbudgetError(Problem(path.name, "a scenario must be a map of keys (name, years, option, ...)"))
    for key in ("child_shares", "region_shares"):
        for code in (data.get(key) or {}):
            if not isinstance(code, str):
                raise InterbudgetError(Problem(path.name, f"code {code!r} must be quoted ('{code}') so leading zeros are kept", column=key))
    for key in ("district_method", "rural_method"):
        if isinstance(data.get(key), dict):
            for code in data[key]:
                if not isinstance(code, str):
                    raise InterbudgetError(Problem(path.name, f"region code {code!r} must be quoted ('{code}')", column=key))
    files = [path]
    parent = data.pop("extends", None)
    if parent is not None:
        base, more = _read_yaml((path.parent / str(parent)).resolve(), chain + [path])
        data = _merge(base, data)
        files += more
    return data, files


def _loc(loc: tuple) -> str:
    return ".".join(str(x) for x in loc if not str(x).startswith("function-")) or "scenario"


def read_scenario_data(path: str | Path) -> tuple[dict, list[Path]]:
    """The scenario's keys after inheritance (not yet validated), and every file they were read from."""
    return _read_yaml(Path(path).resolve(), [])


def validate_scenario(data: dict, source: str) -> Scenario:
    """DATA as a Scenario; else every problem, each with its key path (`sharing.vat.region`) as the column."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            msg = str(err["msg"]).removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown key (check its spelling against METHOD.md)"
            elif err["type"] == "missing":
                msg = "required key is missing"
            problems.append(Problem(source, msg, column=_loc(err["loc"])))
        raise InterbudgetError(problems) from None


def load_scenario(path: str | Path) -> tuple[Scenario, list[Path]]:
    """The scenario after inheritance, and every file it was read from."""
    data, files = read_scenario_data(path)
    return validate_scenario(data, files[0].name), files


def scenario_dict(s: Scenario) -> dict:
    """The scenario with every default filled in, for manifests and explanations."""
    d = s.model_dump(mode="json")
    d["regulated_taxes"] = s.regulated
    return d
