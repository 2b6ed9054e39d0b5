"""Build data/kz/ — the Kazakhstan dataset the demo runs on — from ../shared/data/kz.

Real: units and KATO codes (classifier of 17.10.2022), names where sourced,
region and district populations (1 Jan 2025), the general transfers of the
2026-2028 law, the aggregates of the 2026-2028 forecast, the republican
budget of the 2026 draft law. Illustrative (by the stated, seeded rules
below, marked in data/kz/README.md): populations below districts, the tax
mix, receipts and needs inside each region, everything the sources lack.

The calibration closes the region totals on the law: a region's need is its
own revenue plus its subvention (or minus its withdrawal), so under current
law (option 1, M3, withdrawal rate 1) the engine reproduces the law's
published transfers by construction. The script prints every calibration
target with its residual.

    python scripts/build_kz_dataset.py [--shared ../shared] [--out data/kz]
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from interbudget.i18n import transliterate

SEED = 20261125
YEARS = [2026, 2027, 2028]
REPUBLIC = "000000000"
T = 1e9  # thousand tenge in a trillion tenge

# ---- sourced figures (thousand tenge unless said) -----------------------------------
LOCAL_REVENUE = {2026: 10.7 * T, 2027: 12.1 * T, 2028: 13.3 * T}  # aggregates.csv
LOCAL_SPENDING = {2026: 14.9 * T, 2027: 17.3 * T, 2028: 18.7 * T}  # aggregates.csv
# draft law "On the republican budget for 2026-2028" (lada.kz, 3 Sep 2025, from the Open NLA portal):
REPUBLIC_2026 = {"tax": 18.9 * T, "nontax": 330.4e6 + 2.2e6 + 20.4e6, "nf_transfer": 2.77 * T, "spending": 27.27 * T,
                 "deficit": 4.59 * T}
ATYRAU_W = {2027: 237.9e6, 2028: 278.9e6}  # transfers.csv: draft law, news report, rounded to 0.1 bn

# ---- illustrative assumptions (each in data/kz/README.md) ------------------------------
BASE_SHARE = {"23": 0.45, "47": 0.35, "27": 0.25, "43": 0.2, "15": 0.15}  # of IIT, social tax and VAT paid by base enterprises
BASE_SHARE_OTHER = 0.08
VAT_PER_LOCAL = 0.9  # VAT booked in a region per tenge of its local tax receipts
REPUBLIC_TAX_MIX = {"cit_large": 0.30, "excise": 0.06, "republic_other": 0.24}  # of republican tax revenue besides VAT
NEED_LEVELS = {"region": 0.44, "district": 0.515, "rural": 0.045}  # of a region's need (4th level ~4.5 %, cf. > 442 bn in 2025)
GROWTH_TO_2028 = {2026: 1.0, 2027: 1.08, 2028: 1.16}  # republican receipts and needs besides 2026 (no source)
RURAL_BUDGET_TYPES = {"rural_okrug", "rural_akimat", "settlement_akimat", "city_of_district_significance_akimat",
                      "city_of_district_significance"}
NO_BUDGET_TYPES = {"city_proper", "settlement_direct", "district_in_city_of_oblast_significance"}
CITY_PROPER_SHARE = 0.85  # of a city of oblast significance's population living in the city proper

TAXES = [  # tax, kk, ru, en, current-law shares (region, district, rural), reference, status
    ("iit_source", "Төлем көзінен салынатын ЖТС", "ИПН с доходов, облагаемых у источника выплаты", "individual income tax withheld at source",
     (0.5, 0.5, 0.0), "Budget Code 2025 (No. 171-VIII): local-budget revenue; oblast/district split set by the maslikhat", "assumed split"),
    ("iit_self", "Төлем көзінен салынбайтын ЖТС", "ИПН с доходов, не облагаемых у источника выплаты", "individual income tax not withheld at source",
     (0.0, 1.0, 0.0), "district budget", "assumed"),
    ("social_tax", "Әлеуметтік салық", "Социальный налог", "social tax",
     (0.5, 0.5, 0.0), "Budget Code 2025: local-budget revenue; oblast/district split set by the maslikhat", "assumed split"),
    ("cit_sme", "ШОБ корпоративтік табыс салығы", "КПН субъектов малого и среднего бизнеса", "corporate income tax of SMEs",
     (0.5, 0.5, 0.0), "local revenue since 2020 (large taxpayers and the oil sector excluded)", "assumed split"),
    ("excise_local", "Жергілікті бюджетке түсетін акциздер", "Акцизы, зачисляемые в местные бюджеты", "excises booked in local budgets",
     (0.0, 1.0, 0.0), "district budget (the local excises of the Budget Code)", "assumed"),
    ("nontax_local", "Жергілікті бюджеттердің салықтық емес түсімдері", "Неналоговые поступления местных бюджетов",
     "non-tax and capital receipts of local budgets", (0.5, 0.5, 0.0),
     "local budgets (rent and sale of communal property, fines, ...); oblast/district split assumed 50/50", "assumed split"),
    ("cit_large", "Ірі кәсіпкерлік КТС", "КПН крупного предпринимательства", "corporate income tax of large taxpayers",
     (0.0, 0.0, 0.0), "republican budget", "assumed"),
    ("vat", "ҚҚС", "НДС", "value added tax", (0.0, 0.0, 0.0), "republican budget", "assumed"),
    ("excise", "Акциздер", "Акцизы", "excises", (0.0, 0.0, 0.0), "republican budget (some excises are local; not split here)", "assumed"),
    ("republic_other", "Басқа республикалық салықтар", "Прочие республиканские налоги", "other republican taxes (customs, rent, MET)",
     (0.0, 0.0, 0.0), "republican budget", "assumed"),
    ("property_legal", "Заңды тұлғалардың мүлік салығы", "Налог на имущество юридических лиц", "property tax of legal entities",
     (0.0, 1.0, 0.0), "district budget", "assumed"),
    ("property_individual", "Жеке тұлғалардың мүлік салығы", "Налог на имущество физических лиц", "property tax of individuals",
     (0.0, 0.0, 1.0), "fourth-level budgets (§3.4)", "assumed"),
    ("land_legal", "Заңды тұлғалардың жер салығы", "Земельный налог юридических лиц", "land tax of legal entities",
     (0.0, 1.0, 0.0), "district budget", "assumed"),
    ("land_individual", "Жеке тұлғалардың жер салығы", "Земельный налог физических лиц", "land tax of individuals",
     (0.0, 0.0, 1.0), "fourth-level budgets (§3.4)", "assumed"),
    ("vehicle", "Көлік құралдарына салынатын салық", "Налог на транспортные средства", "vehicle tax",
     (0.0, 0.5, 0.5), "fourth-level budgets for individuals' vehicles (§3.4), district for legal entities'", "assumed split"),
    ("fees", "Жергілікті алымдар мен төлемдер", "Местные сборы и платы", "local fees and charges",
     (0.0, 1.0, 0.0), "district budget", "assumed"),
    ("nontax", "Салықтық емес түсімдер", "Неналоговые поступления", "non-tax receipts of the republican budget",
     (0.0, 0.0, 0.0), "republican budget", "sourced total (2026 draft)"),
    ("nf_transfer", "Ұлттық қордан кепілдендірілген трансферт", "Гарантированный трансферт из Национального фонда",
     "guaranteed transfer from the National Fund", (0.0, 0.0, 0.0), "republican budget; linked to the oil price", "sourced 2026 amount"),
]
OIL_LINKED = {"nf_transfer": 1.0, "cit_large": 0.5, "republic_other": 0.6}  # elasticity to the oil price (illustrative)

def translit(s: str) -> str:
    return transliterate(s) + " [translit.]"


def read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def write(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def num(s: str) -> float | None:
    m = re.match(r"^\s*([0-9]+(?:\.[0-9]+)?)", s or "")
    return float(m.group(1)) if m else None


# ---- geography: Kazakh and English names and areas from the boundary files (geokz, CC BY 4.0) ----
EARTH_RADIUS_KM = 6371.0088  # mean radius


def ring_area_km2(ring: list) -> float:
    """Area of a lon/lat ring on the sphere (the spherical-excess approximation used by d3 and OpenLayers)."""
    total = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        total += np.radians(x2 - x1) * (2 + np.sin(np.radians(y1)) + np.sin(np.radians(y2)))
    return abs(total) * EARTH_RADIUS_KM**2 / 2


def geometry_area_km2(geom: dict) -> float:
    polygons = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
    return sum(ring_area_km2(p[0]) - sum(ring_area_km2(h) for h in p[1:]) for p in polygons)


def geography(kz: Path) -> dict[str, dict]:
    import json

    out = {}
    for name, key in (("regions.geojson", "ADM1"), ("districts.geojson", "ADM2")):
        for f in json.loads((kz / "geo" / name).read_text(encoding="utf-8"))["features"]:
            p = f["properties"]
            out[p["kato"]] = {"name_kk": p[f"{key}_KK"], "name_en": p[f"{key}_EN"], "area": round(geometry_area_km2(f["geometry"]), 1)}
    return out


# ---- units ------------------------------------------------------------------------
def build_units(kz: Path, rng: np.random.Generator) -> tuple[list[dict], dict]:
    regions = read(kz / "regions.csv")
    kato = read(kz / "kato.csv")
    dpop = {r["kato_code"]: int(r["population"]) for r in read(kz / "district_population.csv") if r["kato_code"]}
    new_pop = [r for r in read(kz / "district_population.csv") if not r["kato_code"]]
    dist_csv = read(kz / "districts.csv")
    codes = {r["code"] for r in kato}
    children = defaultdict(list)
    for r in kato:
        children[r["parent_code"]].append(r)

    def descendants(code: str) -> int:
        return sum(1 + descendants(c["code"]) for c in children.get(code, []))

    units = [{"code": REPUBLIC, "parent": "", "level": "republic", "name_kk": "Қазақстан Республикасы",
              "name_ru": "Республика Казахстан", "name_en": "Republic of Kazakhstan", "population": 0, "has_budget": "true",
              "unit_type": "republic", "code_status": "conventional (KATO has no code for the republic)",
              "population_source": "sum of the regions"}]
    provisional: dict[str, int] = defaultdict(int)

    def provisional_code(k2: str) -> str:
        while True:  # {region}99{n}00000: outside the classifier's district numbering
            provisional[k2] += 1
            code = f"{k2}99{provisional[k2]}00000"[:9]
            if code not in codes:
                return code

    for reg in regions:
        k2, k9 = reg["kato2"], reg["kato9"]
        is_city = reg["type"] != "oblast"
        units.append({"code": k9, "parent": REPUBLIC, "level": "region", "name_kk": reg["name_kk"],
                      "name_ru": re.sub(r"\s*\(.*\)$", "", reg["name_ru"]), "name_en": reg["name_en"], "population": 0,
                      "has_budget": "true", "unit_type": reg["type"], "code_status": "KATO 17.10.2022",
                      "population_source": "sum of its districts, 1 Jan 2025"})
        level2 = [r for r in children[k9] if r["level"] == "2"]
        seconds = []
        for d in level2:
            city_district = d["unit_type"] == "district_in_city_of_republican_significance"
            seconds.append({"code": d["code"], "parent": k9, "level": "district", "name_kk": "", "name_ru": d["name_ru"],
                            "name_en": translit(d["name_ru"]), "population": dpop.get(d["code"]),
                            "has_budget": "false" if city_district else "true", "unit_type": d["unit_type"],
                            "code_status": "KATO 17.10.2022", "population_source": "1 Jan 2025 (district_population.csv)"})
        for r in new_pop:
            if r["region_kato2"] == k2:
                seconds.append({"code": provisional_code(k2), "parent": k9, "level": "district", "name_kk": "", "name_ru": r["name_ru"],
                                "name_en": translit(r["name_ru"]), "population": int(r["population"]),
                                "has_budget": "false" if is_city else "true",
                                "unit_type": ("district_in_city_of_republican_significance" if is_city else
                                              "city_of_oblast_significance_akimat" if "г.а." in r["name_ru"] else "district"),
                                "code_status": "PROVISIONAL (formed after the classifier's date)",
                                "population_source": "1 Jan 2025 (district_population.csv)"})
        if k2 in ("75", "79"):  # Almaty and Shymkent: district figures of mixed dates, scaled to the city's 2025 total
            extra = [r for r in dist_csv if r["parent_region_code2"] == k2 and not r["kato_code"]]
            for r in extra:
                seconds.append({"code": provisional_code(k2), "parent": k9, "level": "district", "name_kk": "",
                                "name_ru": r["name_ru"].title(), "name_en": translit(r["name_ru"].title()), "population": None,
                                "has_budget": "false", "unit_type": r["unit_type"],
                                "code_status": "PROVISIONAL (formed after the classifier's date)", "population_source": ""})
            raw = {r["kato_code"] or r["name_ru"].title(): float(r["population"]) for r in dist_csv
                   if r["parent_region_code2"] == k2 and r["population"]}
            total = float(reg["population_2025_01_01"])
            scale = total / sum(raw.values())
            for s in seconds:
                key = s["code"] if s["code"] in raw else s["name_ru"]
                s["population"] = round(raw[key] * scale)
                s["population_source"] = f"ILLUSTRATIVE: districts.csv figure (mixed dates) x {scale:.4f} to the city's 1 Jan 2025 total"
            biggest = max(seconds, key=lambda s: s["population"])
            biggest["population"] += int(total) - sum(s["population"] for s in seconds)  # whole persons that add up
        units += seconds
        for s in seconds:
            if s["code"] not in children:
                continue
            kids = [c for c in children[s["code"]] if c["level"] == "3"]
            w = np.array([(1 + descendants(c["code"])) * (3 if "city_of_district" in c["unit_type"] else 1) for c in kids], float)
            pop = float(s["population"])
            share = np.zeros(len(kids))
            proper = [i for i, c in enumerate(kids) if c["unit_type"] == "city_proper"]
            if proper:
                share[proper] = CITY_PROPER_SHARE / len(proper)
                rest = [i for i in range(len(kids)) if i not in proper]
                if rest:
                    share[rest] = (1 - CITY_PROPER_SHARE) * w[rest] / w[rest].sum()
                else:
                    share[proper] = 1.0 / len(proper)
            else:
                share = w / w.sum()
            alloc = np.floor(pop * share)
            alloc[np.argmax(share)] += pop - alloc.sum()  # whole persons that add up
            for c, p in zip(kids, alloc, strict=True):
                units.append({"code": c["code"], "parent": s["code"], "level": "rural", "name_kk": "", "name_ru": c["name_ru"],
                              "name_en": translit(c["name_ru"]), "population": int(p),
                              "has_budget": "false" if c["unit_type"] in NO_BUDGET_TYPES else "true",
                              "unit_type": c["unit_type"], "code_status": "KATO 17.10.2022",
                              "population_source": "ILLUSTRATIVE: the district's population by number of settlements"
                                                   + (f"; city proper {CITY_PROPER_SHARE:.0%}" if proper else "")})
    geo = geography(kz)
    for u in units:
        # only region and district polygons: the file reuses some city-proper codes for new districts
        g = geo.get(u["code"]) if u["level"] in ("region", "district") else None
        u["area_km2"] = g["area"] if g else ""
        u["area_source"] = "computed from the boundary file (geokz, CC BY 4.0; 1:1 million, generalised)" if g else ""
        if g and u["level"] == "district":  # the boundary file's Kazakh and English names (as written there)
            u["name_kk"], u["name_en"] = g["name_kk"], g["name_en"]
    by_code = {u["code"]: u for u in units}
    for u in units:
        if u["level"] == "region":
            u["population"] = sum(int(v["population"]) for v in units if v["parent"] == u["code"])
    by_code[REPUBLIC]["population"] = sum(u["population"] for u in units if u["level"] == "region")
    return units, by_code


# ---- the law's transfers and the regional totals ------------------------------------------
def law_transfers(kz: Path, units: list[dict]) -> tuple[dict, list[dict]]:
    """net[k2][year] = subvention - withdrawal; the published ones, then the stated rules."""
    rows = read(kz / "transfers.csv")
    pop = {u["code"][:2]: u["population"] for u in units if u["level"] == "region"}
    law = [r for r in rows if r["period"] == "2026-2028"]
    total = {(int(r["year"]), r["transfer_type"]): float(r["amount_thousand_tenge"]) for r in law if r["kato2"] == "ALL"}
    pub = {(int(r["year"]), r["kato2"], r["transfer_type"]): float(r["amount_thousand_tenge"]) for r in law if r["kato2"] != "ALL"}
    s26 = {k2: v for (y, k2, t), v in pub.items() if y == 2026 and t == "subvention"}
    w26 = {k2: v for (y, k2, t), v in pub.items() if y == 2026 and t == "withdrawal"}
    donors = set(w26)
    rule_rows = []
    missing = [k2 for k2 in pop if k2 not in s26 and k2 not in donors]  # Turkestan, Ulytau, Shymkent
    rest = total[2026, "subvention_total"] - sum(s26.values())
    for k2 in missing:
        s26[k2] = rest * pop[k2] / sum(pop[m] for m in missing)
        rule_rows.append({"year": 2026, "kato2": k2, "type": "subvention", "amount": s26[k2],
                          "rule": "law total minus the 14 published subventions, split by population"})
    net = {k2: {2026: s26.get(k2, 0.0) - w26.get(k2, 0.0)} for k2 in pop}
    # withdrawals 2027-2028: Atyrau as reported; Mangystau a marginal donor in 2028 (5 % of its need, a stated
    # rule); Almaty and Astana share the rest of the law's total in their 2026 ratio
    wd = {2027: {"23": ATYRAU_W[2027]}, 2028: {"23": ATYRAU_W[2028], "47": None}}
    return {"net": net, "total": total, "s26": s26, "w26": w26, "withdrawals": wd, "missing": missing}, rule_rows


MANGYSTAU_2028_W_SHARE = 0.05  # of its 2028 need


def build(shared: Path, out: Path) -> dict:
    """Region totals: observed receipts and needs on the real 2024 structure grown to the forecasts
    (kz_structure.py); the law's needs = own revenue + the law's net transfer (so current law on the
    `law` basis reproduces the law by construction)."""
    from kz_structure import grown, law_net, real_2024

    kz = shared / "data" / "kz"
    rng = np.random.default_rng(SEED)
    units, by_code = build_units(kz, rng)
    law, rule_rows = law_transfers(kz, units)
    regions = [u for u in units if u["level"] == "region"]
    k2s = [u["code"][:2] for u in regions]
    pop = {u["code"][:2]: float(u["population"]) for u in regions}
    real = real_2024(shared, k2s)
    own, own_factor = grown(real, "own", LOCAL_REVENUE)
    need, need_factor = grown(real, "need", LOCAL_SPENDING)
    net, more_rules = law_net(law, own, need, YEARS, ATYRAU_W, MANGYSTAU_2028_W_SHARE)
    law["net"] = net
    rule_rows += more_rules
    need_law = {k2: {y: own[k2][y] + net[k2][y] for y in YEARS} for k2 in k2s}
    return {"units": units, "by_code": by_code, "law": law, "rule_rows": rule_rows, "own": own, "need": need, "need_law": need_law,
            "real": real, "factors": {"own": own_factor, "need": need_factor}, "pop": pop, "rng": rng, "kz": kz, "out": out}


def _spread(total: float, weights: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    """Split `total` over units by weight x seeded lognormal noise; the parts add up to the total."""
    w = weights * rng.lognormal(0.0, sigma, weights.size)
    return total * w / w.sum() if w.sum() > 0 else np.full(weights.size, total / max(weights.size, 1))


def region_needs(total: float, spend: dict[str, float], budgets: dict[str, list], rng: np.random.Generator) -> list[list]:
    """A region's need (one year) by function in its real 2024 shares, each function split over the levels
    by LEVEL_SPLIT (ASSUMED), then over a level's budgets by population with seeded noise (ILLUSTRATIVE)."""
    from kz_structure import LEVEL_SPLIT, PRIORITY, RURAL_NAMES

    rows = []
    all_spend = sum(spend.values())
    for fn, amount in spend.items():
        split = dict(zip(("region", "district", "rural"), LEVEL_SPLIT[fn], strict=True))
        if not budgets["district"]:  # a city of republican significance: the city does it all
            split = {"region": 1.0, "district": 0.0, "rural": 0.0}
        elif not budgets["rural"]:
            split = {"region": split["region"], "district": split["district"] + split["rural"], "rural": 0.0}
        for lvl, share in split.items():
            if share == 0:
                continue
            bs = budgets[lvl]
            parts = _spread(total * amount / all_spend * share, np.array([max(float(b["population"]), 1.0) for b in bs]), rng, 0.1)
            names = RURAL_NAMES.get(fn, {fn: 1.0}) if lvl == "rural" else {fn: 1.0}
            for b, a in zip(bs, parts, strict=True):
                for name, f in names.items():
                    rows.append([b["code"], 0, name, PRIORITY[name], round(a * f, 1)])
    return rows


