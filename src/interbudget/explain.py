"""Turn a run into a readable breakdown of one budget and year (kk/ru/en).

`explain` returns a plain dict (numbers at full precision, for `--json` and
the API); `render` turns it into text in the chosen language.
"""
from __future__ import annotations

import numpy as np

from .dataset import NEEDS_BASES, PAYERS, PRIORITIES
from .engine import Result
from .errors import InterbudgetError
from .hierarchy import LEVELS, REGION
from .i18n import catalog, fmt_amount
from .explain_debt import debt_items, render_debt_item, render_shortfall, shortfall_section
from .rules.needs import FROM_DEBT, FROM_NETWORK, FROM_NORM, FROM_ROWS
from .vocab import KINDS
from .rules.sharing import SHARED_LEVELS
from .rules.status import HALF_TIYN, budget_status

MAX_CHILDREN = 10


def _sharing_rule(res: Result, tax: str, lvl: int, payer: int) -> str:
    s = res.scenario
    name = LEVELS[lvl]
    if s.option == 3 and tax in s.regulated:
        return "option 3: regulated tax centralized, §3.3.2"
    if s.option == 4 and PAYERS[payer] == "base":
        return "option 4: base enterprise to the republic, §3.3.2"
    table = "sharing_base" if PAYERS[payer] == "base" and s.sharing_base is not None else "sharing"
    ts = (s.sharing_base if table == "sharing_base" else s.sharing).get(tax)
    ref = (ts.references.get(name) or ts.reference) if ts else None
    return f"{table}.{tax}.{name}" + (f", {ref}" if ref else "")


def _rule(res: Result, tax: str, lvl: int, payer: int, row: int) -> str:
    """Which rule set the share of this row: the scenario's sharing, a computed share or a method."""
    label = res.tables[lvl].label(row, res.hierarchy.codes)
    s = res.scenario
    regulated = tax in s.regulated and not (s.option == 4 and PAYERS[payer] == "base")
    if label is None:
        return _sharing_rule(res, tax, lvl, payer)
    kind, detail, code = label
    if kind == "option":
        return f"option {detail}: region-specific share (shares.csv), §3.3.2" if regulated else _sharing_rule(res, tax, lvl, payer)
    if kind == "keep":
        return f"{detail}: the local part minus the share of '{code}', §1.6"
    if detail == "M1":
        return f"M1: child_shares['{code}'].{tax}, §1.6"
    if detail == "M4":
        return "M4: the whole local part to the child, §1.6"
    if regulated:
        return "M2: child-specific share (shares.csv), §1.6"
    return _sharing_rule(res, tax, lvl, payer)


def _republic_rule(res: Result, tax: str, payer: int) -> str:
    """Why the republic keeps what it keeps of a receipt: beyond 1 - shares given."""
    s = res.scenario
    if s.option == 4 and PAYERS[payer] == "base":
        return "option 4: base enterprise to the republic, §3.3.2"
    if s.option == 3 and tax in s.regulated:
        return "option 3: regulated tax centralized, §3.3.2"
    if tax not in s.sharing and not (PAYERS[payer] == "base" and s.sharing_base and tax in s.sharing_base):
        return "not in sharing: wholly republican"
    return ""


def _revenue_items(res: Result, b: int, yk: int, track: str) -> list[dict]:
    h = res.hierarchy
    sub, _ = res.receipts_of(track).classify(res.base_mask).select_years([res.years[yk]])
    unit, tax, payer, amount = sub.unit, sub.tax, sub.payer, sub.amount
    items = []
    given = np.zeros(amount.size)
    for lvl in SHARED_LEVELS:
        ls = res.tables[lvl]
        frac = ls.fractions(sub)
        given += frac
        row = ls.row_of_unit[unit]
        sel = (h.share_target(lvl)[unit] == b) & (frac != 0)
        items += _group(res, sel, unit, tax, payer, amount, frac, row, lvl, lvl != h.b_level[b])
    if b == h.b_republic:
        rest = 1.0 - given
        items += _group(res, rest != 0, unit, tax, payer, amount, rest, np.zeros(unit.size, np.int32), 0, False)
    return items


