"""The scenario's records for the budget year as it unfolds: a revision of the medium term, sequestration,
borrowing and a shock to actual receipts, each validated."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..vocab import CREDITORS, KINDS
from .parts import _check_share, _one_of


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
    def _refinance(self) -> Borrowing:
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