def money(r: dict) -> tuple[list, list, list]:
    """Receipts and needs (observed and law) for 2026-2028: region totals on the real 2024 structure
    (kz_structure.py), ILLUSTRATIVE inside each region."""
    units, rng, own, real = r["units"], r["rng"], r["own"], r["real"]
    kids = defaultdict(list)
    for u in units:
        kids[u["parent"]].append(u)
    receipts, needs, needs_law = [], [], []
    from kz_execution import grp_shares

    grp = grp_shares(r["kz"].parents[1], 2024)  # VAT booked in a region: by its share of GRP (BNS 2024)
    lower_taxes = {"property_individual", "land_individual", "vehicle"}  # booked where people live
    for reg in (u for u in units if u["level"] == "region"):
        k2 = reg["code"][:2]
        seconds = kids[reg["code"]]
        base_share = BASE_SHARE.get(k2, BASE_SHARE_OTHER)
        base_payer = "oil_gas" if k2 in BASE_SHARE else "large_national"
        mix = {t: a / real[k2]["own"] for t, a in real[k2]["taxes"].items()}  # the region's real 2024 mix
        # booking units: second-level units, and the rural units with budgets below them for the lower taxes
        upper = seconds
        lower = []
        for s in seconds:
            rural = [c for c in kids[s["code"]] if c["has_budget"] == "true"]
            lower += rural or [s]
        for y in YEARS:
            for tax in list(mix) + ["vat"]:
                total = own[k2][y] * mix[tax] if tax != "vat" else VAT_PER_LOCAL * sum(o[y] for o in own.values()) * grp[k2]
                book = lower if tax in lower_taxes else upper
                parts = _spread(total, np.array([float(b["population"]) for b in book]), rng, 0.25)
                for b, amount in zip(book, parts, strict=True):
                    if tax in ("iit_source", "social_tax", "vat") and base_share > 0:
                        receipts.append([b["code"], y, tax, base_payer, round(amount * base_share, 1)])
                        receipts.append([b["code"], y, tax, "regional", round(amount * (1 - base_share), 1)])
                    else:
                        receipts.append([b["code"], y, tax, "regional", round(amount, 1)])
        budgets = {"region": [reg], "district": [s for s in seconds if s["has_budget"] == "true"],
                   "rural": [c for s in seconds for c in kids[s["code"]] if c["has_budget"] == "true"]}
        mine = {b["code"] for v in budgets.values() for b in v}
        for out, totals in ((needs, r["need"][k2]), (needs_law, r["need_law"][k2])):
            for y in YEARS:
                rows = region_needs(totals[y], real[k2]["spend"], budgets, rng)
                for row in rows:
                    row[1] = y
                # rounding to 0.1 thousand tenge shifts the region total a little: close it on the region budget
                fix = next(n for n in rows if n[0] == reg["code"])
                fix[4] = round(fix[4] + totals[y] - sum(n[4] for n in rows if n[0] in mine), 1)
                out += rows
        for y in YEARS:
            got_r = sum(x[4] for x in receipts if x[1] == y and x[0][:2] == k2 and x[2] != "vat")
            first = next(x for x in receipts if x[1] == y and x[0][:2] == k2 and x[2] == "iit_source" and x[3] == "regional")
            first[4] = round(first[4] + own[k2][y] - got_r, 1)
    # the republic: the 2026 draft budget; 2027-2028 grow by a stated factor (no per-year source here)
    vat = {y: sum(x[4] for x in receipts if x[1] == y and x[2] == "vat") for y in YEARS}
    mix_total = sum(REPUBLIC_TAX_MIX.values())
    for y in YEARS:
        gro = GROWTH_TO_2028[y]
        other_tax = REPUBLIC_2026["tax"] * gro - vat[y]
        for tax, share in REPUBLIC_TAX_MIX.items():
            payer = "large_national" if tax == "cit_large" else "regional"
            receipts.append([REPUBLIC, y, tax, payer, round(other_tax * share / mix_total, 1)])
        receipts.append([REPUBLIC, y, "nontax", "regional", round(REPUBLIC_2026["nontax"] * gro, 1)])
        receipts.append([REPUBLIC, y, "nf_transfer", "regional", round(REPUBLIC_2026["nf_transfer"] * gro, 1)])
        subventions = sum(max(r["law"]["net"][k2][y], 0.0) for k2 in r["pop"])
        own_need = (REPUBLIC_2026["spending"] - sum(r["law"]["s26"].values())) * gro
        for fn, (prio, f) in {"defence_public_order": ("mandatory", 0.14), "social_protection": ("mandatory", 0.30),
                              "health": ("mandatory", 0.12), "education": ("mandatory", 0.10), "economic_affairs": ("basic", 0.12),
                              "debt_service": ("mandatory", 0.10), "public_administration": ("mandatory", 0.06),
                              "other_republican": ("additional", 0.06)}.items():
            needs.append([REPUBLIC, y, fn, prio, round(own_need * f, 1)])
            needs_law.append([REPUBLIC, y, fn, prio, round(own_need * f, 1)])
        r.setdefault("republic_check", {})[y] = subventions
    return receipts, needs, needs_law


