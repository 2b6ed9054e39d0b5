"""Build data/kz-2002/ — the 16 regions of the concept's own era, calibrated to the actual 1999-2005
subventions and withdrawals (MinFin data as published by the World Bank, `transfers.csv`).

Real: the 16 regions and their codes of the time, the transfers of 1999-2005. ILLUSTRATIVE (stated rules,
README.md): populations (the 2025 populations of each region's present-day successors, from data/kz),
own revenue and needs (needs backed out of the actual transfers), the tax mix and the base payers.

    python scripts/build_kz2002_dataset.py [--shared ../shared] [--kz data/kz] [--out data/kz-2002]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_kz_dataset import read, write

YEARS = list(range(1999, 2006))
REPUBLIC = "000000000"
MIN_OWN = 0.2  # the most subsidized region finances this share of its need itself (ILLUSTRATIVE rule)
TAX_MIX = {"iit_source": 0.35, "social_tax": 0.35, "other_local": 0.30}
VAT_PER_LOCAL, CIT_PER_LOCAL = 0.8, 0.5
BASE_SHARE = {"23": 0.45, "47": 0.35, "27": 0.25, "43": 0.2, "15": 0.15}  # as in data/kz


def main() -> None:
    root = Path(__file__).resolve().parents[1]
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=str(root.parent / "shared"))
    ap.add_argument("--kz", default=str(root / "data" / "kz"))
    ap.add_argument("--out", default=str(root / "data" / "kz-2002"))
    a = ap.parse_args()
    kz_src = Path(a.shared) / "data" / "kz"
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    regions = read(kz_src / "regions_2002.csv")
    today = {u["code"][:2]: u for u in read(Path(a.kz) / "units.csv") if u["level"] == "region"}
    units = [[REPUBLIC, "", "republic", "Қазақстан Республикасы", "Республика Казахстан", "Republic of Kazakhstan", 0,
              "the republic of the example: the sum of the regions"]]
    pop = {}
    for r in regions:
        succ = [s.strip() for s in r["present_day_kato2_successors"].split("+")]
        pop[r["kato2_at_the_time"]] = sum(int(today[s]["population"]) for s in succ)
        one = today[succ[0]] if len(succ) == 1 else None
        units.append([f"{r['kato2_at_the_time']}0000000", REPUBLIC, "region", one["name_kk"] if one else "", r["name_ru"],
                      r["name_en"], pop[r["kato2_at_the_time"]],
                      f"ILLUSTRATIVE population: 1 Jan 2025 of the present-day successor(s) {' + '.join(succ)} (data/kz); no 2002 figure in the sources"])
    units[0][6] = sum(pop.values())
    rows = [t for t in read(kz_src / "transfers.csv") if t["period"].startswith("1999-2005") and t["kato2"] != "ALL"]
    net = {(k2, y): 0.0 for k2 in pop for y in YEARS}
    status = {}
    for t in rows:
        y, k2 = int(t["year"]), t["kato2"]
        if t["transfer_type"] in ("subvention", "withdrawal") and (k2, y) in net:
            net[k2, y] = float(t["amount_thousand_tenge"]) * (1 if t["transfer_type"] == "subvention" else -1)
            status[k2, y] = t["transfer_type"]
    totals = {(int(t["year"]), t["transfer_type"]): float(t["amount_thousand_tenge"])
              for t in read(kz_src / "transfers.csv") if t["period"].startswith("1999-2005") and t["kato2"] == "ALL"}
    rng = np.random.default_rng(2002)
    receipts, needs = [], []
    calib = []
    for y in YEARS:
        subs = sum(v for (k2, yy), v in net.items() if yy == y and v > 0)
        wds = -sum(v for (k2, yy), v in net.items() if yy == y and v < 0)
        # the same need per person in every region, set so the most subsidized region still raises MIN_OWN of it
        need_pc = max(net[k2, y] / p for k2, p in pop.items()) / (1 - MIN_OWN)
        for k2, p in pop.items():
            code = f"{k2}0000000"
            need = p * need_pc
            own = need - net[k2, y]
            if own <= 0:
                raise SystemExit(f"region {k2} {y}: own revenue {own:,.0f} <= 0")
            base = BASE_SHARE.get(k2, 0.0)
            for tax, share in TAX_MIX.items():
                amt = own * share
                if tax in ("iit_source", "social_tax") and base:
                    receipts.append([code, y, tax, "base", round(amt * base, 1)])
                    receipts.append([code, y, tax, "regional", round(amt * (1 - base), 1)])
                else:
                    receipts.append([code, y, tax, "regional", round(amt, 1)])
            vat = own * VAT_PER_LOCAL * rng.lognormal(0, 0.2)
            receipts += [[code, y, "vat", "base", round(vat * base, 1)]] if base else []
            receipts.append([code, y, "vat", "regional", round(vat * (1 - base), 1)])
            receipts.append([code, y, "cit", "regional", round(own * CIT_PER_LOCAL * rng.lognormal(0, 0.3), 1)])
            needs.append([code, y, "local_functions", "mandatory", round(need, 1)])
        calib.append([y, subs, totals.get((y, "subvention_total"), float("nan")), wds, totals.get((y, "withdrawal_total"), float("nan"))])
    write(out / "units.csv", ["code", "parent", "level", "name_kk", "name_ru", "name_en", "population", "note"], units)
    write(out / "receipts.csv", ["code", "year", "tax", "payer", "amount"], receipts)
    write(out / "needs.csv", ["code", "year", "function", "priority", "amount"], needs)
    write(out / "transfers_1999_2005.csv", ["code", "year", "type", "amount", "source"],
          [[f"{k2}0000000", y, status.get((k2, y), "not published"), abs(v),
            "MinFin via World Bank (2006), Local Governance in Developing Countries, table 8.5"] for (k2, y), v in sorted(net.items())])
    write(out / "calibration.csv", ["year", "subventions_by_region", "subventions_total_published", "withdrawals_by_region",
                                    "withdrawals_total_published"], calib)
    (out / "README.md").write_text(readme(calib), encoding="utf-8")
    print(f"{out}: {len(units)} units, {len(receipts)} receipts, {len(needs)} needs")


def readme(calib: list) -> str:
    rows = "\n".join(f"| {y} | {s:,.0f} | {st:,.0f} | {w:,.0f} | {wt:,.0f} |" for y, s, st, w, wt in calib)
    return f"""# data/kz-2002 — the 16 regions of the concept's era, 1999-2005

