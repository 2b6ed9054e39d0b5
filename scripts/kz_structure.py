"""data/kz on the real 2024 structure of every region (issue 21): tax mix, spending by function and
population change from the executed 2024 budgets and BNS, grown to the 2026-2028 forecasts; and the
law's needs basis (needs backed out of the published transfers).

Real: each region's 2024 receipts by group and spending by functional group (MinFin bulletin), its BNS
population 2024 and 2025. Derived: shares and growth factors computed from them. ILLUSTRATIVE / ASSUMED
(each stated in data/kz/README.md): how a bulletin group splits into the dataset's taxes, which level
spends a function, and the 2027-2028 law per region (only totals are published).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from kz_execution import execution, population, value

BASE_YEAR, POP_FROM, POP_TO = 2024, 2024, 2025  # the executed year; the population change applied once (BNS)
# the bulletin's receipt groups -> the dataset's taxes; ratios inside a group are ASSUMED (the old tax mix)
GROUPS = {
    "iit": (["REV.PIT"], [], {"iit_source": 30 / 34, "iit_self": 4 / 34}),
    "social_tax": (["REV.SOCIAL_TAX"], [], {"social_tax": 1.0}),
    "cit": (["REV.CIT"], [], {"cit_sme": 1.0}),
    "excise": (["REV.EXCISE"], [], {"excise_local": 1.0}),
    "other_taxes": (["REV.TAX"], ["REV.PIT", "REV.CIT", "REV.SOCIAL_TAX", "REV.EXCISE"],
                    {"property_legal": 7 / 22, "property_individual": 1.5 / 22, "land_legal": 2 / 22, "land_individual": 0.5 / 22,
                     "vehicle": 4 / 22, "fees": 7 / 22}),
    "nontax": (["REV.NONTAX", "REV.CAPITAL"], [], {"nontax_local": 1.0}),
}
# functional group -> function of the dataset (names kept from data/kz, so the registry's need_function still match)
FUNCTION_OF = {"EXP.01": "public_administration", "EXP.02": "public_order", "EXP.03": "public_order", "EXP.04": "education",
               "EXP.05": "health", "EXP.06": "social_protection", "EXP.07": "housing_utilities", "EXP.08": "culture_sport",
               "EXP.09": "economic_affairs", "EXP.10": "economic_affairs", "EXP.11": "economic_affairs", "EXP.12": "transport",
               "EXP.13": "other_local", "EXP.14": "debt_service"}
PRIORITY = {"public_administration": "mandatory", "public_order": "mandatory", "education": "mandatory", "health": "mandatory",
            "social_protection": "mandatory", "housing_utilities": "basic", "culture_sport": "additional", "economic_affairs": "basic",
            "transport": "basic", "other_local": "additional", "debt_service": "mandatory", "landscaping_sanitation": "mandatory",
            "water_supply": "basic"}
# ASSUMED: which level of an oblast spends a function (region, district, fourth level); cities do it all
LEVEL_SPLIT = {"public_administration": (0.3, 0.5, 0.2), "public_order": (1.0, 0.0, 0.0), "education": (0.3, 0.7, 0.0),
               "health": (1.0, 0.0, 0.0), "social_protection": (0.5, 0.5, 0.0), "housing_utilities": (0.3, 0.6, 0.1),
               "culture_sport": (0.4, 0.5, 0.1), "economic_affairs": (0.7, 0.3, 0.0), "transport": (0.5, 0.45, 0.05),
               "other_local": (0.5, 0.5, 0.0), "debt_service": (1.0, 0.0, 0.0)}
RURAL_NAMES = {"housing_utilities": {"landscaping_sanitation": 0.7, "water_supply": 0.3}}  # the fourth level's own names (§3.4)


def real_2024(shared: Path, k2s: list[str]) -> dict:
    """Per region: receipts by tax (real group x assumed split), spending by function, population change."""
    ex = execution(shared, f"{BASE_YEAR}-12-01")
    pop = population(shared)
    out = {}
    for k2 in k2s:
        taxes: dict[str, float] = {}
        for plus, minus, split in GROUPS.values():
            amount = sum(value(ex, k2, i) for i in plus) - sum(value(ex, k2, i) for i in minus)
            for tax, f in split.items():
                taxes[tax] = taxes.get(tax, 0.0) + amount * f
        spend: dict[str, float] = {}
        for item, fn in FUNCTION_OF.items():
            spend[fn] = spend.get(fn, 0.0) + value(ex, k2, item)
        change = float(pop[k2, POP_TO, "ALL"]["value_persons"]) / float(pop[k2, POP_FROM, "ALL"]["value_persons"])
        out[k2] = {"taxes": taxes, "own": sum(taxes.values()), "spend": spend, "need": sum(spend.values()), "pop_change": change,
                   "pop_2024": float(pop[k2, POP_FROM, "ALL"]["value_persons"])}
    return out


def grown(real: dict, key: str, targets: dict[int, float]) -> tuple[dict, dict]:
    """A region's 2024 total x its population change x one factor per year so the regions add up to the forecast."""
    base = {k2: r[key] * r["pop_change"] for k2, r in real.items()}
    factor = {y: t / sum(base.values()) for y, t in targets.items()}
    return {k2: {y: b * factor[y] for y in targets} for k2, b in base.items()}, factor


