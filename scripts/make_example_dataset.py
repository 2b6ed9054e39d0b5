"""Build data/example/: a small slice of Kazakhstan for the demo and the tests.

Units, KATO codes, names and populations come from ../shared/data/kz
(see data/example/README.md for what is sourced); receipts and needs are
ILLUSTRATIVE, drawn by a seeded generator per capita, so that the example
exercises every rule (donor and subvention budgets, a city whose districts
have no budgets, fourth-level budgets, a fall in actual receipts).

    python scripts/make_example_dataset.py [--shared ../shared] [--out data/example]
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from interbudget.i18n import transliterate

REGIONS = {  # kato2 -> (population, how it was obtained)
    "11": (787263, "sum of the 2025-01-01 district figures (district_population.csv)"),
    "47": (805156, "sum of the 2025-01-01 district figures (district_population.csv)"),
    "75": (2292055, "2025-01-01 (regions.csv, population_2025_01_01)"),
}
RURAL_OF = {"116600000": 1.0, "471800000": 0.08}  # districts whose rural units are included; share of population rural
YEARS = [2026, 2027, 2028]
SEED = 20261125

def translit(s: str) -> str:
    return transliterate(s)


def read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared"))
    ap.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "data" / "example"))
    a = ap.parse_args()
    kz = Path(a.shared) / "data" / "kz"
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    regions = {r["kato2"]: r for r in read(kz / "regions.csv")}
    dpop = {r["kato_code"]: int(r["population"]) for r in read(kz / "district_population.csv") if r["kato_code"]}
    kato = read(kz / "kato.csv")

    units = [{"code": "000000000", "parent": "", "level": "republic", "name_kk": "Қазақстан Республикасы",
              "name_ru": "Республика Казахстан", "name_en": "Republic of Kazakhstan",
              "population": sum(p for p, _ in REGIONS.values()), "has_budget": "true",
              "note": "republic of this example: the population of the three regions included, not of the country"}]
    for k2, (pop, how) in REGIONS.items():
        r = regions[k2]
        units.append({"code": r["kato9"], "parent": "000000000", "level": "region", "name_kk": r["name_kk"],
                      "name_ru": r["name_ru"].split(" (")[0], "name_en": r["name_en"], "population": pop,
                      "has_budget": "true", "note": f"population {how}"})
        for d in (x for x in kato if x["parent_code"] == r["kato9"] and x["level"] == "2"):
            city_district = d["unit_type"] == "district_in_city_of_republican_significance"
            if city_district:
                dp, note = "", "population not sourced for Almaty's districts at 2025-01-01"
            elif d["code"] in dpop:
                dp, note = dpop[d["code"]], "population 2025-01-01 (district_population.csv)"
            else:
                continue  # a unit with no 2025 population figure is left out of the example
            units.append({"code": d["code"], "parent": r["kato9"], "level": "district", "name_kk": "",
                          "name_ru": d["name_ru"], "name_en": translit(d["name_ru"]) + " [translit.]",
                          "population": dp, "has_budget": "false" if city_district else "true", "note": note})
            if d["code"] in RURAL_OF:
                rural = [x for x in kato if x["parent_code"] == d["code"] and x["unit_type"] in ("rural_okrug", "rural_akimat")]
                each = dp * RURAL_OF[d["code"]] / len(rural)
                for x in rural:
                    units.append({"code": x["code"], "parent": d["code"], "level": "rural", "name_kk": "",
                                  "name_ru": x["name_ru"], "name_en": translit(x["name_ru"]) + " [translit.]",
                                  "population": round(each), "has_budget": "true",
                                  "note": "ILLUSTRATIVE population: the district's rural population split equally"})
    # Almaty's districts: split the city's population equally (illustrative) so per-capita views work
    alm = [u for u in units if u["parent"] == "750000000"]
    for u in alm:
        u["population"] = round(REGIONS["75"][0] / len(alm))
        u["note"] = "ILLUSTRATIVE population: the city's population split equally (no 2025 figure by district)"

    # ---- illustrative receipts and needs, per capita, thousand tenge ----
    rng = np.random.default_rng(SEED)
    per_capita = {  # tax: (per capita at the booking unit in 2026, regional factor for 11 / 47 / 75)
        "iit_source": (160, {"11": 0.8, "47": 1.2, "75": 1.9}),
        "social_tax": (110, {"11": 0.8, "47": 1.2, "75": 1.8}),
        "cit_sme": (120, {"11": 0.6, "47": 1.0, "75": 2.0}),
        "property": (20, {"11": 0.8, "47": 1.5, "75": 1.3}),
        "land": (6, {"11": 1.2, "47": 0.8, "75": 0.6}),
        "vehicle": (8, {"11": 0.9, "47": 1.0, "75": 1.3}),
        "vat": (260, {"11": 0.6, "47": 1.5, "75": 1.7}),
    }
    growth = {2026: 1.0, 2027: 1.08, 2028: 1.16}
    region_of = lambda c: c[:2]  # noqa: E731
    book = [u for u in units if u["level"] in ("district", "rural") or u["code"] == "750000000"]
    receipts, actual, needs = [], [], []
    for u in book:
        pop = float(u["population"] or 0)
        if u["level"] == "district" and u["code"] in RURAL_OF:
            pop *= 1 - RURAL_OF[u["code"]]  # the rest is booked on the rural units
        if u["code"] == "750000000":
            continue  # Almaty's receipts are booked on its districts
        for tax, (base, f) in per_capita.items():
            if u["level"] == "rural" and tax not in ("land", "vehicle", "property", "iit_source"):
                continue
            for y in YEARS:
                amt = pop * base * f[region_of(u["code"])] * growth[y] * rng.lognormal(0, 0.15)
                payer = "oil_gas" if tax == "vat" and region_of(u["code"]) == "47" and rng.random() < 0.5 else "regional"
                receipts.append([u["code"], y, tax, payer, round(amt, 1)])
                if y == 2026:
                    shock = 0.85 if region_of(u["code"]) == "47" else rng.uniform(0.97, 1.03)
                    actual.append([u["code"], y, tax, payer, round(amt * shock, 1)])
    # corporate income tax of large taxpayers and oil: booked at the republic
    for y in YEARS:
        receipts.append(["000000000", y, "cit_large", "large_national", round(1.9e9 * growth[y] * rng.uniform(0.98, 1.02), 1)])
        actual.append(["000000000", y, "cit_large", "large_national", round(1.7e9, 1)]) if y == 2026 else None
    # a mid-term revision: new projections for 2027-2028 (an oil price fall hits Mangystau and the republic)
    revised = []
    for code, y, tax, payer, amt in receipts:
        f = 0.88 if (code[:2] == "47" or code == "000000000") and y >= 2027 else (1.02 if y >= 2027 else 1.0)
        revised.append([code, y, tax, payer, round(amt * f, 1)])
    # tax bases for the capacity basis: the wage fund behind IIT at source, the cadastral value behind
    # property tax; a standard rate times the base is the unit's capacity (collection effort varies)
    std_rate = {"iit_source": 0.10, "property": 0.01}
    bases = []
    for code, y, tax, _payer, amt in receipts:
        if tax in std_rate:
            effort = rng.uniform(0.85, 1.15)  # collected / capacity
            bases.append([code, y, tax, round(amt / std_rate[tax] / effort, 1)])
    needs_pc = {  # function: (priority, per capita need 2026 by level)
        "education": ("mandatory", {"region": 70, "district": 220, "rural": 20}),
        "health": ("mandatory", {"region": 90, "district": 10, "rural": 0}),
        "social_protection": ("mandatory", {"region": 30, "district": 25, "rural": 5}),
        "housing_utilities": ("basic", {"region": 25, "district": 60, "rural": 25}),
        "transport_roads": ("basic", {"region": 40, "district": 35, "rural": 10}),
        "culture_sport": ("additional", {"region": 15, "district": 12, "rural": 8}),
        "administration": ("mandatory", {"region": 8, "district": 10, "rural": 6}),
    }
    for u in units:
        if u["has_budget"] != "true" or u["level"] == "republic":
            continue
        pop = float(u["population"] or 0)
        if u["level"] == "district" and u["code"] in RURAL_OF:
            pop *= 1 - RURAL_OF[u["code"]] * 0.5
        lvl = u["level"]
        if u["code"] == "750000000":
            lvl_pop = [("region", pop), ("district", pop)]  # the city does both regional and district work
        else:
            lvl_pop = [(lvl, pop)]
        for fn, (prio, by_level) in needs_pc.items():
            for y in YEARS:
                amt = sum(p * by_level[lv] for lv, p in lvl_pop) * growth[y] * rng.lognormal(0, 0.1)
                if amt > 0:
                    needs.append([u["code"], y, fn, prio, round(amt, 1)])
    for y in YEARS:
        needs.append(["000000000", y, "defence_public_order", "mandatory", round(1.6e9 * growth[y], 1)])

    def write(name, header, rows):
        with (out / name).open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows)

    cols = ["code", "parent", "level", "name_kk", "name_ru", "name_en", "population", "has_budget", "note"]
    write("units.csv", cols, [[u[c] for c in cols] for u in units])
    write("receipts.csv", ["code", "year", "tax", "payer", "amount"], receipts)
    write("receipts_actual.csv", ["code", "year", "tax", "payer", "amount"], actual)
    write("needs.csv", ["code", "year", "function", "priority", "amount"], needs)
    write("receipts_revised.csv", ["code", "year", "tax", "payer", "amount"], revised)
    write("bases.csv", ["code", "year", "tax", "base"], bases)
    write("payers.csv", ["payer", "base", "name_en", "description"], [
        ["oil_gas", "true", "oil and gas enterprises", "ILLUSTRATIVE category: national base enterprises of the oil and gas sector"],
        ["large_national", "true", "large national taxpayers", "ILLUSTRATIVE category: large taxpayers of national significance"],
    ])
    print(f"{out}: {len(units)} units, {len(receipts)} receipts, {len(needs)} needs")


if __name__ == "__main__":
    main()
