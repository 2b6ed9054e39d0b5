"""The scenario's building blocks: options, methods and levels, and the small records a scenario is made of
(shares of a tax, capacity rates, the targeted transfer model, the envelope, mandates), each validated."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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
    def _sum(self) -> TaxShares:
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
        if not v >= 0.0:
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
    def _bounds(self) -> Envelope:
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
    def _levels(self) -> Mandate:
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
