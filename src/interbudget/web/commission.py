"""The Commission's workflow (concept §3.2, conclusion): a body (an akimat, or a ministry analyst) submits a proposal;
the Commission reviews it sector by sector (the agenda, comments per sector) and decides it with reasons; an accepted
proposal becomes a new dated registry state with its priced effect on every budget; once the Commission publishes a
decision, the public sees the proposal, the decision and the new state. Roles, CSRF and visibility as access.py says."""
from __future__ import annotations

import yaml
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from ..errors import InterbudgetError
from ..i18n import catalog
from ..store import Conflict, NotFound
from ..store.commission import Commission
from .access import Viewer, commission_visible, require, signed_in
from .common import plain
from .security import check_csrf

TOP = 30


def register(app: FastAPI, site) -> None:
    wb = site.wb
    reg = wb.registry
    com = Commission(wb.store)
    viewer_dep = Depends(site.viewer)

    def _reg():
        if reg is None:
            raise HTTPException(404, "no functions registry is served (start with --registry)")
        return reg

    def _list(viewer: Viewer) -> list[dict]:
        if viewer.sees_everything:
            return com.proposals()
        if viewer.role == "akimat":
            return com.proposals(region=viewer.region)
        return com.proposals(published_only=True)

    def _visible(pid: int, viewer: Viewer) -> dict:
        try:
            p = com.proposal(pid)
        except NotFound:
            p = None
        if p is None or not commission_visible(viewer, p):
            raise HTTPException(404, f"unknown proposal {pid}")
        return p

    def _states(viewer: Viewer, lang: str = "en") -> list[dict]:
        """The registry's dated states: its own (states.csv) and the accepted proposals this viewer may see."""
        from ..functions.states import load_states

        own = [{"id": s.id, "name": s.name.get(lang) or s.name.get("en") or s.id, "effective_from": str(s.effective_from or ""),
                "effective_to": str(s.effective_to or ""), "source": s.source, "proposal": None}
               for s in load_states(_reg())[0].values()]
        accepted = [{"id": p["state_id"], "name": p["title"], "effective_from": p["effective_from"], "effective_to": "",
                     "source": f"accepted by the Commission: {p['reasons']}", "proposal": p["id"], "published": p["published"]}
                    for p in _list(viewer) if p["status"] == "accepted"]
        return own + accepted

    def _detail(p: dict, lang: str) -> dict:
        from ..functions.agenda import agenda, state_after
        from ..functions.states import diff

        r = _reg()
        doc = p["document"]
        before, after = state_after(r, doc)
        return {"agenda": agenda(r, doc, lang), "state_diff": diff(before, after),
                "reviews_by_sector": {s: [v for v in p["reviews"] if v["sector"] == s] for s in {v["sector"] for v in p["reviews"]}}}

    def _submit(viewer: Viewer, title: str, body: str, text: str) -> int:
        require(viewer, "akimat", "analyst")
        from ..functions.proposals import check_proposal

        r = _reg()
        if body not in r.bodies:
            raise HTTPException(422, f"unknown body '{body}' (registry bodies.csv)")
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise HTTPException(422, f"the proposal is not YAML: {exc}") from None
        try:
            doc = check_proposal(doc, r, "proposal", r.folder / "proposals" if r.folder else None)
            doc = {k: v for k, v in doc.items() if not k.startswith("_")}
            return com.submit(title or str(doc.get("name", "")), body, doc, signed_in(viewer),
                              viewer.region if viewer.role == "akimat" else None)
        except InterbudgetError as exc:
            raise HTTPException(422, str(exc)) from None

    def _decide(pid: int, viewer: Viewer, decision: str, reasons: str, scenario: str) -> None:
        require(viewer, "commission")
        p = _visible(pid, viewer)
        if p["status"] != "submitted":
            raise HTTPException(409, f"proposal {pid} is {p['status']} already")
        state = effective = effect = None
        if decision == "accepted":  # the new dated registry state, priced on every budget
            from ..functions.agenda import priced_effect
            from ..scenario import validate_scenario

            v = wb.view(viewer, scenario)
            try:
                s = validate_scenario(wb.store.content(scenario, v.version), f"{scenario} v{v.version}")
                effect = priced_effect(wb.ds, _reg(), p["document"], s, f"{scenario} v{v.version}")
            except InterbudgetError as exc:
                raise HTTPException(422, str(exc)) from None
            state, effective = f"commission-{pid}", f"{int(p['document']['effective_year'])}-01-01"
        try:
            com.decide(pid, decision, reasons, signed_in(viewer), state, effective, effect)
        except Conflict as exc:
            raise HTTPException(409, str(exc)) from None
        except InterbudgetError as exc:
            raise HTTPException(422, str(exc)) from None

    def _act(fn, *args) -> None:
        try:
            fn(*args)
        except Conflict as exc:
            raise HTTPException(409, str(exc)) from None
        except InterbudgetError as exc:
            raise HTTPException(422, str(exc)) from None

    # ---- API ---------------------------------------------------------------------------------------
    @app.get("/api/commission")
    def api_commission(viewer: Viewer = viewer_dep) -> list[dict]:
        """The Commission's proposals this viewer may see (the public: the published decisions), newest first."""
        return plain([{k: v for k, v in p.items() if k != "document"} for p in _list(viewer)])

    @app.get("/api/commission/states")
    def api_states(viewer: Viewer = viewer_dep) -> list[dict]:
        """The registry's dated states, with the accepted proposals' states this viewer may see."""
        return plain(_states(viewer))

    @app.get("/api/commission/{pid}")
    def api_proposal(pid: int, viewer: Viewer = viewer_dep) -> dict:
        """One proposal: its document, the reviews, the decision, the new state's diff and the priced effect."""
        p = _visible(pid, viewer)
        return plain({**p, **_detail(p, "en")})

    # ---- pages -------------------------------------------------------------------------------------
    def _page(request, template, lang, viewer, **ctx):
        c = catalog(lang if lang in ("kk", "ru", "en") else "en")["commission"]
        return site.page(request, template, lang, viewer, c=c, **ctx)

    @app.get("/commission", response_class=HTMLResponse, include_in_schema=False)
    def commission_page(request: Request, lang: str = "en", viewer: Viewer = viewer_dep):
        r = _reg()
        bodies = [(b.id, b.name.get(lang) or b.name.get("en") or b.id) for b in r.bodies.values()]
        return _page(request, "commission.html", lang, viewer, rows=_list(viewer), states=_states(viewer, lang), bodies=bodies,
                     body_names=dict(bodies))

    @app.get("/commission/{pid}", response_class=HTMLResponse, include_in_schema=False)
    def proposal_page(request: Request, pid: int, lang: str = "en", viewer: Viewer = viewer_dep):
        p = _visible(pid, viewer)
        eff = p["effect"]
        top = eff["budgets"][:TOP] if eff else []
        r = _reg()
        body = r.bodies.get(p["body"])
        return _page(request, "commission_proposal.html", lang, viewer, p=p, **_detail(p, lang), top=top, scenario=site.default,
                     body_name=(body.name.get(lang) or body.name.get("en")) if body else p["body"])

    @app.post("/commission", include_in_schema=False)
    async def submit_form(request: Request, viewer: Viewer = viewer_dep):
        require(viewer, "akimat", "analyst")
        form = await request.form(max_files=0, max_fields=20)
        check_csrf(viewer, request, str(form.get("csrf_token", "")))
        pid = _submit(viewer, str(form.get("title", "")), str(form.get("body", "")), str(form.get("document", "")))
        return RedirectResponse(f"/commission/{pid}?lang={form.get('lang', 'en')}", status_code=303)

    @app.post("/commission/{pid}/reviews", include_in_schema=False)
    async def review_form(request: Request, pid: int, viewer: Viewer = viewer_dep):
        require(viewer, "commission", "analyst", "akimat")
        form = await request.form(max_files=0, max_fields=20)
        check_csrf(viewer, request, str(form.get("csrf_token", "")))
        _visible(pid, viewer)
        _act(com.review, pid, str(form.get("sector", "")), str(form.get("text", "")), viewer.username)
        return RedirectResponse(f"/commission/{pid}?lang={form.get('lang', 'en')}", status_code=303)

    @app.post("/commission/{pid}/decision", include_in_schema=False)
    async def decision_form(request: Request, pid: int, viewer: Viewer = viewer_dep):
        require(viewer, "commission")
        form = await request.form(max_files=0, max_fields=20)
        check_csrf(viewer, request, str(form.get("csrf_token", "")))
        _decide(pid, viewer, str(form.get("decision", "")), str(form.get("reasons", "")),
                str(form.get("scenario", "")) or site.default)
        return RedirectResponse(f"/commission/{pid}?lang={form.get('lang', 'en')}", status_code=303)

    @app.post("/commission/{pid}/publish", include_in_schema=False)
    async def publish_form(request: Request, pid: int, viewer: Viewer = viewer_dep):
        require(viewer, "commission")
        form = await request.form(max_files=0, max_fields=20)
        check_csrf(viewer, request, str(form.get("csrf_token", "")))
        _visible(pid, viewer)
        _act(com.publish, pid, viewer.username)
        return RedirectResponse(f"/commission/{pid}?lang={form.get('lang', 'en')}", status_code=303)
