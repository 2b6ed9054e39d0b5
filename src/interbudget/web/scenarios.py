"""The scenario editor: the list of scenarios, a new draft, editing with versions (a save that lost a race is
refused), the version history, publication and sharing with a region. Every POST checks the session's CSRF token."""
from __future__ import annotations

import json
from dataclasses import replace

from fastapi import Body, Depends, FastAPI, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from ..i18n import catalog
from ..store import Conflict, NotFound
from . import editor
from .access import Viewer, require, unit_allowed
from .common import lang_ok, plain, see_other as _see_other
from .security import check_csrf
from .validator_text import translated


def register(app: FastAPI, site) -> None:
    wb = site.wb
    st = wb.store
    viewer_dep = Depends(site.viewer)
    taxes = list(wb.ds.taxes)
    region_codes = {code for code, _ in wb.regions()}

    # ---- scenarios: list, create, edit, versions ----------------------------------------------------
    @app.get("/scenarios", response_class=HTMLResponse, include_in_schema=False)
    def scenarios_page(request: Request, lang: str = "en", viewer: Viewer = viewer_dep):
        require(viewer, "analyst", "commission", "akimat")
        from .access import visible_scenarios

        rows = [dict(sc, view=v) for sc, v in visible_scenarios(viewer, st.scenarios())]
        return site.page(request, "scenarios.html", lang, viewer, rows=rows, error=None)

    @app.post("/scenarios", include_in_schema=False)
    def create_page(request: Request, name: str = Form(...), base: str = Form(...), csrf_token: str = Form(""),
                    lang: str = Form("en"), viewer: Viewer = viewer_dep):
        check_csrf(viewer, request, csrf_token)
        require(viewer, "analyst")
        _create(name, base, viewer)
        return _see_other(f"/scenarios/{name}/edit?lang={lang}")

    def _create(name: str, base: str, viewer: Viewer) -> dict:
        name = name.strip()
        if not name or not all(c.isalnum() or c in "-_." for c in name) or len(name) > 80:
            raise HTTPException(422, f"scenario name '{name}': use letters, digits, '-', '_' or '.' (at most 80)")
        b = wb.view(viewer, base)
        doc = dict(st.content(base, b.version), name=name)
        try:
            st.create_scenario(name, wb.dataset_name, doc, viewer.username, base=base, base_version=b.version,
                               note=f"from {base} v{b.version}")
        except Conflict as exc:
            raise HTTPException(409, str(exc)) from None
        return {"name": name, "version": 1, "base": base, "base_version": b.version}

    @app.post("/api/scenarios", status_code=201)
    def api_create(request: Request, body: dict = Body(..., examples=[{"name": "my-draft", "base": "current-law"}]),
                   viewer: Viewer = viewer_dep) -> dict:
        """A new draft scenario: a copy of BASE (its version 1 is stored as a diff of BASE)."""
        check_csrf(viewer, request)
        require(viewer, "analyst")
        return _create(str(body.get("name", "")), str(body.get("base", site.default)), viewer)

    @app.get("/scenarios/{scenario}/edit", response_class=HTMLResponse, include_in_schema=False)
    def edit_page(request: Request, scenario: str, lang: str = "en", viewer: Viewer = viewer_dep):
        require(viewer, "analyst")
        sc = wb.scenario(scenario)
        sc["latest"] = st.latest(scenario)  # as stored now: a save of another server process a moment ago included
        doc = st.content(scenario, sc["latest"])
        return _editor(request, lang, viewer, sc, sc["latest"], editor.form_values(doc, taxes), {}, None)

    def _editor(request, lang, viewer, sc, base_version, values, errors, message, status_code=200):
        return site.page(request, "editor.html", lang, viewer, status_code=status_code, sc=sc, base_version=base_version,
                         f=values, errors=errors, message=message, taxes=taxes, regions=wb.regions(),
                         versions=st.versions(sc["name"])[::-1][:10], runs=st.runs(sc["name"])[:5])

    @app.post("/scenarios/{scenario}/edit", include_in_schema=False)
    async def edit_save(request: Request, scenario: str, viewer: Viewer = viewer_dep):
        require(viewer, "analyst")  # before the body is read
        form = {k: str(v) for k, v in (await request.form(max_files=0)).items()}
        check_csrf(viewer, request, form.get("csrf_token"))
        lang = form.get("lang", "en")
        sc = wb.scenario(scenario)
        try:
            base_version = int(form.get("base_version", ""))
        except ValueError:
            raise HTTPException(422, "the form lost its base_version: reload the editor") from None
        old = st.content(scenario, min(base_version, sc["latest"]))
        doc, found = editor.parse_form(form, old, taxes, lang_ok(lang))
        errors = _check(doc, scenario, found, lang_ok(lang))
        if errors:
            return _editor(request, lang, viewer, sc, base_version, form, errors, None, status_code=422)
        try:
            v = st.save_version(scenario, base_version, doc, viewer.username, form.get("note") or None)
        except Conflict as exc:
            return _editor(request, lang, viewer, sc, base_version, form, {}, str(exc), status_code=409)
        if form.get("then") == "run":
            rid = wb.start_run(scenario, v, viewer.username)
            return _see_other(f"/runs/{rid}?lang={lang}")
        return _see_other(f"/scenarios/{scenario}/edit?lang={lang}&saved={v}")

    def _check(doc: dict, scenario: str, found: dict[str, str] | None = None, lang: str = "en") -> dict[str, str]:
        """Every problem at once, by form field: FOUND (reading the form), the validator's, and what stops the
        document from running on the dataset (the engine's checks, each also next to its field where it has one).
        The engine cannot run an invalid document: its years without receipts are told all the same."""
        errors = dict(found or {})
        say = catalog(lang)["editor_messages"]

        def add(field: str, msg: str) -> None:
            errors[field] = f"{errors[field]}; {msg}" if field in errors and msg not in errors[field] else msg

        for field, msg in editor.validate(doc, scenario, taxes).items():
            add(field, translated(msg, lang))  # the validator writes English: common messages in the page's language
        if errors:
            have = wb.ds.receipts.years()
            for y in [y for y in doc.get("years") or [] if isinstance(y, int) and y not in have]:
                add("years", say["no_receipts"].format(year=y, have=", ".join(map(str, sorted(have)))))
            return errors
        problems = wb.problems(doc, scenario)
        if problems:
            # the engine's checks write English too: in the page's language, as the validator's
            errors["scenario"] = say["does_not_run"] + "\n".join(str(replace(p, message=translated(p.message, lang))) for p in problems)
            for p in problems:
                if p.column:
                    add("years" if p.column == "year" else editor.field_of(p.column, taxes), translated(p.message, lang))
        return errors

    @app.get("/api/scenarios/{scenario}")
    def api_scenario(scenario: str, version: int | None = Query(None, ge=1), viewer: Viewer = viewer_dep) -> dict:
        """The scenario document at a version (the one this viewer sees by default), and its version list."""
        v = wb.view(viewer, scenario, version)
        sc = wb.scenario(scenario)
        from .projection import document

        content = st.content(scenario, v.version)
        if v.region is not None:  # a shared draft: its rules, not its national aggregates nor other regions' keys
            h = wb.ds.hierarchy
            content = document(content, v.region, lambda code: unit_allowed(h, code, v.region))
        out = {"name": scenario, "version": v.version, "published": sc["published"], "content": content}
        if viewer.sees_everything:
            out["versions"] = [{k: r[k] for k in ("version", "author", "created_at", "note", "diff")} for r in st.versions(scenario)]
            out["latest"] = sc["latest"]
        return plain(out)

    @app.put("/api/scenarios/{scenario}")
    def api_save(request: Request, scenario: str,
                 body: dict = Body(..., examples=[{"base_version": 1, "content": {"name": "x", "years": [2026], "option": 2}}]),
                 viewer: Viewer = viewer_dep):
        """Save a new version. `base_version` is the version the edit started from: if someone saved since, 409 and
        nothing is written. Problems come back as 422 with one message per field."""
        check_csrf(viewer, request)
        require(viewer, "analyst")
        wb.scenario(scenario)
        base, content = body.get("base_version"), body.get("content")
        if not isinstance(base, int) or isinstance(base, bool) or not isinstance(content, dict):
            raise HTTPException(422, "send {\"base_version\": <int>, \"content\": {scenario keys}}")
        content = dict(content, name=scenario)  # a version keeps its scenario's name
        errors = _check(content, scenario)
        if errors:
            return JSONResponse({"detail": "the scenario is not valid", "errors": errors}, status_code=422)
        try:
            v = st.save_version(scenario, base, content, viewer.username, body.get("note"))
        except Conflict as exc:
            raise HTTPException(409, str(exc)) from None
        except NotFound as exc:
            raise HTTPException(404, str(exc)) from None
        return {"name": scenario, "version": v}

    @app.get("/scenarios/{scenario}/versions", response_class=HTMLResponse, include_in_schema=False)
    def versions_page(request: Request, scenario: str, lang: str = "en", viewer: Viewer = viewer_dep):
        require(viewer, "analyst", "commission")
        sc = wb.scenario(scenario)
        return site.page(request, "versions.html", lang, viewer, sc=sc, versions=st.versions(scenario)[::-1],
                         dumps=lambda d: json.dumps(d, ensure_ascii=False, indent=1))

    # ---- publication and sharing --------------------------------------------------------------------
    def _publish(scenario: str, version: int | None, viewer: Viewer) -> dict:
        sc = wb.scenario(scenario)
        try:
            st.publish(scenario, version or sc["latest"], viewer.username)
        except NotFound as exc:
            raise HTTPException(404, str(exc)) from None
        return {"name": scenario, "published": version or sc["latest"]}

    def _share(scenario: str, region: str, shared: bool, viewer: Viewer) -> dict:
        wb.scenario(scenario)
        if region not in region_codes:
            raise HTTPException(422, f"unknown region code '{region}'")
        st.share(scenario, region, viewer.username, shared)
        return {"name": scenario, "shared_with": wb.scenario(scenario)["shared_with"]}

    @app.post("/api/scenarios/{scenario}/publish")
    def api_publish(request: Request, scenario: str, version: int | None = Query(None, ge=1), viewer: Viewer = viewer_dep) -> dict:
        """Publish a version (the latest by default): the public sees it from now on."""
        check_csrf(viewer, request)
        require(viewer, "analyst")
        return _publish(scenario, version, viewer)

    @app.post("/api/scenarios/{scenario}/share")
    def api_share(request: Request, scenario: str, region: str = Query(...), shared: bool = True,
                  viewer: Viewer = viewer_dep) -> dict:
        """Share a draft with one region's akimat (its own budgets only), or stop sharing it."""
        check_csrf(viewer, request)
        require(viewer, "analyst")
        return _share(scenario, region, shared, viewer)

    @app.post("/scenarios/{scenario}/publish", include_in_schema=False)
    def publish_form(request: Request, scenario: str, csrf_token: str = Form(""), version: int = Form(0),
                     lang: str = Form("en"), viewer: Viewer = viewer_dep):
        check_csrf(viewer, request, csrf_token)
        require(viewer, "analyst")
        _publish(scenario, version or None, viewer)
        return _see_other(f"/scenarios?lang={lang}")

    @app.post("/scenarios/{scenario}/share", include_in_schema=False)
    def share_form(request: Request, scenario: str, csrf_token: str = Form(""), region: str = Form(...),
                   shared: str = Form("yes"), lang: str = Form("en"), viewer: Viewer = viewer_dep):
        check_csrf(viewer, request, csrf_token)
        require(viewer, "analyst")
        _share(scenario, region, shared == "yes", viewer)
        return _see_other(f"/scenarios/{scenario}/edit?lang={lang}")
