"""Render an explanation (explain.py's dict) as text in kk, ru or en."""
from __future__ import annotations

from typing import Any

from .dataset import NEEDS_BASES
from .explain_debt import render_debt_item, render_shortfall
from .i18n import catalog, fmt_amount
from .rules.status import HALF_TIYN, budget_status


def basis_line(basis: str, lang: str = "en") -> str:
    """Which needs basis the figures rest on, in words (docs/METHOD.md "Needs bases")."""
    c = catalog(lang)
    return c["needs_basis_line"].format(basis=c["needs_basis_names"][basis], file=NEEDS_BASES[basis] + ".csv",
                                        meaning=c["needs_basis_meaning"][basis])


def render(ex: dict[str, Any], lang: str = "en") -> str:
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
                                                      value=f"{it['driver_value']:.6g}", coefficient=f"{it['coefficient']:.6g}",
                                                      amount=a(it["amount"])))
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
                  "    " + c["targeted_mandatory"].format(need=a(cv["mandatory"]), revenue=a(cv["mandatory"] - cv["category1"]),
                                                      s1=a(cv["category1"])),
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
                                                      bound=c["envelope_bounds"][e["bound"]],
                                                      scale="—" if e.get("scale") is None else f"{e['scale']:.6g}",
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