Built by `python scripts/build_kz2002_dataset.py` from the shared sources and `data/kz`; rebuilt and
compared by the tests. Thousand tenge. The four options of §3.3.2 can be compared on it as the
concept's authors faced them (scenarios in `scenarios/`).

| file | column | status | source or rule |
|---|---|---|---|
| units.csv | code, names | real | the 16 regions of the time and their KATO prefixes (`regions_2002.csv`); Kazakh names only for regions with one present-day successor (its name) |
| units.csv | population | ILLUSTRATIVE | 1 Jan 2025 population of the present-day successors (data/kz): no 2002 figure in the sources |
| transfers_1999_2005.csv | amount | real | subventions and withdrawals 1999-2005 (MinFin data, World Bank 2006, table 8.5, via `transfers.csv`); "not published" where the source has n.a. (treated as 0) |
| receipts.csv | amount | ILLUSTRATIVE | every region needs the same per person, set so that the most subsidized region still raises {MIN_OWN:.0%} of its need itself; own revenue = need − the actual net transfer; tax mix {', '.join(f'{k} {v:.0%}' for k, v in TAX_MIX.items())}; VAT {VAT_PER_LOCAL:g} and CIT {CIT_PER_LOCAL:g} x own revenue (republican), with noise; base payers as in data/kz |
| needs.csv | amount | calibrated | a region's need = its own revenue + its actual subvention (− withdrawal): current law (option 1, withdrawal rate 1) reproduces the actual transfers by construction |

## Calibration: the regions' transfers against the published totals

| year | subventions (sum of regions) | published total | withdrawals (sum of regions) | published total |
|---|---|---|---|---|
{rows}

The sums differ from the published totals where the source rounds or leaves a region n.a.
"""


if __name__ == "__main__":
    main()
