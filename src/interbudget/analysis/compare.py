"""Compare current law, a draft and amendments (concept §3.3.2): per region and per budget, the change in
transfers and, apart from it, the change in balances (a budget whose net transfer grows gains nothing when
its balance does not move: the transfer only replaces revenue), the budgets that become or stop being
subvention or donor budgets, and tables by population band. A change counts from half a thousand tenge."""
from __future__ import annotations

import numpy as np

from ..engine import Result
from ..errors import InterbudgetError
from ..hierarchy import LEVELS
from ..rules.status import budget_status
from .metrics import region_table

BANDS = [(0, 2_000), (2_000, 10_000), (10_000, 50_000), (50_000, 200_000), (200_000, 1_000_000), (1_000_000, float("inf"))]


def budget_view(res: Result, k: int) -> dict[str, dict]:
    h, tr = res.hierarchy, res.transfers
    out = {}
    for b in range(h.nb):
        u = int(h.budget_units[b])
        out[h.b_codes[b]] = {"level": LEVELS[h.b_level[b]], "name": h.name(u), "population": float(h.population[u]),
                             "net": float(tr.subvention[b, k] - tr.withdrawal[b, k]), "balance": float(res.plan.balance[b, k]),
                             "status": budget_status(tr.subvention[b, k], tr.withdrawal[b, k])}
    return out


def movers(rows: list[dict], n: int = 10) -> dict:
    """The budgets (below the republic) whose net transfer, and apart from it whose balance, moved most."""
    local = [r for r in rows if r["level"] != "republic"]
    by_t = sorted(local, key=lambda r: r["change"])
    by_b = sorted(local, key=lambda r: r["balance_change"])
    return {"transfer_losses": [r for r in by_t[:n] if r["change"] < -0.5],
            "transfer_gains": [r for r in by_t[::-1][:n] if r["change"] > 0.5],
            "balance_losses": [r for r in by_b[:n] if r["balance_change"] < -0.5],
            "balance_gains": [r for r in by_b[::-1][:n] if r["balance_change"] > 0.5]}


def compare(results: list[Result], year: int) -> dict:
    for r in results:
        if year not in r.years:
            raise InterbudgetError(f"scenario '{r.scenario.name}' has no year {year} (its years: {r.years})")
    names = [r.scenario.name for r in results]
    ks = [r.years.index(year) for r in results]
    regions = [region_table(r, k) for r, k in zip(results, ks)]
    views = [budget_view(r, k) for r, k in zip(results, ks)]
    base = regions[0]
    region_rows = []
    for i, code in enumerate(base["code"].tolist()):
        row = {"code": code, "name": results[0].hierarchy.name(int(base["unit"][i])), "population": float(base["population"][i])}
        for n, reg in zip(names, regions):
            j = reg["code"].tolist().index(code)
            row[f"net_transfer[{n}]"] = float(reg["net_transfer"][j])
            row[f"capacity_after[{n}]"] = float(reg["capacity_after"][j])
        for n in names[1:]:
            row[f"change[{n}]"] = row[f"net_transfer[{n}]"] - row[f"net_transfer[{names[0]}]"]
            row[f"change_per_capita_tenge[{n}]"] = row[f"change[{n}]"] * 1000 / row["population"] if row["population"] else float("nan")
        region_rows.append(row)
    pairs = [(0, j) for j in range(1, len(results))] + [(1, j) for j in range(2, len(results))]
    comparisons = []
    for a, b in pairs:
        va, vb = views[a], views[b]
        codes = sorted(set(va) | set(vb))
        rows, transitions = [], {"became_subvention": [], "stopped_subvention": [], "became_donor": [], "stopped_donor": [],
                                 "entered": [], "left": []}
        for c in codes:
            if c not in va:
                transitions["entered"].append(c)
                continue
            if c not in vb:
                transitions["left"].append(c)
                continue
            x, y = va[c], vb[c]
            d = y["net"] - x["net"]
            rows.append({"code": c, "name": x["name"], "level": x["level"], "population": x["population"], "net_before": x["net"],
                         "net_after": y["net"], "change": d, "balance_before": x["balance"], "balance_after": y["balance"],
                         "balance_change": y["balance"] - x["balance"], "status_before": x["status"], "status_after": y["status"]})
            for st, key in (("subvention", "subvention"), ("donor", "donor")):
                if x["status"] != st and y["status"] == st:
                    transitions[f"became_{key}"].append(c)
                if x["status"] == st and y["status"] != st:
                    transitions[f"stopped_{key}"].append(c)
        bands = []
        for lo, hi in BANDS:
            sel = [r for r in rows if lo <= r["population"] < hi and r["level"] != "republic"]
            if not sel:
                continue
            change = np.array([r["change"] for r in sel])
            bal = np.array([r["balance_change"] for r in sel])
            pop = np.array([r["population"] for r in sel])
            bands.append({"band": f"{lo:,}–{hi:,}" if hi != float("inf") else f"{lo:,}+", "budgets": len(sel),
                          "transfer_up": int((change > 0.5).sum()), "transfer_down": int((change < -0.5).sum()),
                          "balance_up": int((bal > 0.5).sum()), "balance_down": int((bal < -0.5).sum()),
                          "change": float(change.sum()), "balance_change": float(bal.sum()),
                          "change_per_capita_tenge": float(change.sum() * 1000 / pop.sum()) if pop.sum() else float("nan")})
        comparisons.append({"from": names[a], "to": names[b], "rows": rows, "transitions": transitions, "bands": bands,
                            **movers(rows)})
    return {"year": year, "scenarios": names, "regions": region_rows, "comparisons": comparisons}
