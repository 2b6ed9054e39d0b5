"""The reconciliation page: a scenario's modelled transfers beside the dataset's published figures
(published.csv: code,year,transfer,amount,source), per region and year, in kk/ru/en (§3.3.3)."""
from __future__ import annotations

import csv
import math

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from ..errors import InterbudgetError
from ..i18n import catalog
from .access import Viewer, region_of, visible_scenarios
from .explain_text import basis_words

PUBLISHED_FILE = "published.csv"


def _clean(x):
    """NaN (a missing side) as None, for JSON."""
    return None if isinstance(x, float) and math.isnan(x) else x


def register(app: FastAPI, site) -> None:
    from .common import TEMPLATES, lang_ok

    wb = site.wb
    viewer_dep = Depends(site.viewer)
    TEMPLATES.env.globals["reconcile_nav"] = lambda lang: catalog(lang)["reconcile"]["nav"]

    def _data(scenario: str, version: int | None, viewer: Viewer, lang: str) -> dict:
        path = wb.dataset_path / PUBLISHED_FILE
        if not path.is_file():
            raise HTTPException(404, catalog(lang)["reconcile"]["no_file"])
        v = wb.view(viewer, scenario, version)
        res = wb.result(v)
        rec = published_reconciliation(res, wb.dataset_path, lang)
        regions, years = rec.regions, [dict(vars(s)) for s in rec.years]
        rows = rec.rows
        if v.region is not None:  # a shared draft: the region's own figures, no national aggregate
            h = res.hierarchy
            regions = [r for r in regions if region_of(h, [r["code"]])[0] == v.region]
            rows = [r for r in rows if region_of(h, [r["code"]])[0] == v.region]
            years = [{"year": s["year"]} for s in years]
        with path.open(encoding="utf-8-sig", newline="") as fh:
            sources = sorted({r.get("source", "") for r in csv.DictReader(fh)} - {""})
        return {"scenario": scenario, "version": v.version, "limited_to_region": v.region,
                "years": [{k: _clean(x) for k, x in s.items()} for s in years], "regions": regions,
                "rows": [{k: _clean(x) for k, x in r.items()} for r in rows], "missing_in_model": rec.missing_in_model,
                "sources": sources, "needs_basis": res.dataset.needs_basis, "needs_basis_text": basis_words(res.dataset.needs_basis, lang)}

    @app.get("/api/reconcile")
    def api_reconcile(scenario: str = Query(None), version: int | None = Query(None, ge=1), lang: str = "en",
                      viewer: Viewer = viewer_dep) -> dict:
        """Modelled (plan track) against published subventions and withdrawals: per year the regions compared, the mean
        absolute difference and correlation of the net transfers and the regions of the same status; per region both
        sides; reconcile.csv's rows (a missing side is null)."""
        return _data(scenario or site.default_for(viewer), version, viewer, lang_ok(lang))

    @app.get("/reconcile", response_class=HTMLResponse)
    def reconcile_page(request: Request, scenario: str = Query(None), version: int | None = Query(None, ge=1), lang: str = "en",
                       viewer: Viewer = viewer_dep):
        scenario = scenario or site.default_for(viewer)
        data = _data(scenario, version, viewer, lang_ok(lang))
        names = [sc["name"] for sc, _ in visible_scenarios(viewer, wb.store.scenarios())]
        return site.page(request, "reconcile.html", lang, viewer, r=catalog(lang)["reconcile"], data=data, scenarios=names,
                         scenario=scenario)


def published_reconciliation(res, dataset, lang: str = "en"):
    """The reconciliation of RES with the dataset's published.csv for the Excel report; None without the file."""
    from pathlib import Path

    from ..analysis.reconcile import read_published, reconcile

    path = Path(dataset) / PUBLISHED_FILE
    if not path.is_file():
        return None
    try:
        return reconcile(res, read_published(path, res.hierarchy), lang=lang)
    except InterbudgetError as exc:
        raise HTTPException(422, str(exc)) from None