def variants(receipts: list, rng: np.random.Generator) -> tuple[list, list, list]:
    """ILLUSTRATIVE extra tracks: actual 2026 receipts, revised 2027-2028 projections (an oil price fall),
    and tax bases for the capacity basis (wage fund behind IIT at source, property value behind property tax)."""
    oil_regions = set(BASE_SHARE)
    actual, revised, bases = [], [], []
    std_rate = {"iit_source": 0.10, "property_legal": 0.015}
    for code, y, tax, payer, amt in receipts:
        oil = code[:2] in oil_regions or tax in OIL_LINKED
        if y == 2026:
            actual.append([code, y, tax, payer, round(amt * (0.93 if oil else rng.uniform(0.97, 1.03)), 1)])
        f = 1.0 if y == 2026 else (1 - 0.12 * OIL_LINKED.get(tax, 0.3 if oil else 0.0) if oil else 1.01)
        revised.append([code, y, tax, payer, round(amt * f, 1)])
        if tax in std_rate and payer == "regional":
            bases.append([code, y, tax, amt / std_rate[tax] / rng.uniform(0.85, 1.15)])
    # one row per (code, year, tax): sum the payers' bases
    agg = defaultdict(float)
    for code, y, tax, b in bases:
        agg[code, y, tax] += b
    return actual, revised, [[c, y, t, round(b, 1)] for (c, y, t), b in agg.items()]


