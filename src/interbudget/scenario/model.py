"""The Scenario model (METHOD.md "Scenario"): every key validated, frozen, changed only through
`with_changes` (a JSON merge patch validated like a file); option semantics as named properties."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import InterbudgetError, Problem
from ..patch import apply as _merge
from .fiscal import ActualShock, Borrowing, Revision, Sequestration
from .parts import (
    DEFAULT_REGULATED,
    METHODS,
    NEEDS_BASES,
    OPTION4_REGULATED,
    OPTIONS,
    CapacityRate,
    Envelope,
    Mandate,
    Method,
    Targeted,
    TaxShares,
    _check_share,
    _one_of,
    _unwrap,
)


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
    def _targeted_only_when_asked(self) -> Scenario:
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
    def _shock_years(self) -> Scenario:
        if self.actual_shock is not None:
            other = [y for y in self.actual_shock.years if y not in self.years]
            if other:
                raise ValueError(f"actual_shock year {other[0]} is not a year of the scenario")
        return self

    @model_validator(mode="after")
    def _rural_programmes(self) -> Scenario:
        if self.rural_programmes and self.rural_budgets:
            raise ValueError("rural_programmes: true runs the okrugs inside the district budget; it contradicts rural_budgets: true")
        return self

    @model_validator(mode="after")
    def _revision_year(self) -> Scenario:
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

    def with_changes(self, diff: dict, source: str = "changes") -> Scenario:
        """This scenario with DIFF applied as `extends:` applies a file (a JSON merge patch: maps merge key by key,
        other values replace, None removes a key), validated like a file: an unknown key, a share outside
        [0, 1] or an unknown option raise InterbudgetError with the YAML path's messages, SOURCE as the file."""
        if not isinstance(diff, dict):
            raise InterbudgetError(Problem(source, "the changes must be a map of scenario keys"))
        return validate_scenario(_merge(self.document(), diff), source)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Scenario:
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


def _loc(loc: tuple) -> str:
    return ".".join(str(x) for x in loc if not str(x).startswith("function-")) or "scenario"



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
