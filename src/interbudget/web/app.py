"""FastAPI application: server-rendered pages (Jinja) and a JSON API with OpenAPI docs at /docs.

Read pages and the read API are here; the workbench's state-changing parts (login, the scenario editor, runs,
objections) live in `work.py` and `objections.py`. Every route asks `access.py` what the viewer may see.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path
from urllib.parse import quote

import numpy as np
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..basis import rule_filled_cached
from ..rules.status import budget_status
from ..engine import Result
from ..errors import InterbudgetError
from ..explain import basis_line, explain, render
from ..hierarchy import LEVELS
from ..i18n import LANGUAGES, catalog, fmt_amount
from ..store import Store
from .common import TEMPLATES, lang_ok, no_nan, plain  # noqa: F401 — also used by the page modules, from .common
from .names import localise, unit_name, unmark
from .navigation import budget_url, is_leaf_budget, notes, trail
from .access import PUBLIC, View, Viewer, objection_visible, region_of, unit_allowed, visible_scenarios
from .security import attachment_header, viewer_of
from .workbench import Workbench


MAX_AMENDMENTS = 5


def numbers(lang: str) -> dict:
    """Number formatters for the templates, per locale; round first so that -0.0 never shows."""
    return {"amount": lambda x: "—" if x is None else fmt_amount(round(x, 1) + 0.0, lang),
            "count": lambda x: fmt_amount(x, lang)[:-2],
            "ratio": lambda x: "—" if x is None or x != x else (f"{x:.2f}" if lang == "en" else f"{x:.2f}".replace(".", ","))}


class Site:
    """What every route needs: the workbench, the viewer of a request, and page rendering."""

    def __init__(self, wb: Workbench, secure_cookies: bool, trusted_proxies: tuple = ()):
        self.wb, self.secure, self.trusted = wb, secure_cookies, trusted_proxies
        self.default = "current-law"
        self.published_law = self._published_law(wb.dataset_path)

    def viewer(self, request: Request) -> Viewer:
        return viewer_of(self.wb.store, request)

    def page(self, request: Request, template: str, lang: str, viewer: Viewer, status_code: int = 200, **context):
        lang = lang_ok(lang)
        cat = catalog(lang)
        return TEMPLATES.TemplateResponse(request, template, {
            "t": {**cat["web"], **cat["workbench"], **cat["truthful"], **cat["requests"], **cat["safety"]}, "cat": cat, "levels": cat["levels"], "lang": lang, "langs": LANGUAGES, "viewer": viewer,
            **numbers(lang), **context}, status_code=status_code)

    def default_for(self, viewer: Viewer) -> str:
        names = [sc["name"] for sc, _ in visible_scenarios(viewer, self.wb.store.scenarios())]
        if not names:
            raise HTTPException(404, "no scenario is published yet")
        return self.default if self.default in names else names[0]

    @staticmethod
    def _published_law(folder: Path) -> dict[str, list[dict]]:
        """Every published general-transfer figure of the dataset (transfers_published.csv), by budget code."""
        out: dict[str, list[dict]] = {}
        path = folder / "transfers_published.csv"
        if path.is_file():
            with path.open(encoding="utf-8") as fh:
                for r in csv.DictReader(fh):
                    if not r.get("amount"):  # a year the sources name without a figure
                        continue
                    out.setdefault(r["code"], []).append({"year": int(r["year"]), "type": r["type"], "amount": float(r["amount"]),
                                                          "legal_act": r.get("legal_act", ""), "source": r.get("source", "")})
        return out


def year_pos(res: Result, year: int | None) -> int:
    if year is None:
        return 0
    if year not in res.years:
        raise HTTPException(404, f"year {year} is not among the scenario's years {res.years}")
    return res.years.index(year)


def budget_rows(res: Result, k: int, parent: str | None, lang: str, region: str | None) -> list[dict]:
    """The budgets directly below PARENT (the regions when none), one row each; REGION limits them to one region."""
    h = res.hierarchy
    if parent is None:
        sel = np.flatnonzero(h.b_level == LEVELS.index("region"))
    else:
        idx = h.unit_index()
        if parent not in idx or not unit_allowed(h, parent, region):
            raise HTTPException(404, f"unknown unit code '{parent}'")
        u = idx[parent]
        lvl = int(h.level[u])
        if lvl + 1 >= len(LEVELS):
            return []
        sel = np.flatnonzero((h.b_level == lvl + 1) & (h.anc[lvl][h.budget_units] == u))
    if region is not None and sel.size:
        sel = sel[region_of(h, h.b_codes[sel]) == region]
    tr = res.transfers
    marks = rule_filled_cached(str(res.dataset.folder))
    # needs-adjusted capacity of the territory (the budget and every budget below it): its revenue per unit of need,
    # before and after its transfers with the level above (flows inside the territory cancel)
    lvl = int(h.b_level[sel[0]]) if sel.size else 0
    owner = h.anc[lvl][h.budget_units]
    inside = owner >= 0
    rev_t = np.bincount(owner[inside], weights=res.plan.revenue[inside, k], minlength=h.n)
    need_t = np.bincount(owner[inside], weights=res.needs[inside, k], minlength=h.n)
    out = []
    for b in sel.tolist():
        u = int(h.budget_units[b])
        sub, wd = float(tr.subvention[b, k]), float(tr.withdrawal[b, k])
        rev, need = float(rev_t[u]), float(need_t[u])
        out.append({"code": h.b_codes[b], "name": unit_name(h, u, lang), "level": LEVELS[h.b_level[b]],
                    "territory_needs": need, "territory_revenue": rev, "rule_filled": (h.b_codes[b], res.years[k]) in marks,
                    "population": float(h.population[u]), "needs": float(res.needs[b, k]),
                    "revenue": float(res.plan.revenue[b, k]), "subvention": sub, "withdrawal": wd,
                    "balance": float(res.plan.balance[b, k]), "status": budget_status(sub, wd),
                    # needs-adjusted capacity: revenue per unit of need, before and after transfers
                    "capacity_before": rev / need if need else None,
                    "capacity_after": (rev + sub - wd) / need if need else None})
    return sorted(out, key=lambda r: r["code"])


def restrict_compare(data: dict, allowed: set[str]) -> dict:
    """A comparison cut to one region's budgets: no national aggregate of a draft leaves the ministry."""
    from ..analysis.compare import movers

    out = dict(data, regions=[r for r in data["regions"] if r["code"] in allowed], comparisons=[])
    for c in data["comparisons"]:
        rows = [r for r in c["rows"] if r["code"] in allowed]
        out["comparisons"].append(dict(c, rows=rows, bands=[], **movers(rows),
                                       transitions={k: [x for x in v if x in allowed] for k, v in c["transitions"].items()}))
    return out