# expert scores for the criteria of §3.3.2 that data cannot give: how strongly each pulls a tax up to the
# centre (efficiency and benefit: how strongly they pull it down). "concept" where §3.3.2 names the case.
EXPERT = {  # tax: (fairness, mobility, exporting, efficiency, benefit)
    "iit_source": (0.7, 0.4, 0.2, 0.5, 0.3), "iit_self": (0.5, 0.3, 0.1, 0.7, 0.4), "social_tax": (0.4, 0.4, 0.2, 0.4, 0.2),
    "cit_sme": (0.3, 0.6, 0.4, 0.6, 0.3), "cit_large": (0.4, 0.9, 0.8, 0.2, 0.1), "vat": (0.3, 0.8, 0.9, 0.2, 0.1),
    "excise": (0.3, 0.7, 0.8, 0.2, 0.2), "excise_local": (0.3, 0.5, 0.5, 0.5, 0.4), "republic_other": (0.5, 0.9, 1.0, 0.1, 0.1), "property_legal": (0.3, 0.2, 0.4, 0.7, 0.7),
    "property_individual": (0.3, 0.05, 0.05, 0.8, 0.9), "land_legal": (0.2, 0.05, 0.3, 0.7, 0.7),
    "land_individual": (0.2, 0.0, 0.0, 0.8, 0.9), "vehicle": (0.2, 0.3, 0.1, 0.6, 0.9), "fees": (0.1, 0.1, 0.1, 0.8, 1.0),
    "nf_transfer": (0.5, 1.0, 1.0, 0.0, 0.0),
}
CONCEPT_SAYS = {  # (tax, criterion): the case §3.3.2 itself describes
    ("iit_source", "fairness"): "redistributive (a progressive scale from 2026) -> up",
    ("republic_other", "exporting"): "rent and mineral taxes are borne outside the territory -> not local",
    ("vat", "exporting"): "shifted to consumers elsewhere -> not local",
    ("property_individual", "mobility"): "immobile base -> down", ("land_individual", "mobility"): "immobile base -> down",
    ("land_legal", "mobility"): "immobile base -> down", ("fees", "benefit"): "a fee goes to the budget that pays for the service",
    ("vehicle", "benefit"): "pays for local roads -> the budget that keeps them",
    ("nf_transfer", "exporting"): "oil revenue, borne by the world market -> central",
}


def tax_criteria_rows() -> list[list]:
    rows = []
    for tax, scores in EXPERT.items():
        for crit, v in zip(("fairness", "mobility", "exporting", "efficiency", "benefit"), scores, strict=True):
            said = CONCEPT_SAYS.get((tax, crit))
            rows.append([tax, crit, v, "expert: concept §3.3.2" if said else "expert: ILLUSTRATIVE judgement",
                         said or ""])
    return rows


PROGRAM_KINDS = ["heating networks", "water supply", "gas supply", "roads", "schools", "clinics", "shore protection"]


def programs_and_last(r: dict) -> tuple[list, list]:
    """ILLUSTRATIVE regional development programs (category 2 of targeted subventions), and the last
    period's amounts for envelope guarantees: the 2026 subventions of the law (real where published)."""
    rng = np.random.default_rng(SEED + 1)
    programs = []
    for u in (u for u in r["units"] if u["level"] == "region"):
        for y in YEARS:
            for j in range(int(rng.integers(3, 7))):
                kind = PROGRAM_KINDS[int(rng.integers(len(PROGRAM_KINDS)))]
                cost = round(float(u["population"]) * rng.uniform(5, 25), 1)  # thousand tenge: 5-25 thousand per person
                programs.append([f"{u['code'][:2]}-{y}-{j + 1}", u["code"], y, cost, int(rng.integers(1, 11)), kind])
    region_code = {u["code"][:2]: u["code"] for u in r["units"] if u["level"] == "region"}
    last = [[region_code[k2], round(v, 1), "general"] for k2, v in sorted(r["law"]["s26"].items())]
    return programs, last


