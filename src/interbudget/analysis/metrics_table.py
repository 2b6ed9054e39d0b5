"""The metrics of a run as a record of tables (analysis/metrics.py computes them), and their metrics.json layout."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .table import Table


def _by(table: Table, key: str) -> dict[Any, list[dict[str, Any]]]:
    out: dict[Any, list[dict[str, Any]]] = {}
    for r in table.rows():
        out.setdefault(r[key], []).append(r)
    return out


@dataclass(frozen=True)
class Metrics:
    """The metrics of one run in one year (concept §3.3.2). Amounts in thousand tenge, capacities as ratios.

    - `capacity`: units (regions | budgets), when (before | after transfers), mean, gini, cv, theil, max_min —
      needs-adjusted fiscal capacity (own revenue / need), population-weighted;
    - `levels`: level, budgets, subvention_budgets, withdrawal_budgets, subvention_share, withdrawal_share,
      dependence, deficit_budgets — in `year`;
    - `stability`: level, year, net_transfer_change — Σ|Δ net transfer| / Σ|net transfer| against the year before;
    - `actual_gap`: level, year, actual_minus_plan_balance — Σ|actual − plan balance| in the actual track's years;
    - `retention`: code, name, year, this_year, after_reset — of one extra tenge collected in a region, what its
      budgets keep with the amounts fixed and after a reset of the medium term (empty when not measured);
    - `oil_exposure`: year, republic, republic_share_of_revenue, local — revenue change if the oil price falls by
      `oil_price_fall`, amounts fixed (None when the dataset has no oil elasticities);
    - `regions`: code, name, population, revenue, needs, net_transfer, capacity_before, capacity_after — each
      region consolidated (its budget and every budget below), in `year`.
    """

    scenario: str
    year: int
    years: tuple[int, ...]
    actual_years: tuple[int, ...] | None  # the actual track's years; None: the run has no actual track
    capacity: Table
    levels: Table
    stability: Table
    actual_gap: Table
    retention: Table
    oil_price_fall: float | None
    oil_exposure: Table | None
    regions: Table

    def stats(self, units: str, when: str) -> dict[str, float]:
        """mean, gini, cv, theil, max_min of `capacity` for UNITS (regions | budgets) WHEN (before | after)."""
        row = next(r for r in self.capacity.rows() if r["units"] == units and r["when"] == when)
        return {k: row[k] for k in ("mean", "gini", "cv", "theil", "max_min")}

    def to_dict(self) -> dict[str, Any]:
        """The layout of metrics.json: per-year values as lists over the scenario's years."""
        ntc, gap = _by(self.stability, "level"), _by(self.actual_gap, "level")
        stability = []
        for level in self.levels["level"].tolist():
            row: dict[str, Any] = {"level": level}
            if len(self.years) > 1:
                row["net_transfer_change"] = [r["net_transfer_change"] for r in ntc.get(level, [])]
            if self.actual_years is not None:
                row["actual_minus_plan_balance"] = [r["actual_minus_plan_balance"] for r in gap.get(level, [])]
            stability.append(row)
        retention = [{"code": rows[0]["code"], "name": rows[0]["name"], "this_year": [r["this_year"] for r in rows],
                      "after_reset": [r["after_reset"] for r in rows]} for rows in _by(self.retention, "code").values()]
        oil = None
        if self.oil_exposure is not None:
            o = self.oil_exposure
            oil = {"oil_price_fall": self.oil_price_fall, "republic": o["republic"].tolist(),
                   "republic_share_of_revenue": o["republic_share_of_revenue"].tolist(), "local": o["local"].tolist()}
        return {"scenario": self.scenario, "year": self.year,
                "regions": {w: self.stats("regions", w) for w in ("before", "after")},
                "budgets": {w: self.stats("budgets", w) for w in ("before", "after")},
                "levels": self.levels.rows(), "stability": stability, "retention": retention, "oil_exposure": oil,
                "region_rows": self.regions.rows()}
