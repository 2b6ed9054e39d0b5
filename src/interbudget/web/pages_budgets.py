"""The budget pages: the dashboard (/: one level of budgets with the map) and one budget (/budget/{code}: its
explanation, its transfers by year, its objections)."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from ..basis import rule_filled_cached
from ..engine import Result
from ..explain import render
from ..hierarchy import LEVELS
from . import mapscale, pictures
from .access import PUBLIC, View, Viewer, objection_visible, region_of, unit_allowed, visible_scenarios
from .budget_rows import AMOUNTS, budgets_of, explained, republic_row, totals_of, year_pos
from .common import unit_for
from .explain_text import basis_words
from .names import unit_name, unmark
from .navigation import budget_url, is_leaf_budget, notes, trail


def register(app: FastAPI, site) -> None:
    wb = site.wb
    dataset = wb.dataset_path
    viewer_dep = Depends(site.viewer)

    @app.get("/", response_class=HTMLResponse)
    def dashboard(request: Request, scenario: str = Query(None), year: int | None = None, parent: str | None = None,
                  lang: str = "en", version: int | None = Query(None, ge=1), show: str | None = None, viewer: Viewer = viewer_dep):
        if show and show not in mapscale.METRICS:  # a mistyped map choice is named, not silently replaced
            raise HTTPException(422, f"unknown map choice show={show!r}: choose one of {', '.join(mapscale.METRICS)}")
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
        republic = republic_row(res, year_pos(res, year), lang) if parent is None and v.region is None else None
        totals = totals_of(rows)
        unit = unit_for([r[key] for r in rows for key in AMOUNTS])  # one unit for the table, named in its headers
        return site.page(request, "dashboard.html", lang, viewer, scenarios=[sc["name"] for sc, _ in
                         visible_scenarios(viewer, wb.store.scenarios())], scenario=scenario, view=v, years=res.years,
                         year=data["year"], parent=parent, parent_name=parent_name, up=up, rows=rows, summary=summary,
                         link=link, totals=totals, republic=republic, unit=unit, needs_basis=basis_words(res.dataset.needs_basis, lang),
                         crumbs=trail(h, parent, link, lang) if parent else [], **notes(
                             h, parent, not rows, lang, lambda c: budget_url(c, scenario, data["year"], lang, version)),
                         **pictures.dashboard(res, year_pos(res, year), rows, parent, lambda c: f"{link}&parent={c}", lang,
                                              show or "", v.region, Path(dataset) / "geo"))

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
        ex = explained(v, res, code, year, lang, provenance=True)  # the plain explanation reads the stamps
        objections = []
        if viewer.logged_in:
            objections = [o for o in wb.store.objections(scenario=scenario, unit_code=code) if objection_visible(viewer, o)]
        may_object = viewer.role == "akimat" and region_of(res.hierarchy, [code])[0] == viewer.region
        return site.page(request, "budget.html", lang, viewer, scenario=scenario, view=v, years=res.years, year=ex["year"],
                         code=code, leaf=is_leaf_budget(res.hierarchy, code), name=unmark(unit_name(res.hierarchy, u, lang)), text=render(ex, lang),
                         crumbs=trail(res.hierarchy, code, f"/?scenario={quote(scenario)}&year={ex['year']}&lang={lang}"
                                      + (f"&version={version}" if version else ""), lang), history=(hist := history(viewer, v, res, code)),
                         history_unit=unit_for([x for d in (hist["law"], hist["current"], hist["this"], *(w["net"] for w in hist["versions"]))
                                                for x in d.values()]),
                         **pictures.budget(ex, hist, scenario, v.version, lang, res.dataset.folder),
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
        law: dict[int, float] = {}
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