def current_law(years=YEARS) -> dict:
    """The current-law scenario implied by taxes.csv (scenarios/current-law.yaml states the same)."""
    sharing = {}
    for tax, _, _, _, (r, d, ru), ref, _ in TAXES:
        shares = {k: v for k, v in (("region", r), ("district", d), ("rural", ru)) if v}
        if shares:
            sharing[tax] = {**shares, "reference": ref}
    return {"name": "current-law", "years": list(years), "option": 1, "sharing": sharing, "withdrawal_rate": 1.0, "needs_basis": "law"}


def calibrate(out: Path, r: dict) -> list[list]:
    """Run current law on the built dataset and compare with every target."""
    from interbudget.dataset import load_dataset
    from interbudget.engine import run
    from interbudget.scenario import Scenario

    ds = load_dataset(out)
    res = run(ds, Scenario.model_validate(current_law()))
    obs = run(ds, Scenario.model_validate({**current_law(), "needs_basis": "observed"}))
    nrm = run(ds, Scenario.model_validate({**current_law(), "needs_basis": "normative"}))
    h = res.hierarchy
    rows = []
    law = r["law"]
    reg_b = {h.codes[u][:2]: h.budget_index_of_unit[u] for u in np.flatnonzero(h.level == 1)}
    tr = res.transfers
    for k, y in enumerate(YEARS):
        local = h.b_level > 0
        rows.append(["local budgets' revenue", y, LOCAL_REVENUE[y], res.plan.revenue[local, k].sum(), "yes: 2024 structure grown to it"])
        rows.append(["local budgets' spending (observed needs)", y, LOCAL_SPENDING[y], obs.needs[local, k].sum(),
                     "yes: 2024 structure grown to it"])
        rows.append(["local budgets' spending (law needs)", y, LOCAL_SPENDING[y], res.needs[local, k].sum(),
                     "no: own revenue + the law's transfers"])
        rows.append(["local budgets' spending (normative needs)", y, LOCAL_SPENDING[y], nrm.needs[local, k].sum(),
                     "no: the fit adds up to the observed total, less needs floored at 0"])
        s = tr.subvention[list(reg_b.values()), k]
        w = tr.withdrawal[list(reg_b.values()), k]
        rows.append(["subvention regions", y, {2026: 17, 2027: 17, 2028: 15}[y], int((s > 0.5).sum()), "yes"])
        rows.append(["donor regions", y, {2026: 3, 2027: 3, 2028: 4}[y], int((w > 0.5).sum()), "yes"])
        sub_total = law["total"][y, "subvention_total"]
        rows.append(["subventions to regions, total", y, sub_total, s.sum(), "yes (2026: law total of the bill; see README)"])
        rows.append(["withdrawals from regions, total", y, law["total"][y, "withdrawal_total"], w.sum(), "yes"])
    for k2, v in law["s26"].items():
        if k2 not in law["missing"]:
            rows.append([f"subvention 2026, region {k2}", 2026, v, tr.subvention[reg_b[k2], 0], "yes"])
    for k2, v in law["w26"].items():
        rows.append([f"withdrawal 2026, region {k2}", 2026, v, tr.withdrawal[reg_b[k2], 0], "yes"])
    for k2, v in ATYRAU_W.items():
        rows.append(["withdrawal Atyrau (region 23)", k2, v, tr.withdrawal[reg_b["23"], YEARS.index(k2)], "yes"])
    rep = h.b_republic
    rev = res.plan.revenue[rep, 0] + tr.withdrawals_received[rep, 0]
    rows.append(["republican budget revenue 2026 (draft: tax + non-tax + transfers incl. withdrawals)", 2026,
                 22.88 * T, rev, "no"])
    rows.append(["republican budget spending 2026 (draft)", 2026, REPUBLIC_2026["spending"],
                 res.needs[rep, 0] + tr.subventions_paid[rep, 0], "no"])
    rows.append(["republican budget deficit 2026 (draft)", 2026, -REPUBLIC_2026["deficit"], res.plan.balance[rep, 0], "no"])
    rows.append(["population of the regions vs BNS 1 Jan 2025", 2025, 20283399, float(h.population[h.level == 1].sum()), "no"])
    out_rows = []
    for name, y, target, model, constr in rows:
        resid = (model - target) / target if target else 0.0
        out_rows.append([name, y, target, model, f"{resid:.6f}", constr])
        print(f"{name:<88} {y}  target {target:>20,.1f}  model {model:>20,.1f}  residual {resid:+.4%}")
    return out_rows


def fit_table(est) -> str:
    from interbudget.analysis.normative import quality_rows

    return "\n".join(f"| {q['function']} | {q['norm_per_person']:,.1f} | {q['r2']:.2f} | {q['error_share']:.1%} | {q['loo_error_share']:.1%} |"
                     for q in quality_rows(est))


