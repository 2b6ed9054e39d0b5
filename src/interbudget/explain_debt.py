"""The part of `explain` that tells what happened when revenue fell short: the sequestration order applied,
the protected floor, what was borrowed and from whom, the unfinanced gap, and debt service (kk/ru/en)."""
from __future__ import annotations

import numpy as np

from .engine import Result
from .rules.needs import FROM_DEBT
from .rules.sequestration import Steps, floor
from .vocab import CREDITORS


def debt_items(res: Result, b: int, yk: int) -> list[dict]:
    """Debt service needs of one budget and year, per loan of debt.csv."""
    it, dr = res.need_items, res.debt
    if dr is None or dr.loans is None:
        return []
    sel = np.flatnonzero((it.budget == b) & (it.year == yk) & (it.source == FROM_DEBT))
    out = []
    for i in sel.tolist():
        j = int(np.flatnonzero(dr.loans.row == it.row[i])[0])
        out.append({"function": "debt_service", "priority": "mandatory", "kind": "current", "source": "debt",
                    "creditor": CREDITORS[int(dr.loans.creditor[j])], "row": int(it.row[i]) + 2, "rate": float(dr.loans.rate[j]),
                    "interest": float(it.quantity[i]), "amortization": float(it.coefficient[i]), "amount": float(it.amount[i]),
                    "refinanced": bool(dr.refinancing is not None and dr.refinancing.refinanced[j])})
    return out


def shortfall_section(res: Result, b: int, yk: int, track: str) -> dict | None:
    dr = res.debt
    if dr is None:
        return None
    out: dict = {}
    fin = dr.financing.get(track)
    if fin is not None:
        steps = []
        seq = res.scenario.sequestration
        if isinstance(dr.steps, Steps) and seq is not None:  # steps is None without a sequestration
            avail_all = _available(res, dr.steps, seq.max_share)
            for s, name in enumerate(dr.steps.names):
                p, k = name.split(".")
                steps.append({"priority": p, "kind": k, "available": float(avail_all[b, yk, s]), "cut": float(fin.cuts[b, yk, s])})
            out["floor"] = float(floor(res.need_items, dr.steps, res.hierarchy.nb, len(res.years))[b, yk])
            out["protected"] = list(seq.protected)
            out["rural_programmes"] = bool(res.scenario.rural_programmes)
        out.update({"shortfall": float(fin.shortfall[b, yk]), "deficit": float(fin.deficit[b, yk]), "steps": steps,
                    "needs_after": float(fin.needs[b, yk]),
                    "borrowed": float(fin.borrowed[b, yk]), "lender": fin.lender, "unfinanced": float(fin.unfinanced[b, yk]),
                    "new_service": float(fin.new_service[b, yk]), "service": float(fin.service[b, yk]), "debt": float(fin.debt[b, yk]),
                    "borrowing": res.scenario.borrowing is not None})
    if res.scenario.borrowing is not None:
        out["breaches"] = [{"limit": lim, "value": v, "disposable": d, "max_ratio": r}
                           for t, bb, k, lim, v, d, r in dr.breaches if t == track and bb == b and k == yk]
    return out or None


def _available(res: Result, steps: Steps, max_share: float) -> np.ndarray:
    from .rules.sequestration import cuttable

    out: np.ndarray = cuttable(res.need_items, steps, res.hierarchy.nb, len(res.years)) * max_share
    return out


def render_debt_item(it: dict, c: dict, a) -> str:
    line = c["need_debt"].format(creditor=c["creditors"][it["creditor"]], row=it["row"], rate=f"{it['rate']:.4g}",
                                 interest=a(it["interest"]), amortization=a(it["amortization"]), amount=a(it["amount"]))
    return line + (" " + c["debt_refinanced"] if it["refinanced"] else "")


def render_shortfall(sf: dict, c: dict, a) -> list[str]:
    lines = ["", c["shortfall_title"]]
    if "shortfall" in sf:
        lines.append("  " + c["shortfall_line"].format(shortfall=a(sf["shortfall"]), deficit=a(sf["deficit"]),
                                                       needs=a(sf["needs_after"])))
        for i, st in enumerate(sf["steps"], 1):
            lines.append("    " + c["shortfall_step"].format(n=i, priority=c["priorities"][st["priority"]], kind=c["kinds"][st["kind"]],
                                                            available=a(st["available"]), cut=a(st["cut"])))
        if "floor" in sf:
            extra = ", ".join(sf["protected"]) if sf["protected"] else "—"
            lines.append("  " + c["shortfall_floor"].format(floor=a(sf["floor"]), protected=extra))
            if sf["rural_programmes"]:
                lines.append("  " + c["shortfall_rural"])
        if sf["new_service"]:
            lines.append("  " + c["shortfall_new_service"].format(value=a(sf["new_service"])))
        if sf["borrowing"]:
            lines.append("  " + c["shortfall_borrowed"].format(borrowed=a(sf["borrowed"]), lender=c["creditors"].get(sf["lender"], sf["lender"]),
                                                               unfinanced=a(sf["unfinanced"]), service=a(sf["service"]), debt=a(sf["debt"])))
        else:
            lines.append("  " + c["shortfall_left"].format(value=a(sf["unfinanced"])))
    for br in sf.get("breaches", []):
        lines.append("  " + c["debt_breach"].format(limit=c["debt_limits"][br["limit"]], value=a(br["value"]), disposable=a(br["disposable"]),
                                                    ratio=f"{br['value'] / br['disposable']:.3g}" if br["disposable"] > 0 else "∞",
                                                    max=f"{br['max_ratio']:g}"))
    return lines if len(lines) > 2 else []



