"""Runs of a scenario version in the background: start one (API and form), its progress, its budgets.csv."""
from __future__ import annotations

from fastapi import Depends, FastAPI, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from ..store import NotFound
from .access import Viewer, require
from .common import plain, see_other as _see_other
from .security import attachment_header, check_csrf


def register(app: FastAPI, site) -> None:
    wb = site.wb
    st = wb.store
    viewer_dep = Depends(site.viewer)

    # ---- runs ----------------------------------------------------------------------------------------
    @app.post("/api/scenarios/{scenario}/runs", status_code=202)
    def api_run(request: Request, scenario: str, version: int | None = Query(None, ge=1), viewer: Viewer = viewer_dep) -> dict:
        """Run a version (the latest by default) in the background; poll /api/runs/{id} for its progress."""
        check_csrf(viewer, request)
        require(viewer, "analyst")
        v = wb.view(viewer, scenario, version)
        return {"run": wb.start_run(scenario, v.version, viewer.username), "version": v.version}

    @app.post("/scenarios/{scenario}/run", include_in_schema=False)
    def run_form(request: Request, scenario: str, csrf_token: str = Form(""), lang: str = Form("en"),
                 version: int = Form(0, ge=0), viewer: Viewer = viewer_dep):
        check_csrf(viewer, request, csrf_token)
        require(viewer, "analyst")
        v = wb.view(viewer, scenario, version or None)  # a version: "run again" of an interrupted run
        return _see_other(f"/runs/{wb.start_run(scenario, v.version, viewer.username)}?lang={lang}")

    def _run(run_id: int, viewer: Viewer, results: bool = False) -> dict:
        require(viewer, "analyst", "commission")
        try:
            return st.run(run_id, results)
        except NotFound as exc:
            raise HTTPException(404, str(exc)) from None

    @app.get("/api/runs/{run_id}")
    async def api_run_status(run_id: int, wait: float = Query(0, ge=0, le=30), viewer: Viewer = viewer_dep) -> dict:
        """A run's status, stage and progress (0-1); its manifest when done. With `wait` (seconds, at most 30) the
        answer waits until the run has ended or the time is up: one request instead of a stream of polls."""
        import asyncio

        from starlette.concurrency import run_in_threadpool

        r = await run_in_threadpool(_run, run_id, viewer)
        loop = asyncio.get_running_loop()
        deadline, recheck = loop.time() + wait, loop.time() + 0.5
        while r["status"] in ("queued", "running") and loop.time() < deadline:
            await asyncio.sleep(0.02)
            if wb.ended(run_id) or loop.time() > recheck:  # ended here, or maybe in another worker process
                r = await run_in_threadpool(_run, run_id, viewer)
                recheck = loop.time() + 0.5
        return plain(r)

    @app.get("/runs/{run_id}", response_class=HTMLResponse, include_in_schema=False)
    def run_page(request: Request, run_id: int, lang: str = "en", viewer: Viewer = viewer_dep):
        from ..i18n import catalog
        from .common import lang_ok

        stages = {k[len("stage_"):]: v for k, v in catalog(lang_ok(lang))["workbench"].items() if k.startswith("stage_")}
        return site.page(request, "run.html", lang, viewer, run=_run(run_id, viewer), stages=stages)

    @app.get("/runs/{run_id}/budgets.csv")
    def run_csv(run_id: int, viewer: Viewer = viewer_dep):
        """The run's budgets.csv as stored with it."""
        r = _run(run_id, viewer, results=True)
        if r["status"] != "done":
            raise HTTPException(409, f"run {run_id} is {r['status']}")
        return Response(r["budgets_csv"], media_type="text/csv; charset=utf-8",
                        headers=attachment_header(f'{r["scenario"]}-v{r["version"]}-run{run_id}.csv'))