def _group(res, sel, unit, tax, payer, amount, frac, row, lvl, passed_up) -> list[dict]:
    if not sel.any():
        return []
    key = np.stack([tax[sel], payer[sel], row[sel], frac[sel]], axis=1).astype(np.float64)
    uniq, inv = np.unique(key, axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    sums = np.bincount(inv, weights=amount[sel], minlength=len(uniq))
    nunits = [np.unique(unit[sel][inv == g]).size for g in range(len(uniq))]
    out = []
    for g, (t, p, r, f) in enumerate(uniq):
        t, p, r = int(t), int(p), int(r)
        taxname = res.dataset.taxes[t]
        out.append({
            "tax": taxname, "payer": PAYERS[p], "level": LEVELS[lvl], "receipts": float(sums[g]),
            "units": nunits[g], "share": float(f), "amount": float(sums[g] * f), "passed_up": bool(passed_up),
            "rule": _republic_rule(res, taxname, p) if lvl == 0 else _rule(res, taxname, lvl, p, r),
        })
    return out


def _factors(ds, h, u: int) -> dict[int, list[dict]]:
    """Correction factors of a budget by function, for the explanation of its coefficient."""
    c = ds.coefficients
    out: dict[int, list[dict]] = {}
    for i in np.flatnonzero(c.unit == u).tolist():
        out.setdefault(int(c.function[i]), []).append({"factor": c.factor[i] or "coefficient", "value": float(c.coefficient[i]),
                                                       "reference": c.reference[i] if c.reference else ""})
    return out


def explain(res: Result, code: str, year: int, track: str = "plan", lang: str = "en") -> dict:
    catalog(lang)  # fail early on an unknown language
    ds = res.dataset
    h = res.hierarchy
    idx = h.unit_index()
    if code not in idx:
        raise InterbudgetError(f"unknown unit code '{code}' (not in units.csv)")
    u = idx[code]
    if not h.has_budget[u]:
        bu = h.budget_unit_of[u]
        raise InterbudgetError(f"unit '{code}' has no budget of its own; it is part of the budget of '{h.codes[bu]}' — explain that code")
    if year not in res.years:
        raise InterbudgetError(f"year {year} is not among the scenario's years {res.years}")
    if track not in ("plan", "actual", "revised"):
        raise InterbudgetError(f"unknown track '{track}': choose plan, actual or revised")
    tr_obj = {t.name: t for t in res.tracks}.get(track)
    yk = res.years.index(year)
    if tr_obj is None or yk not in tr_obj.year_pos:
        raise InterbudgetError(f"no {track} track for {year} (actual rows exist only for years in receipts_actual.csv, "
                               "revised rows only from the scenario's revision.from_year)")
    b = int(h.budget_index_of_unit[u])
    t = tr_obj.transfers
    pb = int(h.b_parent[b])
    children = np.flatnonzero(h.b_parent == b)
    kids = sorted(children.tolist(), key=lambda k: -abs(t.subvention[k, yk] - t.withdrawal[k, yk]))
    items = res.need_items
    sel = (items.budget == b) & (items.year == yk)
    needs = []
    basis_file = NEEDS_BASES[ds.needs_basis] + ".csv"  # the needs basis the scenario chose (docs/METHOD.md)
    direct = sel & (items.source == FROM_ROWS)
    kinds = items.kinds()
    for f, p, kd in sorted(set(zip(items.function[direct].tolist(), items.priority[direct].tolist(), kinds[direct].tolist()))):
        m = direct & (items.function == f) & (items.priority == p) & (kinds == kd)
        needs.append({"function": ds.functions[f], "priority": PRIORITIES[p], "kind": KINDS[kd], "source": basis_file,
                      "rows": int(m.sum()), "amount": float(items.amount[m].sum())})
    factors = _factors(ds, h, u)
    needs += debt_items(res, b, yk)
    for i in np.flatnonzero(sel & (items.source != FROM_ROWS) & (items.source != FROM_DEBT)).tolist():
        k, f = int(items.row[i]), int(items.function[i])
        it = {"function": ds.functions[f], "priority": PRIORITIES[items.priority[i]], "coefficient": float(items.coefficient[i]),
              "factors": factors.get(f, []), "amount": float(items.amount[i])}
        if items.source[i] == FROM_NORM:
            it.update(source="norm", norm=float(ds.norms.norm[k]), driver=ds.driver_names[ds.norms.driver[k]],
                      driver_value=float(items.quantity[i]))
        else:
            nw = ds.networks
            it.update(source="network", institution=nw.institution[k], institutions=float(items.quantity[i]),
                      cost=float(nw.cost[k]), population=float(h.population[u]), area=float(h.area[u]) if h.area is not None else 0.0,
                      per_population=None if np.isnan(nw.population_per_institution[k]) else float(nw.population_per_institution[k]),
                      per_area=None if np.isnan(nw.area_per_institution[k]) else float(nw.area_per_institution[k]),
                      reference=nw.reference[k])
        needs.append(it)
    out = {
        "code": code, "name": h.name(u, lang), "level": LEVELS[h.level[u]], "year": year, "track": track,
        "scenario": res.scenario.name, "option": res.scenario.option,
        "parent": None if pb < 0 else {"code": h.b_codes[pb], "name": h.name(int(h.budget_units[pb]), lang)},
        "revenue": {"total": float(tr_obj.revenue[b, yk]), "items": _revenue_items(res, b, yk, track)},
        "needs": {"total": float(res.needs[b, yk]), "items": needs, "basis": ds.needs_basis, "file": basis_file},
        "transfers": {
            "own_gap": float(res.needs[b, yk] - tr_obj.basis[b, yk]),
            "basis": float(tr_obj.basis[b, yk]),
            "children_count": int(children.size),
            "children_subventions": float(t.subventions_paid[b, yk]),
            "children_withdrawals": float(t.withdrawals_received[b, yk]),
            "children": [{"code": h.b_codes[k], "name": h.name(int(h.budget_units[k]), lang),
                          "subvention": float(t.subvention[k, yk]), "withdrawal": float(t.withdrawal[k, yk])} for k in kids[:MAX_CHILDREN]],
            "gap": float(t.gap[b, yk]), "withdrawal_rate": res.scenario.withdrawal_rate,
            "subvention": float(t.subvention[b, yk]), "withdrawal": float(t.withdrawal[b, yk]),
            "is_republic": pb < 0,
        },
        "balance": float(tr_obj.balance[b, yk]),
        "capacity": sorted(res.scenario.capacity),
        "methods": None if h.level[u] == 0 else {
            "district": res.scenario.method_for("district", h.codes[h.anc[REGION][u]]),
            "rural": res.scenario.method_for("rural", h.codes[h.anc[REGION][u]])},
        "revision_from": res.scenario.revision.from_year if res.scenario.revision else None,
    }
    if res.coverage is not None and track == "plan":
        cv = res.coverage
        out["coverage"] = {k: float(getattr(cv, k)[b, yk]) for k in ("mandatory", "basic", "additional", "category1", "category2",
                                                                    "basic_covered", "additional_covered", "surplus")}
        if res.programs is not None:
            out["coverage"]["programs"] = [r for r in res.programs.rows if r["code"] == code and r["year"] == year]
    if tr_obj.needs is not None:
        out["needs"]["after_cuts"] = float(tr_obj.needs[b, yk])
    sf = shortfall_section(res, b, yk, track)
    if sf is not None:
        out["shortfall"] = sf
    mine = [r for r in res.mandates if r["code"] == code and r["year"] == year]
    if mine:
        out["mandates"] = mine
    if res.envelope is not None:
        env = [r for r in res.envelope.rows if r["code"] == code and r["year"] == year]
        if env:
            out["envelope"] = {**env[0], "applies_to": res.scenario.envelope.applies_to}
    cs = res.computed_for(u)
    if cs is not None:
        i = cs.units.tolist().index(u)
        out["computed_share"] = {"level": cs.level, "rule": cs.rule, "taxes": cs.taxes, "cap": float(cs.cap[i]), "share": float(cs.share[i]),
                                 "years": [{"year": y, "g0": float(cs.g0[i, k]), "q": float(cs.q[i, k])} for k, y in enumerate(res.years)]}
    return out


def basis_line(basis: str, lang: str = "en") -> str:
    """Which needs basis the figures rest on, in words (docs/METHOD.md "Needs bases")."""
    c = catalog(lang)
    return c["needs_basis_line"].format(basis=c["needs_basis_names"][basis], file=NEEDS_BASES[basis] + ".csv",
                                        meaning=c["needs_basis_meaning"][basis])


def render(ex: dict, lang: str = "en") -> str:
    c = catalog(lang)
    a = lambda x: fmt_amount(x, lang)  # noqa: E731
    lines = [c["title"].format(name=ex["name"], code=ex["code"], level=c["levels"][ex["level"]], year=ex["year"],
                               track=c["tracks"][ex["track"]], scenario=ex["scenario"], option=ex["option"])]
    p = ex["parent"]
    lines.append(c["parent"].format(**p) if p else c["no_parent"])
    if ex["track"] == "actual":
        lines.append(c["actual_note"])
    if ex["track"] == "revised":
        lines.append(c["revised_note"].format(year=ex["revision_from"]))
    if ex.get("methods"):
        lines.append(c["methods"].format(m1=c["method_names"][ex["methods"]["district"]], m2=c["method_names"][ex["methods"]["rural"]]))
    lines += ["", c["revenue"].format(total=a(ex["revenue"]["total"]))]
    for it in ex["revenue"]["items"]:
        rule = it["rule"]
        if it["level"] == "republic":
            rule = c["republic_rest"] + (f"; {rule}" if rule else "")
        if it["passed_up"]:
            rule += "; " + c["passed_up"].format(level=c["levels"][it["level"]])
        lines.append("  " + c["revenue_line"].format(tax=it["tax"], payer=c["payers"][it["payer"]], receipts=a(it["receipts"]),
                                                     units=it["units"], share=f"{it['share']:.6g}", amount=a(it["amount"]), rule=rule))
    if not ex["revenue"]["items"]:
        lines.append("  " + c["no_revenue"])
    lines += ["", c["needs"].format(total=a(ex["needs"]["total"]))]
    lines.append("  " + basis_line(ex["needs"].get("basis", "observed"), lang))
    for it in ex["needs"]["items"]:
        pr = c["priorities"][it["priority"]]
        if it["source"] == "norm":
            lines.append("  " + c["need_norm"].format(function=it["function"], priority=pr, norm=f"{it['norm']:.6g}", driver=it["driver"],
                                                      value=f"{it['driver_value']:.6g}", coefficient=f"{it['coefficient']:.6g}", amount=a(it["amount"])))
        elif it["source"] == "network":
            rule = " ".join(filter(None, [
                c["network_people"].format(people=f"{it['population']:.0f}", per=f"{it['per_population']:.6g}") if it["per_population"] else "",
                c["network_area"].format(area=f"{it['area']:.6g}", per=f"{it['per_area']:.6g}") if it["per_area"] else ""]))
            lines.append("  " + c["need_network"].format(function=it["function"], priority=pr, institution=it["institution"],
                                                         n=f"{it['institutions']:.0f}", rule=rule, cost=a(it["cost"]),
                                                         coefficient=f"{it['coefficient']:.6g}", amount=a(it["amount"])))
        elif it["source"] == "debt":
            lines.append("  " + render_debt_item(it, c, a))
        else:
            pr += f", {c['kinds'][it['kind']]}" if it.get("kind", "current") != "current" else ""
            lines.append("  " + c["need_direct"].format(function=it["function"], priority=pr, amount=a(it["amount"]), rows=it["rows"],
                                                        file=it["source"]))
        for fct in it.get("factors", []):
            lines.append("    " + c["need_factor"].format(factor=fct["factor"], value=f"{fct['value']:.6g}",
                                                         reference=f" ({fct['reference']})" if fct["reference"] else ""))
    if not ex["needs"]["items"]:
        lines.append("  " + c["no_needs"])
    t = ex["transfers"]
    lines += ["", c["transfers"]]
    if ex.get("capacity"):
        lines.append("  " + c["capacity_basis"].format(basis=a(t["basis"]), kept=a(ex["revenue"]["total"] - t["basis"])))
    lines.append("  " + c["own_gap"].format(value=a(t["own_gap"])))
    if t["children_count"]:
        lines.append("  " + c["children"].format(count=t["children_count"], s=a(t["children_subventions"]), w=a(t["children_withdrawals"])))
        for k in t["children"]:
            lines.append("    " + c["child_line"].format(name=k["name"], code=k["code"], s=a(k["subvention"]), w=a(k["withdrawal"])))
        if t["children_count"] > len(t["children"]):
            lines.append("    " + c["more_children"].format(count=t["children_count"] - len(t["children"])))
    if ex.get("coverage"):
        cv = ex["coverage"]
        lines += ["  " + c["targeted_title"],
                  "    " + c["targeted_mandatory"].format(need=a(cv["mandatory"]), revenue=a(cv["mandatory"] - cv["category1"]), s1=a(cv["category1"])),
                  "    " + c["targeted_basic"].format(need=a(cv["basic"]), covered=a(cv["basic_covered"]), gap=a(cv["basic"] - cv["basic_covered"])),
                  "    " + c["targeted_additional"].format(need=a(cv["additional"]), covered=a(cv["additional_covered"]),
                                                           gap=a(cv["additional"] - cv["additional_covered"])),
                  "    " + c["targeted_surplus"].format(surplus=a(cv["surplus"]))]
        for p in cv.get("programs", []):
            lines.append("    " + c["targeted_program"].format(program=p["program"], cost=a(p["cost"]), score=f"{p['score']:g}",
                                                              funded=a(p["funded"])))
    for m in ex.get("mandates", []):
        lines.append("  " + (c["mandate_compensated"] if m["compensated"] else c["mandate_unfunded"]).format(
            mandate=m["mandate"], by=c["levels"][m["decided_by"]], cost=a(m["cost"]), unfunded=a(m["unfunded"])))
    if ex.get("envelope"):
        e = ex["envelope"]
        lines.append("  " + c["envelope_line"].format(kind=e["applies_to"], need=a(e["need"]), allocated=a(e["allocated"]),
                                                      bound=c["envelope_bounds"][e["bound"]], scale="—" if e.get("scale") is None else f"{e['scale']:.6g}",
                                                      floor=a(e["floor"]), ceiling=a(e["ceiling"]) if e["ceiling"] != float("inf") else "—"))
    if t["is_republic"]:
        lines.append("  " + c["republic_flows"].format(s=a(t["children_subventions"]), w=a(t["children_withdrawals"])))
    else:
        lines.append("  " + c["gap"].format(value=a(t["gap"])))
        status = budget_status(t["subvention"], t["withdrawal"])  # the one status rule (rules/status.py)
        if t["gap"] >= HALF_TIYN or status == "subvention":
            lines.append("  " + c["rule_subvention"].format(value=a(t["subvention"])))
        elif t["gap"] <= -HALF_TIYN or status == "donor":
            lines.append("  " + c["rule_withdrawal"].format(rate=f"{t['withdrawal_rate']:g}", value=a(t["withdrawal"])))
        elif t["gap"] != 0:  # a residue below half a tiyn
            lines.append("  " + c["truthful"]["rule_residue"])
        else:
            lines.append("  " + c["rule_balanced"])
    if "computed_share" in ex:
        rs = ex["computed_share"]
        yrs = [y["year"] for y in rs["years"]]
        lines += ["", c["computed_share"].format(taxes=", ".join(rs["taxes"]), rule=rs["rule"], level=c["levels"][rs["level"]],
                                                 years=f"{min(yrs)}–{max(yrs)}")]
        for y in rs["years"]:
            lines.append("  " + c["region_share_year"].format(year=y["year"], g0=a(y["g0"]), q=a(y["q"])))
        lines.append("  " + c["region_share_rule"].format(cap=f"{rs['cap']:.6g}", share=f"{rs['share']:.6g}"))
    if ex.get("shortfall"):
        lines += render_shortfall(ex["shortfall"], c, a)
    lines += ["", c["balance"].format(value=a(ex["balance"]))]
    return "\n".join(lines)
