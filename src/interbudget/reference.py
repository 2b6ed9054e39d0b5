"""METHOD.md written out literally in plain Python: loops, dicts, the csv module.

It shares no code with the vectorized engine on purpose: tests compare the
two on random federations, and the benchmarks time it on a slice as the
baseline. It handles options 1-4 with method M3 and valid input only (no
error reporting): use `interbudget validate` for that.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

LEVEL = {"republic": 0, "region": 1, "district": 2, "rural": 3}
SHARE_LEVELS = ("region", "district", "rural")
HALF_TIYN = 0.000005  # thousand tenge: a transfer below half a tiyn is 0 (METHOD.md)


def _rows(folder: Path, name: str) -> list[dict]:
    p = folder / f"{name}.csv"
    if not p.exists():
        return []
    with p.open(encoding="utf-8-sig", newline="") as fh:
        return [{k.strip(): (v or "").strip() for k, v in r.items()} for r in csv.DictReader(fh)]


def simulate(folder: str | Path, sc: dict) -> tuple[list[dict], list[dict]]:
    folder = Path(folder)
    units: dict[str, dict[str, Any]] = {}
    rural_budgets = sc.get("rural_budgets")
    for r in _rows(folder, "units"):
        hb = r.get("has_budget", "").lower() not in ("false", "0", "no")
        if r["level"] == "rural" and rural_budgets is not None:
            hb = bool(rural_budgets)  # the scenario decides on fourth-level budgets
        units[r["code"]] = {"parent": r["parent"] or None, "level": LEVEL[r["level"]], "budget": hb or r["level"] == "republic",
                            "population": float(r["population"]), "area": float(r.get("area_km2") or 0.0)}
    # payer categories: regional and base, then payers.csv; the scenario may say which are base
    is_base = {"regional": False, "base": True}
    for r in _rows(folder, "payers"):
        is_base[r["payer"].lower()] = r["base"].lower() in ("true", "1", "yes")
    if sc.get("base_payers") is not None:
        is_base = {p: (p == "base" or (p != "regional" and p in sc["base_payers"])) for p in is_base}

    def payer_class(r):
        return "base" if is_base[(r.get("payer") or "regional").lower()] else "regional"
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
    by_priority = {(b, y, p): 0.0 for b in budgets for y in years for p in ("mandatory", "basic", "additional")}

    def add_need(b, y, priority, amount):
        needs[(b, y)] += amount
        by_priority[(b, y, priority)] += amount

    for r in _rows(folder, "needs"):
        y = int(r["year"])
        if y in years:
            add_need(budget_of(r["code"]), y, r["priority"], float(r["amount"]))
    norms = _rows(folder, "norms")
    coef: dict[tuple[str, str], float] = {}  # the product of a budget's correction factors for a function
    for r in _rows(folder, "coefficients"):
        coef[r["code"], r["function"]] = coef.get((r["code"], r["function"]), 1.0) * float(r["coefficient"])
    for r in _rows(folder, "drivers"):
        y = int(r["year"])
        if y not in years:
            continue
        b = budget_of(r["code"])
        for n in norms:
            if LEVEL[n["level"]] == units[b]["level"] and n["driver"] == r["driver"]:
                add_need(b, y, n["priority"], float(n["norm"]) * float(r["value"]) * coef.get((b, n["function"]), 1.0))

    import math

    for nw in _rows(folder, "networks"):  # institutions = max(people / per institution, area / per institution), rounded up
        per_pop = float(nw["population_per_institution"]) if nw.get("population_per_institution") else None
        per_area = float(nw["area_per_institution_km2"]) if nw.get("area_per_institution_km2") else (
            math.pi * float(nw["max_distance_km"]) ** 2 if nw.get("max_distance_km") else None)
        for b in budgets:
            if units[b]["level"] != LEVEL[nw["level"]]:
                continue
            count = 0.0
            if per_pop:
                count = max(count, math.ceil(units[b]["population"] / per_pop))
            if per_area:
                count = max(count, math.ceil(units[b]["area"] / per_area))
            for y in years:
                add_need(b, y, nw["priority"], count * float(nw["cost"]) * coef.get((b, nw["function"]), 1.0))

    def target(u, level):
        for x in path(u):
            if units[x]["level"] == level:
                return budget_of(x)
        return budget_of(u)  # u sits above that level

    district_method = sc.get("district_method", "M3")
    rural_method = sc.get("rural_method", "M3")
    child_shares = sc.get("child_shares") or {}
    counted = ("regional",) if option == 4 else ("regional", "base")

    def method(tier, region):
        m = district_method if tier == 1 else rural_method
        return m.get(region, "M3") if isinstance(m, dict) else m

    def on_path(u, level):
        for x in path(u):
            if units[x]["level"] == level:
                return x
        return None

    # state of the computed shares; None in m2 means "not computed yet: 0 for the regulated taxes"
    state: dict[str, Any] = {"region": {}, "m2": {1: {}, 2: {}}, "tiers": ()}

    def child_share(tier, child, region, tax, payer, lp, default):
        m = method(tier, region)
        if m == "M1":
            if option == 4 and payer == "base":
                return 0.0
            return float((child_shares.get(child) or {}).get(tax, 0.0))
        if m == "M4":
            return lp
        if tax in regulated and payer in counted:  # M2
            return state["m2"][tier].get(child) or 0.0
        return default

    def fractions(u, tax, payer):
        """(region, district, rural) fractions of a receipt booked at u (METHOD.md, step 1 and methods)."""
        reg = on_path(u, 1)
        r = general_share(tax, "region", payer)
        if tax in regulated and payer in counted and reg in state["region"]:
            r = state["region"][reg]
        sd, sr = general_share(tax, "district", payer), general_share(tax, "rural", payer)
        d_unit, r_unit = on_path(u, 2), on_path(u, 3)
        f_region, d_d = r, sd
        if (1 in state["tiers"] and d_unit is not None and units[d_unit]["budget"] and reg is not None
                and units[reg]["budget"] and method(1, reg) != "M3"):
            lp1 = r + sd
            d_d = child_share(1, d_unit, reg, tax, payer, lp1, sd)
            f_region = lp1 - d_d
        f_district, f_rural = d_d, sr
        if 2 in state["tiers"] and r_unit is not None and units[r_unit]["budget"] and method(2, reg) != "M3":
            lp2 = d_d + sr
            f_rural = child_share(2, r_unit, reg, tax, payer, lp2, sr)
            f_district = lp2 - f_rural
        return {"region": f_region, "district": f_district, "rural": f_rural}

    def share(tax, level, payer, code):
        return fractions(code, tax, payer)[level]

    def revenue(receipts, share):
        rev = {(b, y): 0.0 for b in budgets for y in years}
        for r in receipts:
            y = int(r["year"])
            if y not in years:
                continue
            a = float(r["amount"])
            payer = payer_class(r)
            given = 0.0
            f = fractions(r["code"], r["tax"], payer)
            for name in SHARE_LEVELS:
                if f[name] != 0:
                    rev[(target(r["code"], LEVEL[name]), y)] += a * f[name]
                    given += a * f[name]
            rev[(republic, y)] += a - given
        return rev

    # category 2 of the targeted model: the pool to development programs, by priority, capped per region
    targeted = sc.get("transfer_model") == "targeted"
    cat2 = {(b, y): 0.0 for b in budgets for y in years}
    cfg = sc.get("targeted") or {}
    for y in years:
        if not targeted:
            break
        pool = cfg.get("pool", 0.0)
        pool = float(pool.get(y, 0.0) if isinstance(pool, dict) else pool)
        cap = cfg.get("region_cap")
        left = pool
        cap_left: dict[str, float] = {}
        progs = sorted((r for r in _rows(folder, "programs") if int(r["year"]) == y), key=lambda r: (-float(r["score"]), r["program"]))
        for r in progs:
            if left <= 0:
                break
            room = left if cap is None else min(left, cap_left.setdefault(r["code"], cap * pool))
            give = min(float(r["cost"]), room)
            cat2[r["code"], y] += give
            left -= give
            if cap is not None:
                cap_left[r["code"]] -= give
    needs_plain = dict(needs)  # computed shares (options 2, 4, M2) are set on the general gaps of these
    for key, v in cat2.items():
        needs[key] += v  # funded programs are spent by their region

    def transfers(rev, general=False):
        S, W, G = {}, {}, {}
        paid = {(b, y): 0.0 for b in budgets for y in years}
        recv = {(b, y): 0.0 for b in budgets for y in years}
        for c in sorted(budgets, key=lambda c: -units[c]["level"]):
            for y in years:
                if c == republic:
                    S[c, y] = W[c, y] = G[c, y] = 0.0
                    continue
                if targeted and not general:  # category 1 for mandatory needs; what is left covers basic, then additional
                    m = by_priority[c, y, "mandatory"] - rev[c, y] + paid[c, y] - recv[c, y]
                    left = max(-m, 0.0)
                    cb = min(by_priority[c, y, "basic"], left)
                    ca = min(by_priority[c, y, "additional"], left - cb)
                    G[c, y] = m
                    S[c, y] = (m if m >= HALF_TIYN else 0.0) + cat2[c, y]
                    W[c, y] = w if (w := (left - cb - ca) * rate) >= HALF_TIYN else 0.0
                    paid[parent_budget(c), y] += S[c, y]
                    recv[parent_budget(c), y] += W[c, y]
                    continue
                g = (needs_plain if general else needs)[c, y] - rev[c, y] + paid[c, y] - recv[c, y]
                G[c, y] = g
                S[c, y] = g if g >= HALF_TIYN else 0.0  # below half a tiyn: no transfer (METHOD.md)
                W[c, y] = -g * rate if -g * rate >= HALF_TIYN else 0.0
                paid[parent_budget(c), y] += S[c, y]
                recv[parent_budget(c), y] += W[c, y]
        return S, W, G, paid, recv

    capacity = {t: float(v["rate"] if isinstance(v, dict) else v) for t, v in (sc.get("capacity") or {}).items()}
    bases = _rows(folder, "bases")

    def basis_of(rs):
        """What transfers are fixed on: the receipts, with each capacity tax replaced by base x rate."""
        if not capacity:
            return rs
        return [r for r in rs if r["tax"] not in capacity] + [
            {"code": b["code"], "year": b["year"], "tax": b["tax"], "payer": "regional",
             "amount": float(b["base"]) * capacity[b["tax"]]} for b in bases if b["tax"] in capacity]

    projected = _rows(folder, "receipts")
    receipts = basis_of(projected)  # shares and amounts are set on this
    shares_out = []

    def no_withdrawal(units_, level, cap_of):
        """share = clamp(min over years with Q > 0 of G0 / Q, 0, cap), G0 from the current state."""
        _, _, G0, _, _ = transfers(revenue(receipts, share), general=True)
        out = {}
        qs = {c: dict.fromkeys(years, 0.0) for c in units_}
        for r in receipts:  # regulated receipts booked at each unit or below
            y = int(r["year"])
            if y in years and r["tax"] in regulated and payer_class(r) in counted:
                c = on_path(r["code"], level)
                if c in qs:
                    qs[c][y] += float(r["amount"])
        for c in units_:
            q = qs[c]
            ratios = [G0[c, y] / q[y] for y in years if q[y] > 0]
            out[c] = min(max(min(ratios) if ratios else 0.0, 0.0), cap_of(c))
            for t in regulated:
                shares_out.append({"code": c, "tax": t, "level": next(k for k, v in LEVEL.items() if v == level),
                                   "share": out[c], "first_year": min(years), "last_year": max(years)})
        return out

    def scenario_value(e, level):
        v = (e or {}).get(level, 0.0)
        return float(v["value"] if isinstance(v, dict) else v)

    if option in (2, 4):
        regions = [c for c in budgets if units[c]["level"] == 1]
        for c in regions:
            state["region"][c] = 0.0
        lower = 0.0
        for t in regulated:
            lower = max(lower, scenario_value(sharing.get(t), "district") + scenario_value(sharing.get(t), "rural"))
        state["region"] = no_withdrawal(regions, 1, lambda c: 1.0 - lower)

    for tier in (1, 2):
        state["tiers"] = tuple(range(1, tier + 1))
        lvl = tier + 1
        kids = [c for c in budgets if units[c]["level"] == lvl and method(tier, on_path(c, 1)) == "M2"
                and (tier == 2 or units[on_path(c, 1)]["budget"])]
        if not kids:
            continue

        def bound(c, tier=tier):
            # the smallest local part among the regulated taxes (local parts from `sharing`: regional payers)
            parts = []
            reg = on_path(c, 1)
            for t in regulated:
                r = state["region"][reg] if reg in state["region"] else general_share(t, "region", "regional")
                sd = general_share(t, "district", "regional")
                if tier == 1:
                    parts.append(r + sd)
                else:
                    f = fractions(c, t, "regional")  # with this child's regulated share still 0
                    parts.append(f["district"] + f["rural"])
            return min(parts) if parts else 0.0

        state["m2"][tier] = no_withdrawal(kids, lvl, bound)
    state["tiers"] = (1, 2)

    S, W, _G, paid, recv = transfers(revenue(receipts, share))
    rev = revenue(projected, share)
    out = []

    def rows(track, rv, yrs):
        for b in budgets:
            for y in yrs:
                out.append({"track": track, "code": b, "year": y, "level": next(k for k, v in LEVEL.items() if v == units[b]["level"]),
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
    if sc.get("revision"):
        revised = _rows(folder, "receipts_revised")
        S, W, _G, paid, recv = transfers(revenue(basis_of(revised), share))
        rows("revised", revenue(revised, share), [y for y in years if y >= sc["revision"]["from_year"]])
    return out, shares_out