def create_app(dataset: Path, scenarios: Path | None = None, registry: Path | None = None, store: Store | str | Path | None = None,
               secure_cookies: bool = True, trusted_proxies: list[str] | tuple[str, ...] = (), recover_runs: bool = True,
               programme: Path | None = None) -> FastAPI:
    """The workbench on DATASET; scenarios of the folder SCENARIOS are imported into STORE (a DuckDB file, a
    PostgreSQL URL or an open Store; an in-memory DuckDB when None) and published. RECOVER_RUNS: runs a previous
    server left queued or running are marked failed (interrupted) (off in the worker processes of `serve --workers`,
    whose parent did it once). PROGRAMME: the reform's programme folder shown at /programme (default programme/kz)."""
    from ..functions.audit import audit
    from ..functions.criteria import recommend
    from ..functions.registry import load_registry

    if not isinstance(store, Store):
        store = Store.open(store if store is not None else ":memory:")
    reg = load_registry(registry) if registry else None
    wb = Workbench(dataset, store, scenarios, reg)
    from .security import trusted_networks

    site = Site(wb, secure_cookies, trusted_networks(trusted_proxies))
    app = FastAPI(title="interbudget", description="Inter-budgetary relations: budgets, transfers, scenarios, runs and "
                  "objections. Reading published scenarios needs no login; POST /api/login opens a session (cookie) "
                  "and returns the CSRF token that every state-changing call sends as X-CSRF-Token.", docs_url=None, redoc_url=None)
    app.state.workbench = wb
    if recover_runs:
        wb.recover_runs()
    app.router.on_shutdown.append(wb.close)  # a clean stop ends the run workers too
    from .guard import RequestGuard

    app.add_middleware(RequestGuard)
    viewer_dep = Depends(site.viewer)

    @app.get("/api/scenarios")
    def api_scenarios(viewer: Viewer = viewer_dep) -> list[dict]:
        """The scenarios this viewer may see, with the version it sees."""
        return [{"name": sc["name"], "version": v.version, "latest": sc["latest"] if viewer.sees_everything else v.version,
                 "published": sc["published"], "limited_to_region": v.region,
                 **({"shared_with": sc["shared_with"]} if viewer.role == "analyst" else {})}
                for sc, v in visible_scenarios(viewer, wb.store.scenarios())]

    def budgets_of(v: View, res: Result, year: int | None, parent: str | None, lang: str) -> dict:
        k = year_pos(res, year)
        return {"scenario": v.name, "version": v.version, "year": res.years[k], "unit": "thousand tenge",
                "budgets": no_nan(budget_rows(res, k, parent, lang_ok(lang), v.region))}

    def explained(v: View, res: Result, code: str, year: int | None, lang: str) -> dict:
        if not unit_allowed(res.hierarchy, code, v.region):
            raise HTTPException(404, f"unknown budget code '{code}'")
        from .projection import explanation

        try:
            return no_nan(explanation(explain(res, code, res.years[year_pos(res, year)], lang=lang_ok(lang)), v.region))
        except InterbudgetError as exc:
            raise HTTPException(404, str(exc)) from None

    @app.get("/api/scenarios/{scenario}/budgets")
    def api_budgets(scenario: str, year: int | None = None, parent: str | None = None, lang: str = "en",
                    version: int | None = Query(None, ge=1), viewer: Viewer = viewer_dep) -> dict:
        v = wb.view(viewer, scenario, version)
        return budgets_of(v, wb.result(v), year, parent, lang)

    @app.get("/api/scenarios/{scenario}/budgets/{code}")
    def api_explain(scenario: str, code: str, year: int | None = None, lang: str = "en", version: int | None = Query(None, ge=1),
                    viewer: Viewer = viewer_dep) -> dict:
        v = wb.view(viewer, scenario, version)
        return explained(v, wb.result(v), code, year, lang)

    def _download(body: bytes, media: str, filename: str) -> Response:
        return Response(body, media_type=media, headers=attachment_header(filename))

    def _full_report_only(v: View) -> None:
        if v.region is not None:
            raise HTTPException(403, "the full report of a draft is for the ministry; your region's figures are in budgets.csv")

    @app.get("/download/{scenario}/budgets.csv")
    def download_csv(scenario: str, version: int | None = Query(None, ge=1), viewer: Viewer = viewer_dep):
        """budgets.csv of the run, as `simulate` writes it (METHOD.md columns); a region's rows only for a shared draft."""
        import pyarrow as pa
        import pyarrow.compute as pc

        from ..output import budgets_table, csv_bytes

        v = wb.view(viewer, scenario, version)
        res = wb.result(v)
        table = budgets_table(res)
        if v.region is not None:
            h = res.hierarchy
            allowed = h.codes[region_of(h, h.codes) == v.region].tolist()
            table = table.filter(pc.is_in(table["code"], value_set=pa.array(allowed)))
        return _download(csv_bytes(table), "text/csv; charset=utf-8", f"{scenario}-budgets.csv")

    @app.get("/download/{scenario}/report.xlsx")
    def download_xlsx(scenario: str, lang: str = "en", version: int | None = Query(None, ge=1), viewer: Viewer = viewer_dep):
        """The Excel workbook of the run (the law's layout), as `report` writes it."""
        import tempfile

        from ..reports.excel import write_workbook
        from .reconcile import published_reconciliation

        v = wb.view(viewer, scenario, version)
        _full_report_only(v)
        res = wb.result(v)
        with tempfile.TemporaryDirectory() as tmp:
            rec = published_reconciliation(res, dataset, lang)
            body = write_workbook(res, Path(tmp) / "report.xlsx", lang_ok(lang), app.state.programme_report(res), rec).read_bytes()
        return _download(body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"{scenario}-report.xlsx")

    @app.get("/download/{scenario}/report.html")
    def download_html(scenario: str, lang: str = "en", version: int | None = Query(None, ge=1), viewer: Viewer = viewer_dep):
        """The standalone HTML report (charts, and maps where the dataset has geo/) in LANG, as `report` writes it."""
        import tempfile

        from ..analysis.metrics import metrics
        from ..reports.html import write_html

        v = wb.view(viewer, scenario, version)
        _full_report_only(v)
        res = wb.result(v)
        geo = Path(dataset) / "geo"
        with tempfile.TemporaryDirectory() as tmp:
            page = write_html(res, Path(tmp) / "report.html", metrics(res, 0, f"{scenario}@v{v.version}"), None,
                              geo if geo.is_dir() else None, app.state.programme_report(res), lang_ok(lang))
            return _download(page.read_bytes(), "text/html; charset=utf-8", f"{scenario}-report.html")

    @app.get("/", response_class=HTMLResponse)
    def dashboard(request: Request, scenario: str = Query(None), year: int | None = None, parent: str | None = None,
                  lang: str = "en", version: int | None = Query(None, ge=1), viewer: Viewer = viewer_dep):
        scenario = scenario or site.default_for(viewer)
        v = wb.view(viewer, scenario, version)
        res = wb.result(v)
        data = budgets_of(v, res, year, parent, lang)
        h = res.hierarchy
        up, parent_name = None, ""
        if parent is not None:  # api_budgets has checked the code
            u = h.unit_index()[parent]
            parent_name = unmark(unit_name(h, u, lang))
            pu = int(h.parent[u]) if h.parent[u] >= 0 else -1
            up = h.codes[h.budget_unit_of[pu]] if pu >= 0 and h.level[h.budget_unit_of[pu]] > 0 else ""
        rows = data["budgets"]
        if parent is not None and is_leaf_budget(h, parent):  # a rural okrug: its own page, not an empty list
            return RedirectResponse(budget_url(parent, scenario, data["year"], lang, version), 303)
        summary = {"subvention": sum(r["status"] == "subvention" for r in rows), "donor": sum(r["status"] == "donor" for r in rows),
                   "neutral": sum(r["status"] == "neutral" for r in rows)}
        link = f"/?scenario={quote(scenario)}&year={data['year']}&lang={lang}" + (f"&version={version}" if version else "")
        geomap = _map(rows, parent, lambda c: f"{link}&parent={c}", lang)
        return site.page(request, "dashboard.html", lang, viewer, scenarios=[sc["name"] for sc, _ in
                         visible_scenarios(viewer, wb.store.scenarios())], scenario=scenario, view=v, years=res.years,
                         year=data["year"], parent=parent, parent_name=parent_name, up=up, rows=rows, summary=summary,
                         link=link, geomap=geomap, needs_basis=basis_line(res.dataset.needs_basis, lang),
                         crumbs=trail(h, parent, link, lang) if parent else [], **notes(
                             h, parent, not rows, lang, lambda c: budget_url(c, scenario, data["year"], lang, version)))

    def _map(rows: list[dict], parent: str | None, href, lang: str) -> str | None:
        geo = Path(dataset) / "geo"
        if not rows or not geo.is_dir():
            return None
        from .geomap import map_svg

        t = catalog(lang)["workbench"]
        # coloured by capacity before transfers: the disparity the transfers close (after them it is ~1 everywhere)
        values = {r["code"]: r["capacity_before"] for r in rows if r["capacity_before"] is not None}
        return map_svg(geo, values, {r["code"]: r["name"] for r in rows}, parent, href,
                       (t["capacity_before"], ""), numbers(lang)["ratio"])

    @app.get("/budget/{code}", response_class=HTMLResponse)
    def budget_page(request: Request, code: str, scenario: str = Query(None), year: int | None = None, lang: str = "en",
                    version: int | None = Query(None, ge=1), viewer: Viewer = viewer_dep):
        scenario = scenario or site.default_for(viewer)
        v = wb.view(viewer, scenario, version)
        res = wb.result(v)
        u = res.hierarchy.unit_index().get(code)
        if u is not None and not res.hierarchy.has_budget[u] and unit_allowed(res.hierarchy, code, v.region):
            # a unit without a budget of its own: the page that says so and links to the budget holding it
            return RedirectResponse(f"/?scenario={quote(scenario)}&parent={quote(code)}&lang={lang}"
                                    + (f"&year={year}" if year else "") + (f"&version={version}" if version else ""), 303)
        ex = explained(v, res, code, year, lang)
        objections = []
        if viewer.logged_in:
            objections = [o for o in wb.store.objections(scenario=scenario, unit_code=code) if objection_visible(viewer, o)]
        may_object = viewer.role == "akimat" and region_of(res.hierarchy, [code])[0] == viewer.region
        return site.page(request, "budget.html", lang, viewer, scenario=scenario, view=v, years=res.years, year=ex["year"],
                         code=code, leaf=is_leaf_budget(res.hierarchy, code), name=unmark(unit_name(res.hierarchy, res.hierarchy.unit_index()[code], lang)), text=render(ex, lang),
                         crumbs=trail(res.hierarchy, code, f"/?scenario={quote(scenario)}&year={ex['year']}&lang={lang}"
                                      + (f"&version={version}" if version else ""), lang), history=history(viewer, v, res, code),
                         objections=objections, may_object=may_object,
                         rule_years=sorted(y for c, y in rule_filled_cached(str(res.dataset.folder)) if c == code))

    def history(viewer: Viewer, v: View, res: Result, code: str) -> dict:
        """The budget's transfers by year: published in law (where the sources give them), under the published
        current law, under this scenario; and this scenario's earlier versions."""
        h = res.hierarchy
        def net_of(r: Result) -> dict[int, float]:
            b = r.hierarchy.b_codes.tolist()
            if code not in b:
                return {}
            i = b.index(code)
            return {y: float(r.transfers.subvention[i, k] - r.transfers.withdrawal[i, k]) for k, y in enumerate(r.years)}
        law = {}
        for row in site.published_law.get(code, []):
            sign = -1.0 if row["type"] == "withdrawal" else 1.0
            law[row["year"]] = law.get(row["year"], 0.0) + sign * row["amount"]
        sources: dict[str, list[int]] = {}
        for row in site.published_law.get(code, []):
            sources.setdefault(row["source"], []).append(row["year"])
        law_source = [f"{min(ys)}{'-' + str(max(ys)) if max(ys) != min(ys) else ''}: {src}" for src, ys in sources.items()]
        current = {}
        try:
            current = net_of(wb.result(wb.view(PUBLIC, site.default)))
        except HTTPException:  # no published current law
            pass
        this = net_of(res)
        years = sorted(set(law) | set(current) | set(this))
        versions = []
        if viewer.sees_everything:  # earlier versions are drafts: only for those who see every version
            for ver in range(max(1, v.version - 4), v.version):  # the four versions before this one
                try:
                    versions.append({"version": ver, "net": net_of(wb.result(wb.view(viewer, v.name, ver)))})
                except HTTPException:  # an older version that does not run on this dataset: left out
                    continue
        return {"years": years, "law": law, "law_source": law_source, "current": current, "this": this,
                "versions": versions, "unit_level": LEVELS[int(h.level[h.unit_index()[code]])]}

    @app.get("/api/compare")
    def api_compare(base: str = "current-law", draft: str = Query(...), amendment: list[str] = Query([]),
                    year: int | None = None, viewer: Viewer = viewer_dep) -> dict:
        """Current law (or any base) against a draft and amendments: net transfers per region, every budget's change,
        status changes, transfer and balance gains and losses, population bands. Each name may carry a version: `option-2@3`."""
        from ..analysis.compare import compare

        if len(amendment) > MAX_AMENDMENTS:
            raise HTTPException(422, f"at most {MAX_AMENDMENTS} amendments in one comparison")
        views = [wb.view(viewer, *_named_version(n)) for n in [base, draft, *amendment]]
        results = [wb.result(v) for v in views]
        labels = [f"{v.name}@{v.version}" if [w.name for w in views].count(v.name) > 1 else v.name for v in views]
        results = [_named(r, lab) for r, lab in zip(results, labels)]
        try:
            common = [y for y in results[0].years if all(y in r.years for r in results)]  # default: the first shared year
            data = compare(results, year if year is not None else (common or results[0].years)[0])
        except InterbudgetError as exc:
            raise HTTPException(404, str(exc)) from None
        limited = {v.region for v in views if v.region is not None}
        if limited:
            h = results[0].hierarchy
            region = next(iter(limited))
            data = restrict_compare(data, set(h.codes[region_of(h, h.codes) == region].tolist()))
        data["versions"] = {lab: v.version for lab, v in zip(labels, views)}
        return no_nan(data)

    @app.get("/compare", response_class=HTMLResponse)
    def compare_page(request: Request, draft: str = Query(None), base: str = "current-law", amendment: list[str] = Query([]),
                     year: int | None = None, lang: str = "en", viewer: Viewer = viewer_dep):
        names = [sc["name"] for sc, _ in visible_scenarios(viewer, wb.store.scenarios())]
        draft = draft or next((n for n in names if n != base), base)
        amendment = [a for a in amendment if a]
        data = api_compare(base, draft, amendment, year, viewer)
        data = localise(data, wb.ds.hierarchy, lang_ok(lang))  # the units' names in the reader's language
        years = wb.result(wb.view(viewer, *_named_version(base))).years
        return site.page(request, "compare.html", lang, viewer, scenarios=names, base=base, draft=draft, amendments=amendment,
                         years=years, data=data, max_amendments=MAX_AMENDMENTS)

    @app.get("/api/functions")
    def api_functions() -> dict:
        """The registry of state functions, the audit findings and the §3.2 recommendations."""
        if reg is None:
            raise HTTPException(404, "no functions registry is served (start with --registry)")
        functions = [{"id": f.id, "name": f.name, "group": f.group, "cofog": f.cofog, "type": f.type, "priority": f.priority,
                      "legal_basis": f.legal_basis, "inherent": f.inherent, "bodies": f.bodies, "finances": f.finances,
                      "executes": f.executes, "status": f.status, "source": f.source} for f in reg.functions.values()]
        return {"functions": functions, "audit": audit(reg), "recommendations": recommend(reg)}

    @app.get("/functions", response_class=HTMLResponse)
    def functions_page(request: Request, lang: str = "en", viewer: Viewer = viewer_dep):
        data = api_functions()
        return site.page(request, "functions.html", lang, viewer, **data, rec={r["function"]: r for r in data["recommendations"]},
                         proposals=app.state.proposals)

    from . import apidocs, commission, errors, objections, programme as programme_pages, proposals, reconcile, scorecard, work

    apidocs.register(app)
    errors.register(app, site)
    work.register(app, site)
    scorecard.register(app, site)
    objections.register(app, site)
    reconcile.register(app, site)
    proposals.register(app, site, registry, reg)
    programme_pages.register(app, site, registry, reg, programme)
    commission.register(app, site)
    from . import requests as soft_requests  # §1.7: requests that soften the budget constraint

    soft_requests.register(app, site)
    from . import language, search

    search.register(app, site)
    language.install(app)  # ?lang= > cookie > Accept-Language > en, for every page
    return app


def _named_version(text: str) -> tuple[str, int | None]:
    """'option-2@3' -> ('option-2', 3); 'option-2' -> ('option-2', None)."""
    name, _, ver = text.partition("@")
    if ver and not (ver.isascii() and ver.isdigit() and int(ver) >= 1):
        raise HTTPException(404, f"'{text}': write a version as name@number")
    return name, int(ver) if ver else None


def _named(res: Result, label: str) -> Result:
    """The result under another scenario name, for comparing two versions of one scenario."""
    if res.scenario.name == label:
        return res
    from dataclasses import replace

    return replace(res, scenario=res.scenario.model_copy(update={"name": label}))


def from_environment() -> FastAPI:
    """The app of `serve --workers N`: each uvicorn worker process builds it from INTERBUDGET_SERVE."""
    import os

    cfg = json.loads(os.environ["INTERBUDGET_SERVE"])
    return create_app(Path(cfg["dataset"]), Path(cfg["scenarios"]), Path(cfg["registry"]), cfg["store"], cfg["secure"],
                      cfg.get("trusted_proxies", ()), recover_runs=False,
                      programme=Path(cfg["programme"]) if cfg.get("programme") else None)