def readme(r: dict, calib: list[list]) -> str:
    table = "\n".join(f"| {n} | {y} | {t:,.1f} | {m:,.1f} | {float(res):+.4%} | {c} |" for n, y, t, m, res, c in calib)
    n_units = len(r["units"])
    counts = defaultdict(int)
    for u in r["units"]:
        counts[u["level"], u["has_budget"]] += 1
    prov = [u for u in r["units"] if u["code_status"].startswith("PROVISIONAL")]
    prov_rows = "\n".join(f"| `{u['code']}` | {u['name_ru']} | {u['level']} |" for u in prov)
    return f"""# data/kz — Kazakhstan, 2026-2028

Built by `python scripts/build_kz_dataset.py` from the sourced files of the project's
shared data folder (`shared/data/kz/`, whose SOURCES.md cites every figure); the build is
seeded and reproducible, and `tests/test_kz_dataset.py` rebuilds it and compares. Amounts
are thousand tenge. **Real** means taken from a cited source; **ILLUSTRATIVE** means made
by the stated rule because no source has it. Never quote an illustrative figure as real.

## What is in it

{n_units} units: 1 republic, 20 regions (17 oblasts, Astana, Almaty, Shymkent),
{counts['district', 'true']} districts and cities of oblast significance with budgets,
{counts['district', 'false']} districts of the three big cities (no budgets of their own),
{counts['rural', 'true']} fourth-level units with budgets (rural okrugs, rural and settlement
akimats, towns of district significance) and {counts['rural', 'false']} without (city
proper parts of cities, settlements directly under a district, districts of cities of
oblast significance).

| file | column | status | source or rule |
|---|---|---|---|
| units.csv | code | real | KATO classifier of 17.10.2022 (`kato.csv`); the republic has the conventional code `000000000`; units formed later have PROVISIONAL codes `<region>99<n>00000` (below) |
| units.csv | name_ru | real | KATO, as written there |
| units.csv | name_kk, name_en | real for the republic and the regions (`regions.csv`) and for the districts found in the boundary file (`geo/districts.geojson`, geokz by A. Rodionov, CC BY 4.0: its ADM2_KK and ADM2_EN, as written there); elsewhere name_kk is empty (not sourced) and name_en is transliterated from Russian and marked `[translit.]` | — |
| units.csv | area_km2 | derived | the area of the region's or district's polygon in `geo/*.geojson` on a sphere of radius 6371.0088 km (1:1 million, generalised boundaries; CC BY 4.0, credit geokz / OCHA COD-AB / OpenStreetMap); empty where the unit has no polygon (fourth level, city districts of Almaty and Shymkent not in the file, provisional units) |
| units.csv | population | real for districts and cities of oblast significance (1 Jan 2025, `district_population.csv`, BNS) and Astana's districts; regions = the sum of their districts; Almaty and Shymkent districts: ILLUSTRATIVE (mixed-date figures of `districts.csv` scaled to the city's 1 Jan 2025 total); fourth-level units: ILLUSTRATIVE (the district's population split by the number of settlements below each unit, towns weighted x3; a city proper gets {CITY_PROPER_SHARE:.0%} of its city) | `population_source` column per row |
| units.csv | has_budget | rule | fourth-level budgets exist since 2018-2020 for rural okrugs, rural and settlement akimats and towns of district significance; districts of the three cities have none |
| taxes.csv | region, district, rural | ASSUMED | which taxes are local follows the Budget Code as summarised in the `reference` column; the oblast/district split of IIT, social tax and SME corporate tax is set by each maslikhat and is assumed 50/50; the `status` column says which rows are assumed |
| taxes.csv | oil_elasticity | ILLUSTRATIVE | how strongly a receipt moves with the oil price (for stress tests) |
| oil_elasticity.csv | oil_elasticity | ASSUMED | per region and tax, replacing taxes.csv's value there: IIT at source and social tax of the oil regions move with oil-sector wages, assumed 0.5 x the share of these taxes paid by base enterprises (no source gives it); used by `stress` and `scorecard` |
| receipts.csv | amount, per region and bulletin group | derived from real | a region's 2026-2028 local receipts = its executed 2024 own revenue (REV − REV.TRANSFERS, MinFin bulletin, `execution/execution.csv`) x its real population change 2024→2025 (BNS) x one factor per year so that the regions add up to the forecast of local revenue (10.7 / 12.1 / 13.3 trn; factors {', '.join(f'{v:.4f}' for v in r['factors']['own'].values())}); each region keeps its own 2024 mix of IIT, social tax, CIT, excise, other taxes and non-tax + capital receipts |
| receipts.csv | tax (inside a bulletin group) | ASSUMED | IIT = iit_source 30/34 + iit_self 4/34; other taxes (REV.TAX − the four itemized) = property_legal 7, property_individual 1.5, land_legal 2, land_individual 0.5, vehicle 4, fees 7 (of 22); CIT = cit_sme; excise = excise_local; REV.NONTAX + REV.CAPITAL = nontax_local |
| receipts.csv | code (which unit books it) | ILLUSTRATIVE | over a region's units by population with seeded noise; VAT booked in regions = {VAT_PER_LOCAL} x the regions' local receipts, split over the regions by their share of nominal GRP 2024 (BNS, `drivers/grp_nominal_by_region.csv`); republican taxes: the 2026 draft's tax revenue (18.9 trn) less VAT, split {', '.join(f'{k} {v:.0%}' for k, v in REPUBLIC_TAX_MIX.items())} of the rest (normalised) |
| receipts.csv | payer | ILLUSTRATIVE | share of IIT, social tax and VAT paid by base enterprises: {', '.join(f'region {k} {v:.0%}' for k, v in BASE_SHARE.items())}, others {BASE_SHARE_OTHER:.0%} |
| receipts.csv | nf_transfer, nontax (republic) | real for 2026 | guaranteed transfer from the National Fund 2.77 trn and non-tax receipts of the 2026 draft republican budget (lada.kz, 3 Sep 2025, from the Open NLA portal); 2027-2028 x {GROWTH_TO_2028[2027]} / {GROWTH_TO_2028[2028]} (ILLUSTRATIVE) |
| needs.csv (basis `observed`) | amount, per region and function | derived from real | a region's 2026-2028 need = its executed 2024 spending on functions (EXP − EXP.15; group 14, debt service, stays) x its real population change x one factor per year so that the regions add up to the forecast of local spending (14.9 / 17.3 / 18.7 trn; factors {', '.join(f'{v:.4f}' for v in r['factors']['need'].values())}), by function in the region's own 2024 shares (groups 01 public_administration, 02-03 public_order, 04 education, 05 health, 06 social_protection, 07 housing_utilities, 08 culture_sport, 09-11 economic_affairs, 12 transport, 13 other_local, 14 debt_service) |
| needs.csv, needs_law.csv | code (which budget spends) | ASSUMED / ILLUSTRATIVE | per function a level split (region, district, fourth level) stated in `scripts/kz_structure.py` (LEVEL_SPLIT; the fourth level's housing part is landscaping_sanitation 70 % and water_supply 30 %), then over a level's budgets by population with seeded noise; a city of republican significance does it all |
| needs_law.csv (basis `law`) | amount | calibrated | a region's need = its own revenue (above) + subvention − withdrawal of the law, so current law on this basis reproduces the law; by function in the region's 2024 shares; the republic (both bases): the 2026 draft's spending (27.27 trn) less subventions, by an illustrative function split |
| needs_normative.csv (basis `normative`) | amount | derived by a fit | for each year, `interbudget needs estimate data/kz --year Y` (below): a norm per person and a cost coefficient per region and function fitted on the observed basis; below the region split as the observed basis; the provenance columns (norm, population, coefficient, share, rule, reference) say how each figure was made; the republic's own need is the observed one |
| normative-fit/YEAR/*.csv | all | derived by a fit | the files the command writes for the fit of YEAR: norms.csv, coefficients.csv, fit.csv, quality.csv, explained.csv |
| drivers.csv | population, urban_population, rural_population | real | BNS average annual population 2025 per region (the latest year; the rows of 2026-2028 repeat it), 0 rural for the three cities |
| drivers.csv | area_km2, density | derived | the region's polygon area (as units.csv); density = population / area |
| tax_series.csv | amount | real | the bulletin's IIT (for iit_source and iit_self), CIT (cit_sme), social tax and excise (excise_local) per region, full years 2022-2024 (2022-2023 lack Abai, Zhetisu, Ulytau; their parents' 2022 figures in mixed borders are left out); `interbudget taxes` takes stability and evenness from it |
| receipts_actual.csv | amount | ILLUSTRATIVE | 2026 execution: oil regions and oil-linked taxes −7 %, others ±3 % |
| receipts_revised.csv | amount | ILLUSTRATIVE | a 2027 revision after an oil price fall: oil-linked receipts −12 % x elasticity, others +1 % |
| bases.csv | base | ILLUSTRATIVE | wage fund behind IIT at source (receipts / 10 %) and property value behind property tax of legal entities (receipts / 1.5 %), divided by a seeded collection effort in [0.85, 1.15] |
| tax_criteria.csv | score | expert | scores for the criteria of §3.3.2 that data cannot give (fairness, mobility, exporting, efficiency, benefit); `basis` says where the concept's own text decides the case, the rest is an ILLUSTRATIVE judgement; stability and evenness are computed from the data by `interbudget taxes` |
| programs.csv | all | ILLUSTRATIVE | 3-6 development programs per region and year (category 2 of targeted subventions): cost 5-25 thousand tenge per person, priority score 1-10, seeded |
| last_transfers.csv | amount | real where published | last period's amounts for envelope guarantees: the 2026 subventions of the law (Turkestan, Ulytau, Shymkent by the rule below) |
| transfers_2026_2028.csv | amount | real where "published", else the RULE stated in the row | the law of 8 Dec 2025 and the MinFin list (`transfers.csv`) |
| geo/*.geojson | all | real (CC BY 4.0) | region and district boundaries for the maps of `interbudget report`, copied unchanged with their SOURCES.md: geokz (A. Rodionov), based on OCHA/HDX COD-AB Kazakhstan (UNHCR), city outlines © OpenStreetMap contributors |
| published.csv | all | real | the 2026 general transfers of the law of 8 Dec 2025 for the 17 regions with a published figure (14 subventions, 3 withdrawals; 0 for the other transfer), in the shape `interbudget reconcile --published` reads; Turkestan, Ulytau and Shymkent have no published 2026 figure and are left out (reconcile reports them) |
| transfers_published.csv | all | real | every published general-transfer figure 1999-2028, as in `transfers.csv`, with KATO codes |

## The regions' own revenue and need

Receipts and observed needs keep each region's real 2024 structure (above): regions differ in tax mix,
in spending per person and in what they spend it on, as executed. The law's needs basis
(`needs_law.csv`) is what the law's transfers imply: own revenue + the law's net transfer. 2026
transfers are the law's (the three regions without a published subvention — Turkestan, Ulytau,
Shymkent — share the rest of the law's total by population). For 2027-2028, where the law's regional
figures are not published: Atyrau's withdrawal as reported; Mangystau becomes a donor in 2028 with a
withdrawal of {MANGYSTAU_2028_W_SHARE:.0%} of its observed need; Almaty and Astana share the rest of
the law's withdrawal total in their 2026 ratio; Pavlodar is neutral in 2028; the other regions share
the law's subvention total in proportion to their 2026 subventions (RULE rows of
`transfers_2026_2028.csv`).

So under `scenarios/current-law.yaml` (`needs_basis: law`) **the law's 2026 transfers, the donor and
subvention counts and the totals are matched by construction**; under the observed basis the same
rules give the transfers that the regions' real structure implies.

## The normative basis (fit of 2026)

`interbudget needs estimate data/kz --year 2026 --out DIR` fits, for each function, the regions' observed
need per person on their cost factors ({', '.join(r['fits'][2026].terms)}), weighted by population (the
norm is the national spending per person; a region's coefficient is its fitted need per person over the
norm). With {r['fits'][2026].n} regions the model is small on purpose; how much it explains:

| function | norm per person (thousand tenge) | R² | error share | leave-one-region-out error share |
|---|---|---|---|---|
{fit_table(r['fits'][2026])}

The observed basis is itself the executed 2024 structure grown to the forecast, so the fit describes
2024's regional differences: where R² is low, the normative need of a region differs most from what it
spent, and the normative basis redistributes (see the reconciliation in the project's README).

## Calibration (printed by the build script; `calibration.csv`)

| target | year | target value | model value | residual | by construction |
|---|---|---|---|---|---|
{table}

Known differences: on the law basis local spending differs from the forecast (14.9 / 17.3 / 18.7 trn)
because the revenue forecast and the law's transfer totals do not add up to it exactly; the republican deficit 2026 is 4.37 trn against 4.59 in the draft (the draft's
revenue includes items not modelled, e.g. Baikonur rent, and predates the final law); the
regions' populations (1 Jan 2025 district sums) exceed the BNS national figure by 0.18 %.

## Provisional codes (units formed after the classifier's date)

| code | name | level |
|---|---|---|
{prov_rows}

Their rural okrugs are still listed under the districts they came from (KATO 2022), whose 2025
populations already exclude them; the new units therefore have no fourth-level units here.
"""


