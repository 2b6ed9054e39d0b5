"""Build data/kz-2024/ — Kazakhstan in 2024 on the executed figures — from ../shared/data/kz.

Real at region level: every region's receipts by tax group and its spending by
functional group (less group 15, transfers paid) as executed in 2024 (MinFin
bulletin, `execution/execution.csv`), its executed subventions and withdrawals
(`published.csv`) and its BNS population (`drivers.csv`). The units are those of
data/kz (same KATO codes and rules). Below the region the split is an
ILLUSTRATIVE rule (by population, fixed level shares), stated in the README.

    python scripts/build_kz2024_dataset.py [--shared ../shared] [--out data/kz-2024]
"""
from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_kz_dataset as kz  # the units of data/kz, the same rules
from kz_execution import SERIES_ITEMS, drivers, execution, tax_series, value

YEAR = 2024
DATE = "2024-12-01"  # the bulletin's December issue: the full year (figures are cumulative from January)
# receipt groups of the consolidated local budget: tax -> (item codes added, minus item codes)
RECEIPTS = {
    "iit": (["REV.PIT"], []), "social_tax": (["REV.SOCIAL_TAX"], []), "cit": (["REV.CIT"], []),
    "excise": (["REV.EXCISE"], []),
    "other_taxes": (["REV.TAX"], ["REV.PIT", "REV.CIT", "REV.SOCIAL_TAX", "REV.EXCISE"]),
    "nontax": (["REV.NONTAX"], []), "capital": (["REV.CAPITAL"], []),
}
TAX_NAMES = {  # tax: kk, ru, en, 2024 shares (region, district, rural), reference, status
    "iit": ("Жеке табыс салығы", "Индивидуальный подоходный налог", "individual income tax", (0.5, 0.5, 0.0),
            "Budget Code 2008 (as in force in 2024): local-budget revenue; oblast/district split set by the maslikhat", "assumed split"),
    "social_tax": ("Әлеуметтік салық", "Социальный налог", "social tax", (0.5, 0.5, 0.0),
                   "Budget Code 2008: local-budget revenue; oblast/district split set by the maslikhat", "assumed split"),
    "cit": ("Корпоративтік табыс салығы", "Корпоративный подоходный налог", "corporate income tax (the local part: SMEs)", (0.5, 0.5, 0.0),
            "local revenue since 2020 (large taxpayers and the oil sector excluded)", "assumed split"),
    "excise": ("Акциздер", "Акцизы", "excises (the local part)", (0.0, 1.0, 0.0), "district budget", "assumed"),
    "other_taxes": ("Басқа салықтар", "Прочие налоги", "other taxes (property, land, vehicle, fees ...)", (0.0, 1.0, 0.0),
                    "district budget (the bulletin does not itemize them)", "assumed"),
    "nontax": ("Салықтық емес түсімдер", "Неналоговые поступления", "non-tax receipts", (0.0, 1.0, 0.0), "district budget", "assumed"),
    "capital": ("Негізгі капиталды сатудан түсімдер", "Поступления от продажи основного капитала", "receipts from the sale of fixed capital",
                (0.0, 1.0, 0.0), "district budget", "assumed"),
}
FUNCTIONS = {  # functional group: (function name, priority) — the priority is ASSUMED (README)
    "EXP.01": ("fg01_general_public_services", "mandatory"), "EXP.02": ("fg02_defence", "mandatory"),
    "EXP.03": ("fg03_public_order", "mandatory"), "EXP.04": ("fg04_education", "mandatory"),
    "EXP.05": ("fg05_health", "mandatory"), "EXP.06": ("fg06_social_assistance", "mandatory"),
    "EXP.07": ("fg07_housing_utilities", "basic"), "EXP.08": ("fg08_culture_sport", "additional"),
    "EXP.09": ("fg09_fuel_energy", "basic"), "EXP.10": ("fg10_agriculture_environment", "basic"),
    "EXP.11": ("fg11_industry_construction", "basic"), "EXP.12": ("fg12_transport", "basic"),
    "EXP.13": ("fg13_other", "additional"), "EXP.14": ("fg14_debt_service", "mandatory"),
}
LEVEL_SHARES = kz.NEED_LEVELS  # an oblast's need by level (the rule of data/kz): region, districts, fourth level


