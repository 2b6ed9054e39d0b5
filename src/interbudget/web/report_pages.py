"""The report inside the workbench: `GET /report?scenario=…` shows the charts and maps of the
downloadable report.html (reports/html.py `figures`, the same figures) as a page of the workbench, with the metrics
table; and `GET /charts/plotly.min.js` serves the plotly bundle of the installed plotly package to every page that
draws a chart (no CDN, nothing fetched at run time)."""
from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response

from .access import Viewer
from .common import lang_ok

CACHE = 12  # figure sets kept (scenario, version, language)


def plotly_bundle() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def register(app: FastAPI, site) -> None:
    wb = site.wb
    viewer_dep = Depends(site.viewer)
    cache: OrderedDict = OrderedDict()
    lock = threading.Lock()

    @app.get("/charts/plotly.min.js", include_in_schema=False)
    def plotly_js():
        return Response(plotly_bundle(), media_type="application/javascript", headers={"Cache-Control": "public, max-age=86400"})

    def report_parts(res, key: tuple, lang: str) -> tuple[list[tuple[str, str]], dict]:
        """The report's figures as HTML fragments (no script: the page loads the bundle once) and its metrics."""
        with lock:
            hit = cache.get(key)
        if hit is not None:
            return hit
        import plotly.io as pio

        from ..analysis.metrics import metrics
        from ..reports.html import figures

        geo = Path(site.wb.dataset_path) / "geo"
        met = metrics(res, 0, f"{key[0]}@v{key[1]}").to_dict()
        figs = figures(res, met, None, geo if geo.is_dir() else None, lang)
        parts = [(name, pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=f"report-{name}",
                                    config={"displaylogo": False, "responsive": True})) for name, fig in figs]
        with lock:
            cache[key] = (parts, met)
            while len(cache) > CACHE:
                cache.popitem(last=False)
        return parts, met

    @app.get("/report", response_class=HTMLResponse, include_in_schema=False)
    def report_page(request: Request, scenario: str = Query(None), lang: str = "en", version: int | None = Query(None, ge=1),
                    viewer: Viewer = viewer_dep):
        from ..i18n import catalog
        from ..reports.html import CREDIT, OFFLINE_GEO

        lang = lang_ok(lang)
        scenario = scenario or site.default_for(viewer)
        v = wb.view(viewer, scenario, version)
        ct = catalog(lang)["charts"]
        if v.region is not None:  # as /download/…/report.html: a draft's national figures are for the ministry
            return site.page(request, "report_page.html", lang, viewer, status_code=403, ct=ct, scenario=scenario, view=v,
                             parts=[], met=None, limited=True, offline_geo="", credit="", rt=catalog(lang)["report_html"])
        res = wb.result(v)
        parts, met = report_parts(res, (v.name, v.version, lang), lang)
        geo = (Path(wb.dataset_path) / "geo").is_dir()
        return site.page(request, "report_page.html", lang, viewer, ct=ct, scenario=scenario, view=v, parts=parts, met=met,
                         limited=False, offline_geo=OFFLINE_GEO, credit=CREDIT if geo else "", rt=catalog(lang)["report_html"],
                         year=res.years[0], years=res.years)
