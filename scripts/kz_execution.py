"""The executed regional budgets (MinFin bulletin) and the BNS drivers, read for the build scripts.

`../shared/data/kz/execution/SOURCES.md` and `drivers/SOURCES.md` cite every figure;
read their caveats: the three regions formed in 2022 lack 2022-2023 rows, the
November 2023 issue is doubled (only December is used), 2025 and 2026 are
year-to-date (never used as full years).
"""
from __future__ import annotations

import csv
from pathlib import Path

FULL_YEARS = {2022: "2022-12-01", 2023: "2023-12-01", 2024: "2024-12-01"}  # December issues: the full year
SERIES_ITEMS = ("REV.PIT", "REV.CIT", "REV.SOCIAL_TAX", "REV.EXCISE")  # the itemized taxes of the bulletin
SPLIT_2022 = "territory changed mid-year"  # a 2022 parent's figure in mixed borders: not comparable


def read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def execution(shared: Path, date: str) -> dict[tuple[str, str], dict]:
    """(kato2, item) -> the source row of that report month (kato2 'ALL': the national row)."""
    out = {}
    for r in read(shared / "data" / "kz" / "execution" / "execution.csv"):
        if r["date_in_source"] == date:
            out[r["kato2"] or "ALL", r["item_code"]] = r
    return out


def value(ex: dict, k2: str, item: str) -> float:
    return float(ex[k2, item]["value_thousand_kzt"])


def tax_series(region_code: dict[str, str], shared: Path, taxes: dict[str, list[str]]) -> list[list]:
    """The real regional series of the itemized taxes, full years only, comparable borders only:
    rows code, year, tax, amount, source; `taxes` maps a bulletin item to the dataset taxes it informs."""
    rows = []
    for r in read(shared / "data" / "kz" / "execution" / "execution.csv"):
        y = int(r["year"])
        if r["item_code"] not in taxes or FULL_YEARS.get(y) != r["date_in_source"] or r["kato2"] not in region_code:
            continue
        if SPLIT_2022 in r["note"]:
            continue
        for tax in taxes[r["item_code"]]:
            rows.append([region_code[r["kato2"]], y, tax, float(r["value_thousand_kzt"]),
                         f"{r['item_code']} {r['date_in_source']} ({r['region_code_src']}): " + r["source"]])
    return sorted(rows, key=lambda x: (x[2], x[1], x[0]))


def population(shared: Path) -> dict[tuple[str, int, str], dict]:
    """(kato2, year, ALL/URBAN/RURAL) -> the BNS row (average annual population)."""
    return {(r["kato2"], int(r["year"]), r["item_code"]): r
            for r in read(shared / "data" / "kz" / "drivers" / "population_avg_by_region.csv") if r["kato2"] not in ("", "ALL")}


def drivers(regions: list[dict], shared: Path, years: dict[int, int]) -> list[list]:
    """drivers.csv rows per region: BNS average population (total, urban, rural) of the source year
    `years[y]` for dataset year y, and the region's area and density (derived)."""
    src = population(shared)
    rows = []
    for u in regions:
        k2 = u["code"][:2]
        for y, sy in years.items():
            for item, driver in (("ALL", "population"), ("URBAN", "urban_population"), ("RURAL", "rural_population")):
                r = src.get((k2, sy, item))
                if r is None and item == "RURAL":
                    rows.append([u["code"], y, driver, 0.0, f"BNS {sy} has no RURAL row for a city of republican significance: 0"])
                    continue
                rows.append([u["code"], y, driver, float(r["value_persons"]), f"BNS average annual population {sy}: " + r["source"]])
            if u["area_km2"] != "":
                total = float(src[k2, sy, "ALL"]["value_persons"])
                rows.append([u["code"], y, "area_km2", float(u["area_km2"]), "derived: " + u["area_source"]])
                rows.append([u["code"], y, "density", round(total / float(u["area_km2"]), 4),
                             f"derived: BNS population {sy} / area_km2 (persons per km2)"])
    return rows


def grp_shares(shared: Path, year: int) -> dict[str, float]:
    """Each region's share of the 20 regions' nominal GRP in YEAR (BNS; YKO, the former South Kazakhstan, left out)."""
    v = {r["kato2"]: float(r["value"]) for r in read(shared / "data" / "kz" / "drivers" / "grp_nominal_by_region.csv")
         if int(r["year"]) == year and r["kato2"] not in ("", "ALL")}
    total = sum(v.values())
    return {k2: x / total for k2, x in v.items()}