def group_amount(ex: dict, k2: str, tax: str) -> float:
    plus, minus = RECEIPTS[tax]
    return sum(value(ex, k2, i) for i in plus) - sum(value(ex, k2, i) for i in minus)


def split(total: float, weights: np.ndarray) -> np.ndarray:
    """`total` by weight, to 0.001 thousand tenge; the largest part takes the rounding so the parts add up."""
    parts = np.round(total * weights / weights.sum(), 3)
    parts[np.argmax(weights)] += round(total - parts.sum(), 3)
    return parts


def budgets_of(units: list[dict]) -> dict[str, dict[str, list[dict]]]:
    kids = defaultdict(list)
    for u in units:
        kids[u["parent"]].append(u)
    out = {}
    for reg in (u for u in units if u["level"] == "region"):
        districts = [s for s in kids[reg["code"]] if s["has_budget"] == "true"]
        rural = [c for s in districts for c in kids[s["code"]] if c["has_budget"] == "true"]
        out[reg["code"]] = {"region": [reg], "district": districts, "rural": rural}
    return out


def pop(bs: list[dict]) -> np.ndarray:
    return np.array([max(float(b["population"]), 1.0) for b in bs])


def money(units: list[dict], ex: dict) -> tuple[list, list]:
    receipts, needs = [], []
    for code, b in budgets_of(units).items():
        k2 = code[:2]
        book = b["district"] or b["region"]  # receipts booked where collected: districts by population (a city: itself)
        for tax in RECEIPTS:
            for u, a in zip(book, split(group_amount(ex, k2, tax), pop(book)), strict=True):
                receipts.append([u["code"], YEAR, tax, "regional", a])
        levels = dict(LEVEL_SHARES)
        if not b["district"]:
            levels = {"region": 1.0}
        elif not b["rural"]:
            levels = {"region": levels["region"], "district": levels["district"] + levels["rural"]}
        for item, (fn, prio) in FUNCTIONS.items():
            total = value(ex, k2, item)
            by_level = split(total, np.array(list(levels.values())))
            for (lvl, _), amount in zip(levels.items(), by_level, strict=True):
                for u, a in zip(b[lvl], split(amount, pop(b[lvl])), strict=True):
                    needs.append([u["code"], YEAR, fn, prio, a])
    return receipts, needs


def published(units: list[dict], ex: dict) -> list[list]:
    rows = []
    for u in (u for u in units if u["level"] == "region"):
        for item, transfer in (("SUBVENTIONS", "subvention"), ("WITHDRAWALS", "withdrawal")):
            r = ex.get((u["code"][:2], item))
            amount = float(r["value_thousand_kzt"]) if r else 0.0
            src = (r["source"] if r else f"no {item} row for this region in the 2024 bulletin (табл 18): none paid")
            rows.append([u["code"], YEAR, transfer, amount, src])
    return rows


def scenario_text() -> str:
    lines = ["# Current law of 2024 on data/kz-2024 (option 1): the consolidated local budgets keep every receipt",
             "# group booked on their territory (the bulletin reports the local part only); the oblast/district",
             "# split is ASSUMED (data/kz-2024/README.md). Needs are the executed 2024 spending (basis observed).",
             "name: current-law-2024", "description: Option 1 — the 2024 rules on the executed 2024 receipts and spending",
             f"years: [{YEAR}]", "option: 1", "district_method: M3", "rural_method: M3", "regulated_taxes: [iit, social_tax]",
             "needs_basis: observed", "sharing:"]
    for tax, (_, _, _, (r, d, ru), ref, _) in TAX_NAMES.items():
        shares = ", ".join(f"{k}: {v}" for k, v in (("region", r), ("district", d), ("rural", ru)) if v)
        lines.append(f'  {tax}: {{{shares}, reference: "{ref}"}}')
    lines.append("withdrawal_rate: 1.0")
    return "\n".join(lines) + "\n"