# ---- issue 17: the kind of needs and local debt (separate functions, a few call lines in main) ------------------
# ILLUSTRATIVE rule: no source splits the regions' spending into current and development (capital) programmes, so
# the functions whose local programmes are mostly investment (roads, housing and utilities, economic affairs) are
# `development`, every other function `current`.
DEVELOPMENT_FUNCTIONS = {"transport", "housing_utilities", "economic_affairs"}
# ILLUSTRATIVE split of a region's debt: (creditor, instrument, share of the stock, rate, start_year, maturity_year);
# the stock is backed out of the REAL 2024 debt service (EXP.14) so that 2024 interest equals it.
DEBT_SPLIT = [("republic", "budget_credit", 0.8, 0.01, 2020, 2035), ("bond", "local_executive_bond", 0.2, 0.12, 2023, 2028)]
DEBT_REFERENCE = ("ILLUSTRATIVE stock and split; calibrated so that 2024 interest = the region's executed debt service 2024 "
                  "(EXP.14, MinFin bulletin, shared/data/kz/execution/SOURCES.md)")


def needs_kind(needs: list) -> list:
    """needs.csv rows with their `kind` (current or development) by the rule above."""
    return [n + ["development" if n[2] in DEVELOPMENT_FUNCTIONS else "current"] for n in needs]


def debt_rows(kz: Path, units: list[dict]) -> list[list]:
    """data/kz/debt.csv: per region, a budget credit of the republic and a bond issue (ILLUSTRATIVE), their stock set
    so that their interest in 2024 equals the region's REAL executed debt service of 2024 (execution.csv, EXP.14)."""
    served = {r["kato2"]: float(r["value_thousand_kzt"]) for r in read(kz / "execution" / "execution.csv")
              if r["year"] == "2024" and r["date_in_source"] == "2024-12-01" and r["item_code"] == "EXP.14" and r["kato2"]}
    # interest in 2024 per tenge of stock: rate x the share still outstanding at the start of 2024 (equal repayments)
    per_tenge = sum(share * rate * (1 - min(max(2024 - (s + 1), 0), m - s) / (m - s)) for _, _, share, rate, s, m in DEBT_SPLIT)
    rows = []
    for u in (u for u in units if u["level"] == "region" and u["code"][:2] in served):
        stock = served[u["code"][:2]] / per_tenge
        rows += [[u["code"], cred, inst, "KZT", round(stock * share, 1), rate, s, m, DEBT_REFERENCE]
                 for cred, inst, share, rate, s, m in DEBT_SPLIT]
    return rows


def net_of_debt_service(needs: list, debt: list) -> list:
    """The calibrated need of a region's budget includes its debt service (the law's transfers finance it); debt.csv
    now states that service, so the region budget's other needs rows are scaled down by it: the total is unchanged."""
    from interbudget.rules.borrowing import schedule

    service = defaultdict(float)
    for code, _, _, _, amount, rate, start, maturity, _ in debt:
        i, a, _ = schedule(np.array([amount]), np.array([rate]), np.array([start]), np.array([maturity]), YEARS)
        for k, y in enumerate(YEARS):
            service[code, y] += float(i[0, k] + a[0, k])
    rows = defaultdict(list)
    for n in needs:
        if (n[0], n[1]) in service:
            rows[n[0], n[1]].append(n)
    for key, mine in rows.items():
        total = sum(n[4] for n in mine)
        target = total - service[key]
        for n in mine:
            n[4] = round(n[4] * target / total, 1)
        mine[0][4] += target - sum(n[4] for n in mine)  # the first row closes the rounding exactly: the total is kept
    return needs


def debt_readme(debt: list) -> str:
    regions = len({r[0] for r in debt})
    return f"""
## Local debt and the kind of needs (issue 17)

| file | column | status | rule |
|---|---|---|---|
| debt.csv | all | ILLUSTRATIVE, calibrated on a REAL figure | no source in ../shared/data/kz publishes the stock of local government debt by region. Each of the {regions} regions gets a budget credit of the republic ({DEBT_SPLIT[0][2]:.0%} of its stock, rate {DEBT_SPLIT[0][3]:.0%}, {DEBT_SPLIT[0][4]}-{DEBT_SPLIT[0][5]}) and a bond issue ({DEBT_SPLIT[1][2]:.0%}, rate {DEBT_SPLIT[1][3]:.0%}, {DEBT_SPLIT[1][4]}-{DEBT_SPLIT[1][5]}), repaid in equal parts; the stock is set so that its 2024 interest equals the region's executed debt service of 2024 (EXP.14 of the MinFin bulletin, execution/SOURCES.md), the one real figure. |
| needs.csv | needs of the region budgets | calibrated | the scheduled debt service of debt.csv is taken out of the region budget's other needs rows (scaled down together), so the total need, and the calibration above, is unchanged. |
| needs.csv | kind | ILLUSTRATIVE rule | no source splits current and development (capital) spending: {', '.join(sorted(DEVELOPMENT_FUNCTIONS))} are `development`, every other function `current`. |
"""
def published_2026(kz: Path, region_code: dict[str, str], law: dict) -> list[list]:
    """The 2026 law's general transfers of every region with a published figure, in the shape `interbudget
    reconcile --published` reads (a recipient's withdrawal and a donor's subvention are 0 in the law)."""
    src = {(r["kato2"], r["transfer_type"]): f"{r['legal_act']}: {r['source']}" for r in read(kz / "transfers.csv")
           if r["period"] == "2026-2028" and r["year"] == "2026" and r["kato2"] != "ALL"}
    rows = []
    for k2, code in sorted(region_code.items(), key=lambda kv: kv[1]):
        kind = "subvention" if k2 in law["s26"] and k2 not in law["missing"] else "withdrawal" if k2 in law["w26"] else None
        if kind is None:
            continue  # Turkestan, Ulytau, Shymkent: no published 2026 figure (reconcile reports them)
        amount = law["s26"][k2] if kind == "subvention" else law["w26"][k2]
        other = "withdrawal" if kind == "subvention" else "subvention"
        rows.append([code, 2026, kind, amount, src[k2, kind]])
        rows.append([code, 2026, other, 0.0, f"none in the law ({kind} region): " + src[k2, kind]])
    return rows


