"""The pictures of the dashboard and of a budget's page: what the partial templates
`_charts_dashboard.html` and `_charts_budget.html` show, assembled from web/charts.py (chart data), web/mapscale.py
(the map's fixed scale) and web/geomap.py (the map itself). The route passes its run and rows; nothing here reads
the store."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..engine import Result
from ..hierarchy import LEVELS
from ..i18n import catalog, fmt_amount
from . import charts, mapscale
from .access import region_of
from .common import unit_for
from .names import unmark

#: plotly's number separators (decimal, thousands) per language, as fmt_amount writes numbers
SEPARATORS = {"en": ".\u202f", "ru": ",\u202f", "kk": ",\u202f"}


def _ratio(x: float, lang: str) -> str:
    s = f"{x:.2f}"
    return s if lang == "en" else s.replace(".", ",")


def _allowed(res: Result, lvl: int, region: str | None) -> np.ndarray | None:
    if region is None:
        return None
    h = res.hierarchy
    return region_of(h, h.b_codes[h.b_level == lvl]) == region


def map_picture(res: Result, k: int, rows: list[dict], parent: str | None, href, lang: str, metric: str,
                region: str | None, geo: Path) -> dict | None:
    """The map of ROWS (the dashboard's budgets) showing METRIC on its fixed scale: {'svg', 'scale', 'metric',
    'metrics'}; None without boundaries or rows."""
    from .geomap import map_svg

    if not rows or not Path(geo).is_dir():
        return None
    t = catalog(lang)["charts"]
    metric = metric if metric in mapscale.METRICS else mapscale.DEFAULT
    lvl = LEVELS.index(rows[0]["level"])
    vals = mapscale.values(res, k, lvl, metric, _allowed(res, lvl, region))
    sc = mapscale.scale(metric, t)
    shown = {r["code"] for r in rows}
    ratios, labels = {}, {}
    for code, (fig, ratio) in vals.items():
        if code not in shown:
            continue
        ratios[code] = ratio
        if ratio != ratio:  # NaN: no population or no need
            labels[code] = t["no_data"]
        elif mapscale.KIND[metric] == "capacity":
            labels[code] = _ratio(fig, lang)
        else:
            labels[code] = (t["figure_tenge_pp"].format(value=fmt_amount(round(fig) + 0.0, lang)[:-2]) + " · "
                            + t["times_average"].format(ratio=_ratio(ratio, lang)))
    svg = map_svg(geo, ratios, {r["code"]: unmark(r["name"]) for r in rows}, parent, href, ("", ""), str, scale=sc, labels=labels)
    if svg is None:
        return None
    return {"svg": svg, "scale": sc, "metric": metric, "legend": list(zip(sc.colours, sc.words, strict=True)),
            "metrics": [(m, t["metrics"][m]) for m in mapscale.METRICS]}


def dashboard(res: Result, k: int, rows: list[dict], parent: str | None, href, lang: str, metric: str,
              region: str | None, geo: Path) -> dict:
    """Context of `_charts_dashboard.html`: the headline figures (per level), the net transfer per person of the
    rows (a chart), the map with its chooser and legend, and the chart settings of the language."""
    t = catalog(lang)["charts"]
    h = res.hierarchy
    allowed = None if region is None else region_of(h, h.b_codes) == region
    head = charts.headline(res, k, allowed)
    return {"ct": t, "headline": head, "headline_limited": region is not None,
            "headline_unit": unit_for([r[key] for r in head for key in ("subvention", "withdrawal")]),
            "net_chart": charts.net_per_person(rows, t, res.years[k]) if rows else None,
            "picture_map": map_picture(res, k, rows, parent, href, lang, metric, region, geo),
            "separators": SEPARATORS[lang]}


def budget(ex: dict, hist: dict, scenario: str, version: int, lang: str, folder: Path) -> dict:
    """Context of `_charts_budget.html`: revenue by tax, needs by function, history against the published law, and
    the explanation in plain words (web/explain_text.py)."""
    from .explain_text import Names, sections

    t = catalog(lang)["charts"]
    names = Names(folder, lang)
    figs = [charts.revenue_by_tax(ex, names.tax, t), charts.needs_by_function(ex, names.function, t)]
    if hist["years"]:
        figs.append(charts.history_line(hist, scenario, version, t))
    return {"ct": t, "budget_charts": [f for f in figs if f["data"] and any(len(d.get("x") or []) for d in f["data"])],
            "plain": sections(ex, lang, names), "separators": SEPARATORS[lang]}
