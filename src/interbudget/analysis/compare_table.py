"""A comparison of scenarios as a record of tables (analysis/compare.py computes it), and its compare.json layout."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .table import Table

#: the budget rows of one pair of scenarios
ROW_COLUMNS = ("code", "name", "level", "population", "net_before", "net_after", "change", "balance_before", "balance_after",
               "balance_change", "status_before", "status_after")
#: the population bands of one pair (budgets below the republic); `high` is inf for the last band
BAND_COLUMNS = ("low", "high", "budgets", "transfer_up", "transfer_down", "balance_up", "balance_down", "change", "balance_change",
                "change_per_capita_tenge")
#: the kinds of status change, in the order compare.json lists them
TRANSITIONS = ("became_subvention", "stopped_subvention", "became_donor", "stopped_donor", "entered", "left")
#: one row per region and scenario; change and change_per_capita_tenge are against the first scenario (0 for it)
REGION_COLUMNS = ("code", "name", "population", "scenario", "net_transfer", "capacity_after", "change", "change_per_capita_tenge")


def band_label(low: float, high: float) -> str:
    """'2,000–10,000', or '1,000,000+' for the last band."""
    return f"{int(low):,}–{int(high):,}" if high != float("inf") else f"{int(low):,}+"


def movers(rows: list[dict], n: int = 10) -> dict[str, list[dict]]:
    """The budgets (below the republic) whose net transfer, and apart from it whose balance, moved most (by half a
    thousand tenge at least): transfer_losses, transfer_gains, balance_losses, balance_gains, at most N each."""
    local = [r for r in rows if r["level"] != "republic"]
    by_t = sorted(local, key=lambda r: r["change"])
    by_b = sorted(local, key=lambda r: r["balance_change"])
    return {"transfer_losses": [r for r in by_t[:n] if r["change"] < -0.5],
            "transfer_gains": [r for r in by_t[::-1][:n] if r["change"] > 0.5],
            "balance_losses": [r for r in by_b[:n] if r["balance_change"] < -0.5],
            "balance_gains": [r for r in by_b[::-1][:n] if r["balance_change"] > 0.5]}


@dataclass(frozen=True)
class Pair:
    """One scenario against another: `rows` (ROW_COLUMNS, one per budget both have; amounts in thousand tenge),
    `transitions` (transition, code: TRANSITIONS), `bands` (BAND_COLUMNS)."""

    source: str
    target: str
    rows: Table
    transitions: Table
    bands: Table

    def movers(self, n: int = 10) -> dict[str, list[dict]]:
        return movers(self.rows.rows(), n)

    def to_dict(self) -> dict[str, Any]:
        transitions: dict[str, list[str]] = {k: [] for k in TRANSITIONS}
        for r in self.transitions.rows():
            transitions[r["transition"]].append(r["code"])
        bands = [{"band": band_label(b["low"], b["high"]), **{k: b[k] for k in BAND_COLUMNS[2:]}} for b in self.bands.rows()]
        rows = self.rows.rows()
        return {"from": self.source, "to": self.target, "rows": rows, "transitions": transitions, "bands": bands, **movers(rows)}


@dataclass(frozen=True)
class Comparison:
    """Current law, a draft and amendments in one `year` (concept §3.3.2): `regions` (REGION_COLUMNS) and one `Pair`
    per comparison (the base against each other scenario, then the draft against each amendment)."""

    year: int
    scenarios: tuple[str, ...]
    regions: Table
    pairs: tuple[Pair, ...]

    def to_dict(self) -> dict[str, Any]:
        """The layout of compare.json (and /api/compare): per region one row with a column per scenario,
        `net_transfer[NAME]`, `capacity_after[NAME]`, then `change[NAME]`, `change_per_capita_tenge[NAME]`."""
        regions: dict[str, dict[str, Any]] = {}
        later: dict[str, dict[str, Any]] = {}
        for i, r in enumerate(self.regions.rows()):
            row = regions.setdefault(r["code"], {"code": r["code"], "name": r["name"], "population": r["population"]})
            n = r["scenario"]
            row[f"net_transfer[{n}]"], row[f"capacity_after[{n}]"] = r["net_transfer"], r["capacity_after"]
            if i % len(self.scenarios):  # not the base
                later.setdefault(r["code"], {}).update({f"change[{n}]": r["change"], f"change_per_capita_tenge[{n}]": r["change_per_capita_tenge"]})
        for code, extra in later.items():
            regions[code].update(extra)
        return {"year": self.year, "scenarios": list(self.scenarios), "regions": list(regions.values()),
                "comparisons": [p.to_dict() for p in self.pairs]}
