"""Compare current law, a draft and amendments (concept §3.3.2): per region and per budget, the change in
transfers and, apart from it, the change in balances (a budget whose net transfer grows gains nothing when
its balance does not move: the transfer only replaces revenue), the budgets that become or stop being
subvention or donor budgets, and tables by population band. A change counts from half a thousand tenge.

`compare` returns a `Comparison` of tables (analysis/compare_table.py names their columns)."""
from __future__ import annotations

import numpy as np

from ..engine import Result
from ..errors import InterbudgetError
from ..hierarchy import LEVELS
from ..rules.status import budget_status, statuses
from .compare_table import BAND_COLUMNS, REGION_COLUMNS, Comparison, Pair, band_label, movers
from .metrics import region_table
from .table import Table

__all__ = ["BANDS", "Comparison", "Pair", "band_label", "budget_view", "compare", "movers"]

BANDS = [(0, 2_000), (2_000, 10_000), (10_000, 50_000), (50_000, 200_000), (200_000, 1_000_000), (1_000_000, float("inf"))]


def budget_view(res: Result, k: int) -> dict[str, dict]:
    """Per budget code in year position K: level, name, population, net transfer, balance and status."""
    h, tr = res.hierarchy, res.transfers
    out = {}
    for b in range(h.nb):
        u = int(h.budget_units[b])
        out[h.b_codes[b]] = {"level": LEVELS[h.b_level[b]], "name": h.name(u), "population": float(h.population[u]),
                             "net": float(tr.subvention[b, k] - tr.withdrawal[b, k]), "balance": float(res.plan.balance[b, k]),
                             "status": budget_status(tr.subvention[b, k], tr.withdrawal[b, k])}
    return out


def _budgets(res: Result, k: int) -> dict[str, np.ndarray]:
    """Per budget (in code order) in year position K: code, name, level, population, net, balance, status."""
    h, tr = res.hierarchy, res.transfers
    order = np.argsort(np.asarray(h.b_codes).astype(str), kind="stable")
    units = h.budget_units[order]
    return {"code": np.asarray(h.b_codes).astype(str)[order], "name": np.array([h.name(int(u)) for u in units], dtype=object),
            "level": np.array(LEVELS, dtype=object)[h.b_level[order]], "population": h.population[units].astype(float),
            "net": (tr.subvention[:, k] - tr.withdrawal[:, k])[order], "balance": res.plan.balance[order, k],
            "status": statuses(tr.subvention[order, k], tr.withdrawal[order, k])}


def _pair(source: str, target: str, va: dict[str, np.ndarray], vb: dict[str, np.ndarray]) -> Pair:
    codes, ia, ib = np.intersect1d(va["code"], vb["code"], assume_unique=True, return_indices=True)
    x = {k: v[ia] for k, v in va.items()}
    y = {k: v[ib] for k, v in vb.items()}
    rows = Table({"code": codes, "name": x["name"], "level": x["level"], "population": x["population"], "net_before": x["net"],
                  "net_after": y["net"], "change": y["net"] - x["net"], "balance_before": x["balance"], "balance_after": y["balance"],
                  "balance_change": y["balance"] - x["balance"], "status_before": x["status"], "status_after": y["status"]})
    kinds, found = [], []
    for st in ("subvention", "donor"):
        kinds += [f"became_{st}", f"stopped_{st}"]
        found += [codes[(x["status"] != st) & (y["status"] == st)], codes[(x["status"] == st) & (y["status"] != st)]]
    kinds += ["entered", "left"]
    found += [np.setdiff1d(vb["code"], va["code"]), np.setdiff1d(va["code"], vb["code"])]
    transitions = Table({"transition": np.repeat(np.array(kinds, dtype=object), [f.size for f in found]),
                         "code": np.concatenate(found).astype(str)})
    return Pair(source, target, rows, transitions, _bands(rows))


def _bands(rows: Table) -> Table:
    bands = []
    local = rows["level"] != "republic"
    pop, change, bal = rows["population"], rows["change"], rows["balance_change"]
    for lo, hi in BANDS:
        sel = local & (pop >= lo) & (pop < hi)
        if not sel.any():
            continue
        c, b, p = change[sel], bal[sel], pop[sel]
        bands.append({"low": float(lo), "high": float(hi), "budgets": int(sel.sum()), "transfer_up": int((c > 0.5).sum()),
                      "transfer_down": int((c < -0.5).sum()), "balance_up": int((b > 0.5).sum()), "balance_down": int((b < -0.5).sum()),
                      "change": float(c.sum()), "balance_change": float(b.sum()),
                      "change_per_capita_tenge": float(c.sum() * 1000 / p.sum()) if p.sum() else float("nan")})
    return Table.from_rows(bands, BAND_COLUMNS)


def compare(results: list[Result], year: int) -> Comparison:
    """RESULTS (current law, the draft, amendments) in YEAR, each against the first, and each amendment against the
    draft. A scenario without YEAR is an InterbudgetError."""
    for r in results:
        if year not in r.years:
            raise InterbudgetError(f"scenario '{r.scenario.name}' has no year {year} (its years: {r.years})")
    names = [r.scenario.name for r in results]
    ks = [r.years.index(year) for r in results]
    regions = [region_table(r, k) for r, k in zip(results, ks, strict=True)]
    base, h0 = regions[0], results[0].hierarchy
    rows = []
    for i, code in enumerate(base["code"].tolist()):
        pop = float(base["population"][i])
        first = None
        for n, reg in zip(names, regions, strict=True):
            j = reg["code"].tolist().index(code)
            net = float(reg["net_transfer"][j])
            first = net if first is None else first
            rows.append({"code": code, "name": h0.name(int(base["unit"][i])), "population": pop, "scenario": n, "net_transfer": net,
                         "capacity_after": float(reg["capacity_after"][j]), "change": net - first,
                         "change_per_capita_tenge": (net - first) * 1000 / pop if pop else float("nan")})
    views = [_budgets(r, k) for r, k in zip(results, ks, strict=True)]
    pairs = [(0, j) for j in range(1, len(results))] + [(1, j) for j in range(2, len(results))]
    return Comparison(year, tuple(names), Table.from_rows(rows, REGION_COLUMNS),
                      tuple(_pair(names[a], names[b], views[a], views[b]) for a, b in pairs))
