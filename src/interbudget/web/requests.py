"""Requests that soften the budget constraint (§1.7): an akimat files a request for a lower withdrawal, a debt
restructuring or a targeted transfer on one of its budgets, priced when filed (analysis/requests.py); the
commission comments and grants or refuses it; analysts read. Who sees what is access.py's rule for objections."""
from __future__ import annotations

from fastapi import Body, Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from ..analysis.requests import REQUEST_KINDS, price
from ..errors import InterbudgetError
from ..store import Conflict, NotFound, requests as rq
from .access import Viewer, objection_visible, own_region, region_of, require, signed_in
from .common import plain
from .security import check_csrf


def register(app: FastAPI, site) -> None:
    wb = site.wb
    st = wb.store
    viewer_dep = Depends(site.viewer)

    def _visible(rid: int, viewer: Viewer) -> dict:
        require(viewer, "analyst", "commission", "akimat")
        try:
            r = rq.request(st, rid)
        except NotFound:
            r = None
        if r is None or not objection_visible(viewer, r):  # the same rule as objections: one's own region
            raise HTTPException(404, f"unknown request {rid}")
        return r

    def _price(viewer: Viewer, scenario: str, code: str, year: int | None, kind: str, amount: float):
        v = wb.view(viewer, scenario)
        res = wb.result(v)
        h = res.hierarchy
        if code not in h.unit_index() or (viewer.role == "akimat" and region_of(h, [code])[0] != viewer.region):
            raise HTTPException(404, f"unknown budget code '{code}'" + (" in your region" if viewer.role == "akimat" else ""))
        year = res.years[0] if year is None else year
        try:
            return v, price(res, code, year, kind, amount)
        except InterbudgetError as exc:
            raise HTTPException(422, str(exc)) from None

    def _file(viewer: Viewer, scenario: str, code: str, year: int | None, kind: str, amount: float, text: str) -> int:
        require(viewer, "akimat")
        v, p = _price(viewer, scenario, code, year, kind, amount)
        try:
            return rq.file_request(st, scenario, v.version, code, own_region(viewer), p["year"], kind, amount, text, p,
                                   signed_in(viewer))
        except InterbudgetError as exc:
            raise HTTPException(422, str(exc)) from None

    def _event(rid: int, kind: str, text: str, viewer: Viewer) -> int:
        r = _visible(rid, viewer)
        if kind in ("granted", "refused", "reopened"):
            require(viewer, "commission")
        elif kind != "comment":
            raise HTTPException(422, f"unknown action '{kind}': comment, granted, refused or reopened")
        try:
            return rq.add_event(st, r["id"], kind, text, signed_in(viewer))
        except Conflict as exc:
            raise HTTPException(409, str(exc)) from None
        except InterbudgetError as exc:
            raise HTTPException(422, str(exc)) from None

    def _list(viewer: Viewer, scenario: str | None = None) -> list[dict]:
        require(viewer, "analyst", "commission", "akimat")
        return rq.requests(st, region=None if viewer.sees_everything else viewer.region, scenario=scenario)

    def _number(value, what: str) -> float:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise HTTPException(422, f"{what} '{value}' is not a number") from None

    def _year(value) -> int | None:
        if value in (None, ""):
            return None
        if isinstance(value, bool) or not str(value).strip().isdigit():
            raise HTTPException(422, f"year '{value}' is not a year")
        return int(value)

    # ---- API ---------------------------------------------------------------------------------------
    @app.get("/api/requests")
    def api_requests(scenario: str | None = None, viewer: Viewer = viewer_dep) -> list[dict]:
        """Requests softening the budget constraint that this user may see, newest first, each with its price."""
        return plain(_list(viewer, scenario))

    @app.get("/api/requests/price")
    def api_price(scenario: str, code: str, kind: str = Query(..., pattern="^(" + "|".join(REQUEST_KINDS) + ")$"),
                  amount: float = Query(..., gt=0), year: int | None = None, viewer: Viewer = viewer_dep) -> dict:
        """What granting a request would cost the republic and do to the fixed amounts, before filing it."""
        require(viewer, "analyst", "commission", "akimat")
        return _price(viewer, scenario, code, year, kind, amount)[1]

    @app.get("/api/requests/{rid}")
    def api_request(rid: int, viewer: Viewer = viewer_dep) -> dict:
        return plain(_visible(rid, viewer))

    @app.post("/api/requests", status_code=201)
    def api_file(request: Request, body: dict = Body(..., examples=[{"scenario": "bad-year-2027", "code": "430000000", "year": 2027,
                 "kind": "lower_withdrawal", "amount": 1000000, "text": "oil revenue fell short"}]), viewer: Viewer = viewer_dep) -> dict:
        """File a request (an akimat, on one of its own budgets); it is priced as it is filed."""
        check_csrf(viewer, request)
        rid = _file(viewer, str(body.get("scenario", "")), str(body.get("code", "")), _year(body.get("year")), str(body.get("kind", "")),
                    _number(body.get("amount"), "amount"), str(body.get("text", "")))
        return {"request": rid, "price": rq.request(st, rid)["price"]}

    @app.post("/api/requests/{rid}/events", status_code=201)
    def api_event(request: Request, rid: int, body: dict = Body(..., examples=[{"kind": "comment", "text": "..."}]),
                  viewer: Viewer = viewer_dep) -> dict:
        """A comment (any who may see it), or the commission's decision: granted, refused, reopened."""
        check_csrf(viewer, request)
        return {"event": _event(rid, str(body.get("kind", "")), str(body.get("text", "")), viewer)}

    # ---- pages -------------------------------------------------------------------------------------
    @app.get("/requests", response_class=HTMLResponse, include_in_schema=False)
    def requests_page(request: Request, lang: str = "en", viewer: Viewer = viewer_dep):
        rows = _list(viewer)
        return site.page(request, "requests.html", lang, viewer, rows=rows, kinds=REQUEST_KINDS)

    @app.get("/requests/{rid}", response_class=HTMLResponse, include_in_schema=False)
    def request_page(request: Request, rid: int, lang: str = "en", viewer: Viewer = viewer_dep):
        r = _visible(rid, viewer)
        h = wb.ds.hierarchy
        name = h.name(h.unit_index()[r["unit_code"]], lang) if r["unit_code"] in h.unit_index() else ""
        return site.page(request, "request.html", lang, viewer, r=r, unit_name=name)

    @app.post("/requests", include_in_schema=False)
    async def file_form(request: Request, viewer: Viewer = viewer_dep):
        require(viewer, "akimat")
        form = await request.form(max_files=0, max_fields=20)
        check_csrf(viewer, request, str(form.get("csrf_token", "")))
        rid = _file(viewer, str(form.get("scenario", "")), str(form.get("code", "")), _year(str(form.get("year", "")).strip()),
                    str(form.get("kind", "")), _number(form.get("amount"), "amount"), str(form.get("text", "")))
        return RedirectResponse(f"/requests/{rid}?lang={form.get('lang', 'en')}", status_code=303)

    @app.post("/requests/{rid}/events", include_in_schema=False)
    async def event_form(request: Request, rid: int, viewer: Viewer = viewer_dep):
        require(viewer, "analyst", "commission", "akimat")
        form = await request.form(max_files=0, max_fields=20)
        check_csrf(viewer, request, str(form.get("csrf_token", "")))
        _event(rid, str(form.get("kind", "comment")), str(form.get("text", "")), viewer)
        return RedirectResponse(f"/requests/{rid}?lang={form.get('lang', 'en')}", status_code=303)
