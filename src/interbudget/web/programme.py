"""The reform as a programme in the browser: a public page with the measures, their evidence and
audit trail, the indicators of the published scenarios with charts (plotly, served from the installed package:
offline) and a timeline; the Commission and the analysts record status updates with evidence (CSRF, audited);
an akimat sees the measures that concern its region first."""
from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

from fastapi import Body, Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..errors import InterbudgetError
from ..i18n import LANGUAGES, catalog
from .access import PUBLIC, Viewer, require, signed_in, visible_scenarios
from .common import lang_ok, no_nan, plain
from .security import check_csrf

BUNDLED = Path(__file__).resolve().parents[3] / "programme" / "kz"
EDITORS = ("commission", "analyst")


def register(app: FastAPI, site, registry: Path | None, reg, folder: Path | None = None) -> None:
    from ..programme.data import STATUSES, load_for
    from .common import TEMPLATES

    TEMPLATES.env.globals["programme_nav"] = {lg: catalog(lg)["programme"]["title"] for lg in LANGUAGES}  # base.html's link
    wb = site.wb
    st = wb.store
    viewer_dep = Depends(site.viewer)
    if folder is not None:  # a programme given to serve: its links are checked against what is served
        prog = load_for(folder, registry, [s["name"] for s in st.scenarios()], reg,  # a bad one stops the server
                        regions=[code for code, _ in wb.regions()])
    else:  # the bundled programme (checked against the bundled registry and scenarios by `programme validate`)
        prog = load_for(BUNDLED)
    pname = prog.folder.name
    cache: dict[tuple, dict] = {}
    chart_cache: dict[tuple, list] = {}
    lock = threading.Lock()

    def parse_at(at: str | None) -> date:
        from ..programme.status import parse_day

        try:
            return parse_day(at, "at=")
        except InterbudgetError as exc:
            raise HTTPException(422, str(exc)) from None

    def rows_at(day: date) -> list[dict]:
        from ..programme.status import measure_rows
        from ..store.programme import updates

        return measure_rows(prog, day, updates(st, pname))

    def published_indicators() -> dict:
        """The indicators of every published scenario at its published version (computed once per set)."""
        from ..analysis.programme import indicators

        views = [v for _, v in visible_scenarios(PUBLIC, st.scenarios())]
        key = tuple((v.name, v.version) for v in views)
        with lock:
            if key in cache:
                return cache[key]
        results = {}
        for v in views:
            try:
                results[v.name] = wb.result(v)
            except HTTPException:  # a published version that no longer runs on this dataset: left out, not fatal
                continue
        data = no_nan(indicators(results, reg))
        data["versions"] = {v.name: v.version for v in views if v.name in results}
        with lock:
            cache.clear()
            cache[key] = data
        return data

    def report(res) -> dict:
        """The programme's status today for the run's Excel and HTML reports (/download/...)."""
        from ..analysis.programme import report_status

        today = date.today()
        return report_status(res, rows_at(today), today.isoformat())

    app.state.programme_report = report

    def acts() -> list[dict]:
        return [{"id": a.id, "name": a.name, "act_date": a.act_date.isoformat() if a.act_date else "", "section": a.section,
                 "article": a.article, "change": a.change, "stage": a.stage, "measures": a.measures, "evidence": a.evidence,
                 "evidence_ref": a.evidence_ref} for a in prog.acts.values()]

    def measure_or_404(mid: str) -> None:
        if mid not in prog.measures:
            raise HTTPException(404, f"unknown measure '{mid}'")

    def record(viewer: Viewer, mid: str, status: str, evidence: str, reference: str) -> int:
        require(viewer, *EDITORS)
        measure_or_404(mid)
        from ..store.programme import record_status

        try:
            return record_status(st, pname, mid, status, evidence, reference, signed_in(viewer))
        except InterbudgetError as exc:
            raise HTTPException(422, str(exc)) from None

    # ---- API ---------------------------------------------------------------------------------------
    @app.get("/api/programme")
    def api_programme(at: str | None = None) -> dict:
        """The programme on a date (default today): measures by status (late first: past due and not done), their
        evidence and audit trail, the acts to change, and the indicators of the published scenarios."""
        from ..programme.status import counts

        day = parse_at(at)
        rows = rows_at(day)
        return plain({"programme": pname, "at": day.isoformat(), "counts": counts(rows), "measures": rows, "acts": acts(),
                      "indicators": published_indicators()})

    @app.post("/api/programme/measures/{mid}/status", status_code=201)
    def api_status(request: Request, mid: str, body: dict = Body(..., examples=[{"status": "done", "evidence":
                   "Law of ... No. ...", "reference": "adilet.zan.kz/..."}]), viewer: Viewer = viewer_dep) -> dict:
        """Record a measure's status with its evidence (the Commission and analysts; X-CSRF-Token)."""
        check_csrf(viewer, request)
        return {"update": record(viewer, mid, str(body.get("status", "")), str(body.get("evidence", "")),
                                 str(body.get("reference", "") or ""))}

    @app.get("/programme/plotly.js", include_in_schema=False)
    def plotly_js():
        from plotly.offline import get_plotlyjs

        return Response(get_plotlyjs(), media_type="application/javascript", headers={"Cache-Control": "public, max-age=86400"})

    # ---- pages -------------------------------------------------------------------------------------
    @app.get("/programme", response_class=HTMLResponse, include_in_schema=False)
    def programme_page(request: Request, lang: str = "en", at: str | None = None, viewer: Viewer = viewer_dep):
        from ..programme.status import concerns_region, counts
        from .programme_charts import indicator_charts, timeline

        day = parse_at(at)
        rows = rows_at(day)
        p = catalog(lang_ok(lang))["programme"]
        ind = published_indicators()
        ck = (tuple(sorted(ind["versions"].items())), lang)  # per published set and language the figures never change
        with lock:
            figs = chart_cache.get(ck)
        if figs is None:
            figs = indicator_charts(ind, p)
            with lock:
                if len(chart_cache) > 12:
                    chart_cache.clear()
                chart_cache[ck] = figs
        mine = [r for r in rows if concerns_region(r, viewer.region)] if viewer.role == "akimat" and viewer.region else []
        return site.page(request, "programme.html", lang, viewer, p=p, at=day.isoformat(), rows=rows, counts=counts(rows),
                         mine=mine, acts=acts(), ind=ind, charts=timeline(rows, p, lang) + figs)

    @app.get("/programme/measures/{mid}", response_class=HTMLResponse, include_in_schema=False)
    def measure_page(request: Request, mid: str, lang: str = "en", viewer: Viewer = viewer_dep):
        measure_or_404(mid)
        row = next(r for r in rows_at(date.today()) if r["id"] == mid)
        p = catalog(lang_ok(lang))["programme"]
        return site.page(request, "programme_measure.html", lang, viewer, p=p, m=row, statuses=STATUSES,
                         acts=[a for a in acts() if mid in a["measures"]], may_edit=viewer.role in EDITORS)

    @app.post("/programme/measures/{mid}/status", include_in_schema=False)
    async def status_form(request: Request, mid: str, viewer: Viewer = viewer_dep):
        require(viewer, *EDITORS)
        form = await request.form(max_files=0, max_fields=20)
        check_csrf(viewer, request, str(form.get("csrf_token", "")))
        record(viewer, mid, str(form.get("status", "")), str(form.get("evidence", "")), str(form.get("reference", "")))
        lang = str(form.get("lang", "en"))
        return RedirectResponse(f"/programme/measures/{mid}?lang={lang if lang in LANGUAGES else 'en'}", status_code=303)