def extras(r: dict, out: Path) -> None:
    """The drivers of the needs estimate (BNS population, area, density) and the real tax series."""
    from kz_execution import SERIES_ITEMS, drivers, tax_series

    regions = [u for u in r["units"] if u["level"] == "region"]
    write(out / "drivers.csv", ["code", "year", "driver", "value", "source"],  # 2025 is BNS's latest year
          drivers(regions, r["kz"].parents[1], dict.fromkeys(YEARS, 2025)))
    write(out / "tax_series.csv", ["code", "year", "tax", "amount", "source"],
          tax_series({u["code"][:2]: u["code"] for u in regions}, r["kz"].parents[1],
                     dict(zip(SERIES_ITEMS, [["iit_source", "iit_self"], ["cit_sme"], ["social_tax"], ["excise_local"]], strict=True))))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = Path(__file__).resolve().parents[1]
    ap.add_argument("--shared", default=str(root.parent / "shared"))
    ap.add_argument("--out", default=str(root / "data" / "kz"))
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    r = build(Path(a.shared), out)
    receipts, needs, needs_law = money(r)
    debt = debt_rows(r["kz"], r["units"])  # issue 17: local debt; its service moves out of the region's other needs
    needs, needs_law = net_of_debt_service(needs, debt), net_of_debt_service(needs_law, debt)
    cols = ["code", "parent", "level", "name_kk", "name_ru", "name_en", "population", "has_budget", "area_km2", "unit_type",
            "code_status", "population_source", "area_source"]
    write(out / "units.csv", cols, [[u[c] for c in cols] for u in r["units"]])
    write(out / "receipts.csv", ["code", "year", "tax", "payer", "amount"], receipts)
    write(out / "needs.csv", ["code", "year", "function", "priority", "amount", "kind"], needs_kind(needs))
    write(out / "needs_law.csv", ["code", "year", "function", "priority", "amount", "kind"], needs_kind(needs_law))
    write(out / "debt.csv", ["code", "creditor", "instrument", "currency", "amount", "rate", "start_year", "maturity_year", "reference"], debt)
    extras(r, out)
    actual, revised, bases = variants(receipts, r["rng"])
    programs, last = programs_and_last(r)
    write(out / "programs.csv", ["program", "code", "year", "cost", "score", "name"], programs)
    write(out / "last_transfers.csv", ["code", "amount", "kind"], last)
    write(out / "tax_criteria.csv", ["tax", "criterion", "score", "basis", "rationale"], tax_criteria_rows())
    geo = out / "geo"  # the boundaries the reports map (CC BY 4.0: credited in every report and in README.md)
    geo.mkdir(exist_ok=True)
    for name in ("regions.geojson", "districts.geojson", "SOURCES.md"):
        (geo / name).write_bytes((r["kz"] / "geo" / name).read_bytes())
    write(out / "receipts_actual.csv", ["code", "year", "tax", "payer", "amount"], actual)
    write(out / "receipts_revised.csv", ["code", "year", "tax", "payer", "amount"], revised)
    write(out / "bases.csv", ["code", "year", "tax", "base"], bases)
    write(out / "payers.csv", ["payer", "base", "name_en", "description"], [
        ["oil_gas", "true", "oil and gas enterprises", "base enterprises of the oil and gas sector (ILLUSTRATIVE shares of IIT, social tax and VAT)"],
        ["large_national", "true", "large national taxpayers", "large taxpayers of national significance (ILLUSTRATIVE shares)"]])
    write(out / "taxes.csv", ["tax", "name_kk", "name_ru", "name_en", "region", "district", "rural", "reference", "status", "oil_elasticity"],
          [[t, kk, ru, en, *shares, ref, status, OIL_LINKED.get(t, 0.0)] for t, kk, ru, en, shares, ref, status in TAXES])
    region_code = {u["code"][:2]: u["code"] for u in r["units"] if u["level"] == "region"}
    # IIT at source and social tax of oil regions move with the oil price through oil-sector wages: no source gives
    # the elasticity, so it is ASSUMED as half the share of these taxes paid by base (oil and gas) enterprises
    write(out / "oil_elasticity.csv", ["code", "tax", "oil_elasticity", "basis"],
          [[region_code[k2], tax, round(0.5 * v, 4), (f"ASSUMED: 0.5 x the share of IIT and social tax paid by base (oil and gas) "
                                                      f"enterprises in receipts.csv ({v:.0%})")] for k2, v in sorted(BASE_SHARE.items()) for tax in ("iit_source", "social_tax")])
    write(out / "transfers_2026_2028.csv", ["year", "code", "type", "amount", "basis"],
          [[2026, region_code[k2], "subvention", v, "published (MinFin via mgorod.kz, 27 Nov 2025)"]
           for k2, v in r["law"]["s26"].items() if k2 not in r["law"]["missing"]]
          + [[2026, region_code[k2], "withdrawal", v, "published (law, art. 1 p. 1)"] for k2, v in r["law"]["w26"].items()]
          + [[x["year"], region_code[x["kato2"]], x["type"], round(x["amount"], 1), "RULE: " + x["rule"]] for x in r["rule_rows"]])
    hist = read(r["kz"] / "transfers.csv")
    write(out / "transfers_published.csv", ["period", "year", "kato2", "code", "region_as_in_source", "type", "amount", "precision",
                                            "legal_act", "source"],
          [[h["period"], h["year"], h["kato2"], region_code.get(h["kato2"], ""), h["region_name_as_in_source"], h["transfer_type"],
            h["amount_thousand_tenge"], h["precision"], h["legal_act"], h["source"]] for h in hist])
    from kz_structure import normative_basis

    from interbudget.analysis.normative_needs import NEEDS_COLUMNS, PROVENANCE_COLUMNS, write_estimate

    normative, r["fits"] = normative_basis(out, YEARS, REPUBLIC)
    write(out / "needs_normative.csv", NEEDS_COLUMNS + PROVENANCE_COLUMNS, normative)
    for y, est in r["fits"].items():  # the fit behind each year, as `interbudget needs estimate data/kz --year Y` writes it
        write_estimate(est, out / "normative-fit" / str(y))
    write(out / "published.csv", ["code", "year", "transfer", "amount", "source"], published_2026(r["kz"], region_code, r["law"]))
    calib = calibrate(out, r)
    write(out / "calibration.csv", ["target", "year", "target_value", "model_value", "relative_residual", "by_construction"], calib)
    (out / "README.md").write_text(readme(r, calib) + debt_readme(debt), encoding="utf-8")
    print(f"{out}: {len(r['units'])} units, {len(receipts)} receipts, {len(needs)} needs")


if __name__ == "__main__":
    main()
