"""The scorecard in the web: the four options side by side, each argument of §3.3.2 in the concept's words (kk/ru/en)."""
from __future__ import annotations

import threading
from collections import OrderedDict

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from .access import Viewer, region_of, visible_scenarios
from .cells import money_unit

DEFAULT = ("current-law", "option-2", "option-3", "option-4")
MAX_SCENARIOS = 6
CACHE = 8


def register(app: FastAPI, site) -> None:
    from ..analysis.scorecard import SECTIONS, scorecard, side_by_side
    from ..analysis.stress import Shocks
    from ..i18n import catalog

    wb = site.wb
    viewer_dep = Depends(site.viewer)
    cache: OrderedDict = OrderedDict()
    lock = threading.Lock()
    shocks = Shocks(draws=2_000, common_sd=0.0, region_sd=0.0)  # the oil shock alone, as `interbudget scorecard`

    def _rows(viewer: Viewer, names: list[str]) -> list[dict]:
        if len(names) > MAX_SCENARIOS:
            raise HTTPException(422, f"at most {MAX_SCENARIOS} scenarios in one scorecard")
        views = [wb.view(viewer, n) for n in names]
        key = tuple((v.name, v.version) for v in views)
        with lock:
            rows = cache.get(key)
        if rows is None:
            rows = [r for v in views for r in scorecard(wb.result(v), v.name, shocks)]
            with lock:
                cache[key] = rows
                while len(cache) > CACHE:
                    cache.popitem(last=False)
        limited = {v.region for v in views if v.region is not None}
        if limited:  # a region-limited viewer sees the totals and its own region's rows
            h = wb.ds.hierarchy
            region = next(iter(limited))
            codes = {r["code"] for r in rows if r["code"]}
            mine = {c for c in codes if region_of(h, [c])[0] == region}
            rows = [r for r in rows if r["code"] == "" or r["code"] in mine]
        return rows

    def _names(viewer: Viewer, scenario: list[str]) -> list[str]:
        if scenario:
            return scenario
        visible = [sc["name"] for sc, _ in visible_scenarios(viewer, wb.store.scenarios())]
        return [n for n in DEFAULT if n in visible] or visible[:4]

    @app.get("/api/scorecard")
    def api_scorecard(scenario: list[str] = Query([]), viewer: Viewer = viewer_dep) -> dict:
        """Every indicator of the scorecard (docs/METHOD.md "Scorecard") for the scenarios (default: the four options):
        rows of scenario, year, level, code, indicator, value, unit, section."""
        names = _names(viewer, scenario)
        rows = _rows(viewer, names)
        return {"scenarios": names, "rows": [{**r, "value": None if r["value"] != r["value"] else r["value"]} for r in rows]}

    @app.get("/scorecard", response_class=HTMLResponse)
    def scorecard_page(request: Request, scenario: list[str] = Query([]), lang: str = "en", viewer: Viewer = viewer_dep):
        names = _names(viewer, [s for s in scenario if s])
        rows = _rows(viewer, names)
        cols, table = side_by_side(rows)
        options = {v.name: wb.result(v).scenario.option for v in (wb.view(viewer, n) for n in names)}
        cat = catalog(lang if lang in ("kk", "ru", "en") else "en")
        sc = cat["scorecard"]
        sections = [{"key": s, **sc["sections"][s],
                     "rows": [{**r, "label": sc["indicators"].get(r["indicator"], r["indicator"]),
                               "values": [r.get(n) for n in cols], "shown": money_unit([r.get(n) for n in cols], r["unit"])}
                              for r in table if r["section"] == s and r["code"] == ""]}
                    for s in SECTIONS]
        visible = [s["name"] for s, _ in visible_scenarios(viewer, wb.store.scenarios())]
        return site.page(request, "scorecard.html", lang, viewer, sc=sc, ct=cat["charts"], columns=cols, options=options,
                         sections=[s for s in sections if s["rows"]], chosen=names, all_scenarios=visible,
                         split_note=sc["no_district_split"] if 4 in options.values() else "")
