"""Objections and corrected data: an akimat files them on its own budgets (with attachments), the commission
comments and resolves them, the analyst reads them; each sees only what access.py allows."""
from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath

from fastapi import Body, Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from ..errors import InterbudgetError
from ..store import Conflict, NotFound
from .access import Viewer, objection_visible, region_of, require
from .common import plain
from .security import attachment_header, check_csrf

MAX_FILES = 5
MAX_BYTES = 10 * 1024 * 1024


def register(app: FastAPI, site) -> None:
    wb = site.wb
    st = wb.store
    viewer_dep = Depends(site.viewer)

    def _visible(oid: int, viewer: Viewer) -> dict:
        require(viewer, "analyst", "commission", "akimat")
        try:
            o = st.objection(oid)
        except NotFound:
            o = None
        if o is None or not objection_visible(viewer, o):
            raise HTTPException(404, f"unknown objection {oid}")
        return o

    def _file(viewer: Viewer, scenario: str, code: str, year: int | None, kind: str, text: str,
              files: list[tuple[str, str, bytes]]) -> int:
        require(viewer, "akimat")
        v = wb.view(viewer, scenario)
        res = wb.result(v)
        h = res.hierarchy
        if code not in h.unit_index() or region_of(h, [code])[0] != viewer.region:
            raise HTTPException(404, f"unknown budget code '{code}' in your region")
        year = res.years[0] if year is None else year
        if year not in res.years:
            raise HTTPException(422, f"year {year} is not among the scenario's years {res.years}")
        if len(files) > MAX_FILES:
            raise HTTPException(422, f"at most {MAX_FILES} attachments")
        for name, _, content in files:
            if len(content) > MAX_BYTES:
                raise HTTPException(413, f"attachment '{name}' is {len(content) / 1e6:.1f} MB: at most {MAX_BYTES // 2**20} MB each")
        try:
            return st.file_objection(scenario, v.version, code, viewer.region, year, kind, text, viewer.username, files)
        except InterbudgetError as exc:
            raise HTTPException(422, str(exc)) from None

    def _event(oid: int, kind: str, text: str, viewer: Viewer) -> int:
        o = _visible(oid, viewer)
        if kind in ("resolved", "rejected", "reopened"):
            require(viewer, "commission")
        elif kind != "comment":
            raise HTTPException(422, f"unknown action '{kind}': comment, resolved, rejected or reopened")
        try:
            return st.add_event(o["id"], kind, text, viewer.username)
        except Conflict as exc:
            raise HTTPException(409, str(exc)) from None
        except InterbudgetError as exc:
            raise HTTPException(422, str(exc)) from None

    def _list(viewer: Viewer, scenario: str | None, status: str | None) -> list[dict]:
        require(viewer, "analyst", "commission", "akimat")
        rows = st.objections(region=None if viewer.sees_everything else viewer.region, scenario=scenario)
        return [o for o in rows if status is None or o["status"] == status]

    # ---- API ---------------------------------------------------------------------------------------
    @app.get("/api/objections")
    def api_objections(scenario: str | None = None, status: str | None = Query(None, pattern="^(open|resolved|rejected)$"),
                       viewer: Viewer = viewer_dep) -> list[dict]:
        """The objections this user may see (an akimat: its region's), newest first."""
        return plain(_list(viewer, scenario, status))

    @app.get("/api/objections/{oid}")
    def api_objection(oid: int, viewer: Viewer = viewer_dep) -> dict:
        """One objection with its comments, decisions and attachments."""
        return plain(_visible(oid, viewer))

    @app.post("/api/objections", status_code=201)
    def api_file(request: Request, body: dict = Body(..., examples=[{"scenario": "current-law", "code": "430000000",
                 "year": 2026, "kind": "objection", "text": "the district's population is out of date"}]),
                 viewer: Viewer = viewer_dep) -> dict:
        """File an objection (or corrected data, kind 'correction') on one of the akimat's own budgets."""
        check_csrf(viewer, request)
        year = body.get("year")
        if year is not None and (not isinstance(year, int) or isinstance(year, bool)):
            raise HTTPException(422, "year must be a whole number")
        oid = _file(viewer, str(body.get("scenario", "")), str(body.get("code", "")), year, str(body.get("kind", "objection")),
                    str(body.get("text", "")), [])
        return {"objection": oid}

    @app.post("/api/objections/{oid}/events", status_code=201)
    def api_event(request: Request, oid: int, body: dict = Body(..., examples=[{"kind": "comment", "text": "..."}]),
                  viewer: Viewer = viewer_dep) -> dict:
        """A comment (any who may see it), or the commission's decision: resolved, rejected, reopened."""
        check_csrf(viewer, request)
        return {"event": _event(oid, str(body.get("kind", "")), str(body.get("text", "")), viewer)}

    @app.get("/attachments/{aid}")
    def attachment(aid: int, viewer: Viewer = viewer_dep):
        """An objection's attachment, for those who may see the objection."""
        require(viewer, "analyst", "commission", "akimat")
        try:
            a = st.attachment(aid)
            _visible(a["objection_id"], viewer)
        except (NotFound, HTTPException):  # one answer for "none" and "not yours": ids reveal nothing
            raise HTTPException(404, f"unknown attachment {aid}") from None
        return Response(a["content"], media_type="application/octet-stream",
                        headers={**attachment_header(a["filename"]), "X-Content-Type-Options": "nosniff"})

    # ---- pages -------------------------------------------------------------------------------------
    @app.get("/objections", response_class=HTMLResponse, include_in_schema=False)
    def objections_page(request: Request, lang: str = "en", status: str | None = None, viewer: Viewer = viewer_dep):
        rows = _list(viewer, None, status if status in ("open", "resolved", "rejected") else None)
        return site.page(request, "objections.html", lang, viewer, rows=rows, status=status)

    @app.get("/objections/{oid}", response_class=HTMLResponse, include_in_schema=False)
    def objection_page(request: Request, oid: int, lang: str = "en", viewer: Viewer = viewer_dep):
        o = _visible(oid, viewer)
        h = wb.ds.hierarchy  # names are the dataset's, whatever the scenario
        name = h.name(h.unit_index()[o["unit_code"]], lang) if o["unit_code"] in h.unit_index() else ""
        return site.page(request, "objection.html", lang, viewer, o=o, unit_name=name)

    @app.post("/objections", include_in_schema=False)
    async def file_form(request: Request, viewer: Viewer = viewer_dep):
        require(viewer, "akimat")  # before the body is read
        size = request.headers.get("content-length", "")
        if size.isdigit() and int(size) > MAX_FILES * MAX_BYTES + 2**20:
            raise HTTPException(413, f"at most {MAX_FILES} attachments of {MAX_BYTES // 2**20} MB each")
        form = await request.form(max_files=MAX_FILES, max_fields=50)
        check_csrf(viewer, request, str(form.get("csrf_token", "")))
        files = []
        for f in form.getlist("attachment"):
            if isinstance(f, UploadFile) and f.filename:  # a text field of that name, or an empty file input: nothing
                name = PureWindowsPath(PurePosixPath(f.filename).name).name[:200] or "attachment"
                if f.size is not None and f.size > MAX_BYTES:  # spooled to disk by the parser: never read whole
                    raise HTTPException(413, f"attachment '{name}' is {f.size / 1e6:.1f} MB: at most {MAX_BYTES // 2**20} MB each")
                files.append((name, f.content_type or "application/octet-stream", await f.read(MAX_BYTES + 1)))
        year = str(form.get("year", "")).strip()
        if year and not year.isdigit():
            raise HTTPException(422, f"year '{year}' is not a year")
        oid = _file(viewer, str(form.get("scenario", "")), str(form.get("code", "")), int(year) if year else None,
                    str(form.get("kind", "objection")), str(form.get("text", "")), files)
        return RedirectResponse(f"/objections/{oid}?lang={form.get('lang', 'en')}", status_code=303)

    @app.post("/objections/{oid}/events", include_in_schema=False)
    async def event_form(request: Request, oid: int, viewer: Viewer = viewer_dep):
        require(viewer, "analyst", "commission", "akimat")
        form = await request.form(max_files=0, max_fields=20)
        check_csrf(viewer, request, str(form.get("csrf_token", "")))
        _event(oid, str(form.get("kind", "comment")), str(form.get("text", "")), viewer)
        return RedirectResponse(f"/objections/{oid}?lang={form.get('lang', 'en')}", status_code=303)
