"""Chart data of the workbench's pages: plain dicts of plotly traces, a layout and the same
figures as a table (the chart's text alternative), built from a run's arrays with numpy. The page draws them with
the plotly bundle the app serves from the installed package (`/charts/plotly.min.js`); nothing here imports plotly.

Units: amounts in million tenge (the run's thousand tenge / 1000), per-person figures in tenge (thousand tenge x
1000 / population). The dashboard's headline figures are `headline`; the net transfer per person by region is
`net_per_person`; a budget's revenue by tax, needs by function and history against the published law are
`revenue_by_tax`, `needs_by_function` and `history_line`.
"""
from __future__ import annotations

import numpy as np

from ..engine import Result
from ..hierarchy import LEVELS
from ..rules.status import statuses
from .names import unmark

MILLION = 1000.0  # thousand tenge per million tenge


def _table(head: list[str], rows: list[list]) -> dict:
    return {"head": head, "rows": rows}


def headline(res: Result, k: int, allowed: np.ndarray | None = None) -> list[dict]:
    """Per level below the republic: budgets, subventions and withdrawals received / paid with the level above
    (thousand tenge), and how many budgets get a subvention or pay a withdrawal (rules/status.py). ALLOWED: a mask
    over budgets (a region-limited viewer's budgets); None for all."""
    h, tr = res.hierarchy, res.transfers
    sub, wd = tr.subvention[:, k], tr.withdrawal[:, k]
    st = statuses(sub, wd)
    keep = np.ones(h.nb, dtype=bool) if allowed is None else allowed
    out = []
    for lvl in range(1, len(LEVELS)):
        m = keep & (h.b_level == lvl)
        if not m.any():
            continue
        out.append({"level": LEVELS[lvl], "budgets": int(m.sum()), "subvention": float(sub[m].sum()),
                    "withdrawal": float(wd[m].sum()), "subvention_budgets": int((m & (st == "subvention")).sum()),
                    "donor_budgets": int((m & (st == "donor")).sum())})
    return out


def net_per_person(rows: list[dict], t: dict, year: int) -> dict:
    """A bar per row (the dashboard's budgets): its net transfer with the level above (subvention - withdrawal) per
    person of its territory, tenge; sorted from the largest receiver to the largest payer."""
    pts = [(unmark(r["name"]), (r["subvention"] - r["withdrawal"]) * 1000.0 / r["population"]) for r in rows if r["population"] > 0]
    pts.sort(key=lambda p: -p[1])
    names, vals = [p[0] for p in pts], [round(p[1], 1) for p in pts]
    colours = ["#2166ac" if v >= 0 else "#b2182b" for v in vals]
    return {"id": "chart-net-per-person", "title": t["net_pp_title"].format(year=year),
            "data": [{"type": "bar", "x": names, "y": vals, "marker": {"color": colours},
                      "hovertemplate": "%{x}<br>%{y:,.0f} " + t["tenge_pp"] + "<extra></extra>"}],
            "layout": {"height": 420, "margin": {"b": 140, "t": 40}, "yaxis": {"title": {"text": t["tenge_pp"]}}},
            "table": _table([t["name"], t["tenge_pp"]], [[n, v] for n, v in zip(names, vals, strict=True)])}


def _pie_or_bar(div: str, title: str, labels: list[str], vals: list[float], unit: str, label_head: str) -> dict:
    order = np.argsort(-np.asarray(vals, dtype=float), kind="stable").tolist() if vals else []
    labels, vals = [labels[i] for i in order], [vals[i] for i in order]
    return {"id": div, "title": title,
            "data": [{"type": "bar", "orientation": "h", "x": vals, "y": labels,
                      "hovertemplate": "%{y}<br>%{x:,.1f} " + unit + "<extra></extra>"}],
            "layout": {"height": 120 + 28 * len(labels), "margin": {"t": 40}, "yaxis": {"autorange": "reversed", "automargin": True},
                       "xaxis": {"title": {"text": unit}}},
            "table": _table([label_head, unit], [[lab, round(v, 1)] for lab, v in zip(labels, vals, strict=True)])}


def revenue_by_tax(ex: dict, tax_name, t: dict) -> dict:
    """The budget's revenue (explain.explain's items) summed by tax, million tenge."""
    sums: dict[str, float] = {}
    for it in ex["revenue"]["items"]:
        sums[it["tax"]] = sums.get(it["tax"], 0.0) + it["amount"]
    return _pie_or_bar("chart-revenue", t["revenue_by_tax"], [tax_name(x) for x in sums],
                       [v / MILLION for v in sums.values()], t["million"], t["tax"])


def needs_by_function(ex: dict, function_name, t: dict) -> dict:
    """The budget's needs (explain.explain's items) summed by function, million tenge."""
    sums: dict[str, float] = {}
    for it in ex["needs"]["items"]:
        sums[it["function"]] = sums.get(it["function"], 0.0) + it["amount"]
    return _pie_or_bar("chart-needs", t["needs_by_function"], [function_name(x) for x in sums],
                       [v / MILLION for v in sums.values()], t["million"], t["function"])


def history_line(hist: dict, scenario: str, version: int, t: dict) -> dict:
    """The budget's net transfer by year (million tenge): published in law, under current law, under this scenario
    and its earlier versions (web/app.py `history`)."""
    years = hist["years"]
    # every year from the first to the last on the axis, so that a year without a figure breaks the line
    axis = list(range(min(years), max(years) + 1)) if years else []
    series = [(t["published_law"], hist["law"], "#222222", "dash"), (t["current_law"], hist["current"], "#1f77b4", "solid"),
              (f"{scenario} v{version}", hist["this"], "#d62728", "solid")]
    series += [(f"v{v['version']}", v["net"], "#999999", "dot") for v in hist["versions"]]
    data, rows = [], {y: [y] for y in years}
    for name, vals, colour, dash in series:
        ys = [None if vals.get(y) is None else round(vals[y] / MILLION, 1) for y in axis]
        for y, v in zip(axis, ys, strict=True):
            if y in rows:
                rows[y].append(v)
        if any(v is not None for v in ys):
            data.append({"type": "scatter", "mode": "lines+markers", "name": name, "x": axis, "y": ys,
                         "line": {"color": colour, "dash": dash}, "connectgaps": False})
    return {"id": "chart-history", "title": t["history_title"],
            "data": data, "layout": {"height": 380, "margin": {"t": 40}, "xaxis": {"title": {"text": t["year"]}},
                                     "yaxis": {"title": {"text": t["million"]}}},
            "table": _table([t["year"]] + [s[0] for s in series], [rows[y] for y in years])}


def territory(res: Result, k: int, lvl: int) -> dict[str, np.ndarray]:
    """For every budget of level LVL: its territory's population, needs and revenue (the budget and every budget
    below it), its own subvention and withdrawal with the level above (thousand tenge), in budget order."""
    h = res.hierarchy
    sel = np.flatnonzero(h.b_level == lvl)
    owner = h.anc[lvl][h.budget_units]
    inside = owner >= 0
    rev = np.bincount(owner[inside], weights=res.plan.revenue[inside, k], minlength=h.n)
    need = np.bincount(owner[inside], weights=res.needs[inside, k], minlength=h.n)
    u = h.budget_units[sel]
    return {"b": sel, "codes": h.b_codes[sel], "population": h.population[u].astype(float), "needs": need[u], "revenue": rev[u],
            "subvention": res.transfers.subvention[sel, k], "withdrawal": res.transfers.withdrawal[sel, k]}
