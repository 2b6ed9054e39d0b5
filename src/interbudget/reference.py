"""METHOD.md written out literally in plain Python: loops, dicts, the csv module.

It shares no code with the vectorized engine on purpose: tests compare the
two on random federations, and the benchmarks time it on a slice as the
baseline. It handles options 1-4 with method M3 and valid input only (no
error reporting): use `interbudget validate` for that.
"""
from __future__ import annotations

import csv
from pathlib import Path

LEVEL = {"republic": 0, "region": 1, "district": 2, "rural": 3}
SHARE_LEVELS = ("region", "district", "rural")


def _rows(folder: Path, name: str) -> list[dict]:
    p = folder / f"{name}.csv"
    if not p.exists():
        return []
    with p.open(encoding="utf-8-sig", newline="") as fh:
        return [{k.strip(): (v or "").strip() for k, v in r.items()} for r in csv.DictReader(fh)]


def simulate(folder: str | Path, sc: dict) -> tuple[list[dict], list[dict]]:
    folder = Path(folder)
    units = {}
    for r in _rows(folder, "units"):
        hb = r.get("has_budget", "").lower() not in ("false", "0", "no")
        units[r["code"]] = {"parent": r["parent"] or None, "level": LEVEL[r["level"]], "budget": hb or r["level"] == "republic"}
    republic = next(c for c, u in units.items() if u["level"] == 0)

    def budget_of(c):
        while not units[c]["budget"]:
            c = units[c]["parent"]
        return c

    def path(c):
        out = []
        while c is not None:
            out.append(c)
            c = units[c]["parent"]
        return out

    def parent_budget(c):
        p = units[c]["parent"]
        return None if p is None else budget_of(p)

    def region_of(c):
        for x in path(c):
            if units[x]["level"] == 1:
                return x
        return None

    years = list(sc["years"])
    option = sc.get("option", 1)
    rate = sc.get("withdrawal_rate", 1.0)
    sharing = sc.get("sharing") or {}
    sharing_base = sc.get("sharing_base")
    regulated = sc.get("regulated_taxes") or (["iit_source", "social_tax", "vat"] if option == 4 else ["iit_source", "social_tax"])

    def general_share(tax, level, payer):
        table = sharing_base if (payer == "base" and sharing_base is not None) else sharing
        v = (table.get(tax) or {}).get(level, 0.0)
        v = v["value"] if isinstance(v, dict) else v
        if option == 3 and tax in regulated:
            return 0.0
        if option == 4 and payer == "base":
            return 0.0
        return float(v)

    budgets = [c for c in units if units[c]["budget"]]

    # needs
    needs = {(b, y): 0.0 for b in budgets for y in years}
    for r in _rows(folder, "needs"):
        y = int(r["year"])
        if y in years:
            needs[(budget_of(r["code"]), y)] += float(r["amount"])
    norms = _rows(folder, "norms")
    coef = {(r["code"], r["function"]): float(r["coefficient"]) for r in _rows(folder, "coefficients")}
    for r in _rows(folder, "drivers"):
        y = int(r["year"])
        if y not in years:
            continue
        b = budget_of(r["code"])
        for n in norms:
            if LEVEL[n["level"]] == units[b]["level"] and n["driver"] == r["driver"]:
                needs[(b, y)] += float(n["norm"]) * float(r["value"]) * coef.get((b, n["function"]), 1.0)

    def target(u, level):
        for x in path(u):
            if units[x]["level"] == level:
                return budget_of(x)
        return budget_of(u)  # u sits above that level

    def revenue(receipts, share):
        rev = {(b, y): 0.0 for b in budgets for y in years}
        for r in receipts:
            y = int(r["year"])
            if y not in years:
                continue
            a = float(r["amount"])
            payer = r.get("payer") or "regional"
            given = 0.0
            for name in SHARE_LEVELS:
                s = share(r["tax"], name, payer, r["code"])
                if s != 0:
                    rev[(target(r["code"], LEVEL[name]), y)] += a * s
                    given += a * s
            rev[(republic, y)] += a - given
        return rev

    def transfers(rev):
        S, W, G = {}, {}, {}
        paid = {(b, y): 0.0 for b in budgets for y in years}
        recv = {(b, y): 0.0 for b in budgets for y in years}
        for c in sorted(budgets, key=lambda c: -units[c]["level"]):
            for y in years:
                if c == republic:
                    S[c, y] = W[c, y] = G[c, y] = 0.0
                    continue
                g = needs[c, y] - rev[c, y] + paid[c, y] - recv[c, y]
                G[c, y] = g
                S[c, y] = g if g > 0 else 0.0
                W[c, y] = -g * rate if g < 0 else 0.0
                paid[parent_budget(c), y] += S[c, y]
                recv[parent_budget(c), y] += W[c, y]
        return S, W, G, paid, recv

    receipts = _rows(folder, "receipts")
    region_share = {}
    shares_out = []
    if option in (2, 4):
        regions = [c for c in budgets if units[c]["level"] == 1]
        payers_counted = ("regional",) if option == 4 else ("regional", "base")

        def share0(tax, level, payer, code):
            if level == "region" and tax in regulated and payer in payers_counted and region_of(code) in regions:
                return 0.0
            return general_share(tax, level, payer)

        _, _, G0, _, _ = transfers(revenue(receipts, share0))
        lower = 0.0
        for t in regulated:
            for payer in (("regional",) if option == 4 else ("regional", "base")):
                table = sharing_base if (payer == "base" and sharing_base is not None) else sharing
                e = table.get(t) or {}
                d = e.get("district", 0.0); d = d["value"] if isinstance(d, dict) else d
                ru = e.get("rural", 0.0); ru = ru["value"] if isinstance(ru, dict) else ru
                lower = max(lower, float(d) + float(ru))
        cap = 1.0 - lower
        for c in regions:
            q = {y: 0.0 for y in years}
            for r in receipts:
                y = int(r["year"])
                if y in years and r["tax"] in regulated and (r.get("payer") or "regional") in payers_counted and region_of(r["code"]) == c:
                    q[y] += float(r["amount"])
            ratios = [G0[c, y] / q[y] for y in years if q[y] > 0]
            s = min(ratios) if ratios else 0.0
            region_share[c] = min(max(s, 0.0), cap)
            for t in regulated:
                shares_out.append({"code": c, "tax": t, "level": "region", "share": region_share[c],
                                   "first_year": min(years), "last_year": max(years)})

    def share(tax, level, payer, code):
        if level == "region" and tax in regulated and region_share:
            reg = region_of(code)
            if reg in region_share and (option == 2 or payer == "regional"):
                return region_share[reg]
        return general_share(tax, level, payer)

    rev = revenue(receipts, share)
    S, W, G, paid, recv = transfers(rev)
    out = []

    def rows(track, rv, yrs):
        for b in budgets:
            for y in yrs:
                out.append({"track": track, "code": b, "year": y, "level": [k for k, v in LEVEL.items() if v == units[b]["level"]][0],
                            "needs": needs[b, y], "revenue": rv[b, y], "subvention_received": S[b, y], "withdrawal_paid": W[b, y],
                            "subventions_paid": paid[b, y], "withdrawals_received": recv[b, y],
                            "balance": rv[b, y] + S[b, y] - W[b, y] - paid[b, y] + recv[b, y] - needs[b, y]})

    rows("plan", rev, years)
    actual = _rows(folder, "receipts_actual")
    if (folder / "receipts_actual.csv").exists():
        present = {int(r["year"]) for r in actual}
        yrs = [y for y in years if y in present]
        if yrs:
            rows("actual", revenue(actual, share), yrs)
    return out, shares_out