def reconcile_rows(out: Path) -> list[tuple]:
    """Current law of 2024 on the built dataset: per region the modelled and the executed transfers."""
    from interbudget.dataset import load_dataset
    from interbudget.engine import run
    from interbudget.scenario import load_scenario

    s, _ = load_scenario(out / "scenarios" / "current-law.yaml")
    res = run(load_dataset(out), s)
    h, tr = res.hierarchy, res.transfers
    pub = {(r["code"], r["transfer"]): float(r["amount"]) for r in kz.read(out / "published.csv")}
    rows = []
    for u in np.flatnonzero(h.level == 1):
        b, code = h.budget_index_of_unit[u], h.codes[u]
        net = float(tr.subvention[b, 0] - tr.withdrawal[b, 0])
        rows.append((code, h.names["en"][int(u)].as_py(), net, pub[code, "subvention"] - pub[code, "withdrawal"]))
    return rows


def readme(units: list[dict], ex: dict, out: Path) -> str:
    rows = reconcile_rows(out)
    t = lambda x: f"{x / 1e6:,.1f}"  # noqa: E731  (billion tenge)
    table = "\n".join(f"| {c} | {n} | {t(m)} | {t(p)} | {t(m - p)} |" for c, n, m, p in rows)
    mad = sum(abs(m - p) for *_, m, p in rows) / len(rows)
    same = sum((m > 0.5) == (p > 0.5) and (m < -0.5) == (p < -0.5) for *_, m, p in rows)
    sub = sum(value(ex, u["code"][:2], "SUBVENTIONS") for u in units if u["level"] == "region" and (u["code"][:2], "SUBVENTIONS") in ex)
    trans = value(ex, "ALL", "REV.TRANSFERS")
    lend, bal = value(ex, "ALL", "NET_LENDING"), value(ex, "ALL", "BALANCE")
    return f"""# data/kz-2024 — Kazakhstan, 2024, on executed figures

Built by `python scripts/build_kz2024_dataset.py` from `shared/data/kz/` (the MinFin bulletin's
execution of every region's consolidated local budget, `execution/execution.csv`, and the BNS
series in `drivers/`; their SOURCES.md cite every figure). `tests/test_kz2024_dataset.py` rebuilds it
and compares, and checks every region-level figure against its source row. Amounts are thousand
tenge. **Real** = taken from a cited source; **derived** = computed from real figures by the stated
formula; **ILLUSTRATIVE** = made by the stated rule because no source has it.

The units are those of data/kz (same script, same KATO codes, same population rules).

| file | column | status | source or rule |
|---|---|---|---|
| units.csv | all | as in data/kz | see data/kz/README.md (populations 1 Jan 2025; below districts ILLUSTRATIVE) |
| receipts.csv | amount, summed per region and tax | **real** | 2024 full year (bulletin of 2024-12): `iit` = REV.PIT, `cit` = REV.CIT, `social_tax` = REV.SOCIAL_TAX, `excise` = REV.EXCISE, `nontax` = REV.NONTAX, `capital` = REV.CAPITAL |
| receipts.csv | amount of `other_taxes`, per region | **derived** | REV.TAX − (PIT + CIT + social tax + excise): property, land, vehicle taxes and fees, which the bulletin does not itemize |
| receipts.csv | code (which unit books a receipt) | ILLUSTRATIVE | an oblast's receipts are booked at its districts and cities of oblast significance in proportion to their population; a city of republican significance books its own |
| needs.csv | amount, summed per region and function | **real** | executed 2024 spending by functional group EXP.01 … EXP.14 (group 14, debt service, is a need); group 15 (transfers paid: withdrawals and other transfers) is left out: the engine computes withdrawals itself |
| needs.csv | code (which budget spends) | ILLUSTRATIVE | an oblast's spending on each function: {', '.join(f'{k} {v:.1%}' for k, v in LEVEL_SHARES.items())} (the rule of data/kz), each level's part by population; all of it at the city for Astana, Almaty and Shymkent |
| needs.csv | priority | ASSUMED | mandatory: groups 01-06 and 14; basic: 07, 09-12; additional: 08, 13 |
| taxes.csv, scenarios/current-law.yaml | shares | ASSUMED | every receipt group of the bulletin is local revenue (the bulletin reports the local part only); IIT, social tax and CIT split 50/50 oblast/district (set by each maslikhat in reality), the rest to the district |
| published.csv | amount | **real** | executed 2024 subventions from and withdrawals to the republican budget (bulletin table 18); 0 where the bulletin has no row (a donor receives no subvention, a recipient pays no withdrawal) |
| drivers.csv | population, urban_population, rural_population | **real** | BNS average annual population 2024 per region (0 rural for the three cities: BNS has no rural row) |
| drivers.csv | area_km2, density | **derived** | area of the region's polygon (as units.csv of data/kz); density = population / area |
| tax_series.csv | amount | **real** | the bulletin's IIT, CIT, social tax and excise per region, full years 2022-2024: 2022 and 2023 lack Abai, Zhetisu and Ulytau, and the 2022 figures of their parents (mixed borders) are left out; year-to-date 2025-2026 is not used. `interbudget taxes` takes the criteria's stability and evenness from it |
| geo/*.geojson | all | real (CC BY 4.0) | as in data/kz |

## Current law of 2024 against the executed transfers

`scenarios/current-law.yaml` runs option 1 on these figures. The engine closes each region's gap
(spending on functions − own receipts) with a general subvention or a withdrawal; the executed
budgets closed it with targeted transfers and borrowing as well. Net transfer = subvention − withdrawal, billion tenge:

| code | region | modelled | executed | difference |
|---|---|---|---|---|
{table}

Mean absolute difference {t(mad)} bn; {same} of {len(rows)} regions have the same status (subvention,
donor or neither); modelled net transfers add up to {t(sum(m for *_, m, _ in rows))} bn against {t(sum(p for *_, p in rows))} bn
executed. The gap is not an error of the model but what the general formula leaves out: in 2024 the
regions received {t(trans)} bn of transfers in all (REV.TRANSFERS), of which {t(sub)} bn were
subventions — the other {t(trans - sub)} bn are targeted transfers from the republican budget
that paid for part of the spending the model charges to the general subvention; the regions also lent
net {t(lend)} bn (net budget lending) and ended the year with a balance of {t(bal)} bn (execution:
spending and receipts as executed, not as planned). `interbudget reconcile` gives the same table.
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = Path(__file__).resolve().parents[1]
    ap.add_argument("--shared", default=str(root.parent / "shared"))
    ap.add_argument("--out", default=str(root / "data" / "kz-2024"))
    a = ap.parse_args()
    shared, out = Path(a.shared), Path(a.out)
    (out / "scenarios").mkdir(parents=True, exist_ok=True)
    units, _ = kz.build_units(shared / "data" / "kz", np.random.default_rng(kz.SEED))
    ex = execution(shared, DATE)
    receipts, needs = money(units, ex)
    cols = ["code", "parent", "level", "name_kk", "name_ru", "name_en", "population", "has_budget", "area_km2", "unit_type",
            "code_status", "population_source", "area_source"]
    kz.write(out / "units.csv", cols, [[u[c] for c in cols] for u in units])
    kz.write(out / "receipts.csv", ["code", "year", "tax", "payer", "amount"], receipts)
    kz.write(out / "needs.csv", ["code", "year", "function", "priority", "amount"], needs)
    kz.write(out / "published.csv", ["code", "year", "transfer", "amount", "source"], published(units, ex))
    kz.write(out / "drivers.csv", ["code", "year", "driver", "value", "source"],
             drivers([u for u in units if u["level"] == "region"], shared, {YEAR: YEAR}))
    kz.write(out / "taxes.csv", ["tax", "name_kk", "name_ru", "name_en", "region", "district", "rural", "reference", "status"],
             [[t, kk, ru, en, *sh, ref, st] for t, (kk, ru, en, sh, ref, st) in TAX_NAMES.items()])
    region_code = {u["code"][:2]: u["code"] for u in units if u["level"] == "region"}
    kz.write(out / "tax_series.csv", ["code", "year", "tax", "amount", "source"],
             tax_series(region_code, shared, dict(zip(SERIES_ITEMS, [["iit"], ["cit"], ["social_tax"], ["excise"]], strict=True))))
    (out / "scenarios" / "current-law.yaml").write_text(scenario_text(), encoding="utf-8")
    geo = out / "geo"
    geo.mkdir(exist_ok=True)
    for name in ("regions.geojson", "districts.geojson", "SOURCES.md"):
        (geo / name).write_bytes((shared / "data" / "kz" / "geo" / name).read_bytes())
    (out / "README.md").write_text(readme(units, ex, out), encoding="utf-8")
    print(f"{out}: {len(units)} units, {len(receipts)} receipts, {len(needs)} needs")


if __name__ == "__main__":
    main()