def law_net(law: dict, own: dict, obs_need: dict, years: list[int], atyrau: dict, mangystau_share: float) -> tuple[dict, list]:
    """Net transfer (subvention − withdrawal) of the law per region and year, and the rule rows for 2027-2028.
    2026: as published (three regions by the rule of law_transfers). 2027-2028, where only totals are published:
    Atyrau's withdrawal as reported; Mangystau a donor in 2028 ({mangystau_share} of its observed need); Almaty and
    Astana the rest of the withdrawal total in their 2026 ratio; Pavlodar neutral in 2028; the other regions share
    the subvention total in proportion to their 2026 subventions."""
    net = {k2: {years[0]: v[years[0]]} for k2, v in law["net"].items()}
    rows = []
    s26 = law["s26"]
    for y in years[1:]:
        w = dict(law["withdrawals"][y])
        if "47" in w:
            w["47"] = mangystau_share * obs_need["47"][y]
        rest = law["total"][y, "withdrawal_total"] - sum(w.values())
        for k2 in ("75", "71"):
            w[k2] = rest * law["w26"][k2] / (law["w26"]["75"] + law["w26"]["71"])
        neutral = {"55"} if y == 2028 else set()
        takers = [k2 for k2 in net if k2 not in w and k2 not in neutral]
        sub = law["total"][y, "subvention_total"]
        for k2 in net:
            if k2 in w:
                net[k2][y] = -w[k2]
                rule = ("reported (draft, rounded)" if k2 == "23" else f"{mangystau_share:.0%} of its observed need (a marginal donor)"
                        if k2 == "47" else "law total minus Atyrau (and Mangystau), in the 2026 ratio of Almaty and Astana")
                rows.append({"year": y, "kato2": k2, "type": "withdrawal", "amount": w[k2], "rule": rule})
            elif k2 in neutral:
                net[k2][y] = 0.0
                rows.append({"year": y, "kato2": k2, "type": "neutral", "amount": 0.0, "rule": "self-sufficient (aggregates.csv)"})
            else:
                net[k2][y] = sub * s26[k2] / sum(s26[t] for t in takers)
                rows.append({"year": y, "kato2": k2, "type": "subvention", "amount": net[k2][y],
                             "rule": "the law's subvention total, in proportion to the 2026 subventions"})
    for k2 in net:
        for y in years:
            if own[k2][y] + net[k2][y] < 0:
                raise SystemExit(f"region {k2} {y}: the law's withdrawal exceeds its own revenue; the law basis would be negative")
    return net, rows


def normative_basis(out: Path, years: list[int], republic: str) -> tuple[list[list], dict]:
    """needs_normative.csv of data/kz: for every year, the command `interbudget needs estimate data/kz --year Y`
    (its Python API: a norm per person and cost coefficients fitted on the regions' observed needs of that year,
    split below the region as the observed basis); the republic's own need is the observed one (no fit).
    Returns the rows and each year's fit (for the README)."""
    from interbudget.analysis.normative import estimate_needs
    from interbudget.analysis.normative_needs import PROVENANCE_COLUMNS, normative_needs
    from interbudget.dataset import load_dataset

    ds = load_dataset(out)
    rows, fits = [], {}
    for y in years:
        est = estimate_needs(ds, y)
        fits[y] = est
        rows += [[r["code"], r["year"], r["function"], r["priority"], r["amount"], *(r[c] for c in PROVENANCE_COLUMNS)]
                 for r in normative_needs(ds, est)]
    n = ds.needs
    h = ds.hierarchy
    rep = np.flatnonzero(h.codes[n.unit] == republic)
    from interbudget.dataset import PRIORITIES

    for i in rep.tolist():  # the republic's rows: a handful
        rows.append([republic, int(n.year[i]), ds.functions[n.function[i]], PRIORITIES[n.priority[i]], float(n.amount[i]),
                     "", "", "", "", "the republic's own need: as observed (needs.csv), not fitted", ""])
    return rows, fits
