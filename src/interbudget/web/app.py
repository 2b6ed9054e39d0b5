"""FastAPI application: server-rendered pages (Jinja) and a JSON API with OpenAPI docs at /docs.

This slice serves what the public may see: every scenario of a folder run on one dataset, budgets by
level with drill-down, and each budget's explanation in kk/ru/en. Runs are computed once per scenario
and kept in memory (a run of data/kz takes ~0.1 s); nothing is written.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

import numpy as np
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from ..analysis.compare import budget_status
from ..dataset import load_dataset
from ..engine import Result, run
from ..errors import InterbudgetError
from ..explain import explain, render
from ..hierarchy import LEVELS
from ..i18n import LANGUAGES, catalog, fmt_amount
from ..scenario import load_scenario

def numbers(lang: str) -> dict:
    """Number formatters for the templates, per locale; round first so that -0.0 never shows."""
    return {"amount": lambda x: "—" if x is None else fmt_amount(round(x, 1) + 0.0, lang),
            "count": lambda x: fmt_amount(x, lang)[:-2]}


TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
# the language switch keeps the page's other parameters
TEMPLATES.env.filters["replace_lang"] = lambda q, lg: "&".join(
    [f"{k}={quote(v)}" for k, v in q.items() if k != "lang"] + [f"lang={lg}"])


def create_app(dataset: Path, scenarios: Path, registry: Path | None = None) -> FastAPI:
    from ..functions.audit import audit
    from ..functions.criteria import recommend
    from ..functions.registry import load_registry

    ds = load_dataset(dataset)  # bad data fails here, before the server listens
    reg = load_registry(registry) if registry else None
    files = {p.stem: p for p in sorted(Path(scenarios).glob("*.yaml"))}
    if not files:
        raise InterbudgetError(f"{scenarios}: no scenario (*.yaml) to serve")
    for p in files.values():
        load_scenario(p)  # every scenario is validated at start, not on a visitor's click
    default = "current-law" if "current-law" in files else next(iter(files))
    app = FastAPI(title="interbudget", description="Inter-budgetary relations: budgets, transfers and their explanation.")

    @lru_cache(maxsize=None)
    def result(name: str) -> Result:
        if name not in files:
            raise HTTPException(404, f"unknown scenario '{name}' (one of {', '.join(files)})")
        return run(ds, load_scenario(files[name])[0], files[name].name)

    def year_pos(res: Result, year: int | None) -> int:
        if year is None:
            return 0
        if year not in res.years:
            raise HTTPException(404, f"year {year} is not among the scenario's years {res.years}")
        return res.years.index(year)

    def rows(res: Result, k: int, parent: str | None, lang: str) -> list[dict]:
        """The budgets directly below PARENT (the regions when none), one row each."""
        h = res.hierarchy
        if parent is None:
            sel = np.flatnonzero(h.b_level == LEVELS.index("region"))
        else:
            idx = h.unit_index()
            if parent not in idx:
                raise HTTPException(404, f"unknown unit code '{parent}'")
            u = idx[parent]
            lvl = int(h.level[u])
            if lvl + 1 >= len(LEVELS):
                return []
            units = h.budget_units
            sel = np.flatnonzero((h.b_level == lvl + 1) & (h.anc[lvl][units] == u))
        tr = res.transfers
        out = []
        for b in sel.tolist():
            u = int(h.budget_units[b])
            sub, wd = float(tr.subvention[b, k]), float(tr.withdrawal[b, k])
            out.append({"code": h.b_codes[b], "name": h.name(u, lang), "level": LEVELS[h.b_level[b]],
                        "population": float(h.population[u]), "needs": float(res.needs[b, k]),
                        "revenue": float(res.plan.revenue[b, k]), "subvention": sub, "withdrawal": wd,
                        "balance": float(res.plan.balance[b, k]),
                        "status": budget_status(sub, wd)})
        return sorted(out, key=lambda r: r["code"])

    def lang_ok(lang: str) -> str:
        if lang not in LANGUAGES:
            raise HTTPException(404, f"unknown language '{lang}': choose kk, ru or en")
        return lang

    @app.get("/api/scenarios")
    def api_scenarios() -> list[dict]:
        return [{"name": n, "file": p.name} for n, p in files.items()]

    @app.get("/api/scenarios/{scenario}/budgets")
    def api_budgets(scenario: str, year: int | None = None, parent: str | None = None, lang: str = "en") -> dict:
        res = result(scenario)
        k = year_pos(res, year)
        return {"scenario": scenario, "year": res.years[k], "unit": "thousand tenge",
                "budgets": rows(res, k, parent, lang_ok(lang))}

    @app.get("/api/scenarios/{scenario}/budgets/{code}")
    def api_explain(scenario: str, code: str, year: int | None = None, lang: str = "en") -> dict:
        res = result(scenario)
        try:
            return explain(res, code, res.years[year_pos(res, year)], lang=lang_ok(lang))
        except InterbudgetError as exc:
            raise HTTPException(404, str(exc)) from None

    @app.get("/download/{scenario}/budgets.csv")
    def download_csv(scenario: str):
        """budgets.csv of the run, as `simulate` writes it (METHOD.md columns)."""
        import tempfile

        from ..output import _write_csv, budgets_table

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "budgets.csv"
            _write_csv(budgets_table(result(scenario)), path)
            body = path.read_bytes()
        return Response(body, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{scenario}-budgets.csv"'})

    @app.get("/download/{scenario}/report.xlsx")
    def download_xlsx(scenario: str, lang: str = "en"):
        """The Excel workbook of the run (the law's layout), as `report` writes it."""
        import tempfile

        from ..reports.excel import write_workbook

        res = result(scenario)
        with tempfile.TemporaryDirectory() as tmp:
            body = write_workbook(res, Path(tmp) / "report.xlsx", lang_ok(lang)).read_bytes()
        return Response(body, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="{scenario}-report.xlsx"'})

    @app.get("/download/{scenario}/report.html")
    def download_html(scenario: str):
        """The standalone HTML report (charts, and maps where the dataset has geo/), as `report` writes it."""
        import tempfile

        from ..analysis.metrics import metrics
        from ..reports.html import write_html

        res = result(scenario)
        geo = Path(dataset) / "geo"
        with tempfile.TemporaryDirectory() as tmp:
            page = write_html(res, Path(tmp) / "report.html", metrics(res, 0, files[scenario].name), None,
                              geo if geo.is_dir() else None)
            body = page.read_bytes()
        return Response(body, media_type="text/html; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{scenario}-report.html"'})

    @app.get("/", response_class=HTMLResponse)
    def dashboard(request: Request, scenario: str = Query(None), year: int | None = None, parent: str | None = None,
                  lang: str = "en"):
        scenario = scenario or default
        data = api_budgets(scenario, year, parent, lang)
        res = result(scenario)
        h = res.hierarchy
        up, parent_name = None, ""
        if parent is not None:  # api_budgets has checked the code
            u = h.unit_index()[parent]
            parent_name = h.name(u, lang)
            pu = int(h.parent[u]) if h.parent[u] >= 0 else -1
            up = h.codes[h.budget_unit_of[pu]] if pu >= 0 and h.level[h.budget_unit_of[pu]] > 0 else ""
        return TEMPLATES.TemplateResponse(request, "dashboard.html", {
            "t": catalog(lang)["web"], "levels": catalog(lang)["levels"], "lang": lang, "langs": LANGUAGES,
            "scenarios": list(files), "scenario": scenario, "years": res.years, "year": data["year"], "parent": parent,
            "parent_name": parent_name, "up": up, "rows": data["budgets"],
            **numbers(lang)})

    @app.get("/budget/{code}", response_class=HTMLResponse)
    def budget_page(request: Request, code: str, scenario: str = Query(None), year: int | None = None, lang: str = "en"):
        scenario = scenario or default
        ex = api_explain(scenario, code, year, lang)
        res = result(scenario)
        return TEMPLATES.TemplateResponse(request, "budget.html", {
            "t": catalog(lang)["web"], "lang": lang, "langs": LANGUAGES, "scenario": scenario, "years": res.years,
            "year": ex["year"], "code": code, "name": ex["name"], "text": render(ex, lang)})

    def no_nan(x):
        """JSON has no NaN (a per-capita figure of an empty unit): null instead."""
        if isinstance(x, float):
            return None if x != x else x
        if isinstance(x, dict):
            return {k: no_nan(v) for k, v in x.items()}
        if isinstance(x, list):
            return [no_nan(v) for v in x]
        return x

    @app.get("/api/compare")
    def api_compare(base: str = "current-law", draft: str = Query(...), amendment: list[str] = Query([]),
                    year: int | None = None) -> dict:
        """Current law (or any base) against a draft and amendments: net transfers per region, every budget's change,
        status changes, winners and losers, population bands."""
        from ..analysis.compare import compare

        results = [result(n) for n in [base, draft, *amendment]]
        try:
            common = [y for y in results[0].years if all(y in r.years for r in results)]  # default: the first shared year
            return no_nan(compare(results, year if year is not None else (common or results[0].years)[0]))
        except InterbudgetError as exc:
            raise HTTPException(404, str(exc)) from None

    @app.get("/compare", response_class=HTMLResponse)
    def compare_page(request: Request, draft: str = Query(None), base: str = "current-law", year: int | None = None,
                     lang: str = "en"):
        draft = draft or next(n for n in files if n != base)
        data = api_compare(base, draft, [], year)
        return TEMPLATES.TemplateResponse(request, "compare.html", {
            "t": catalog(lang_ok(lang))["web"], "lang": lang, "langs": LANGUAGES, "scenarios": list(files), "base": base,
            "draft": draft, "years": result(base).years, "data": data, "c": data["comparisons"][0],
            **numbers(lang)})

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
    def functions_page(request: Request, lang: str = "en"):
        data = api_functions()
        return TEMPLATES.TemplateResponse(request, "functions.html", {
            "t": catalog(lang_ok(lang))["web"], "levels": catalog(lang)["levels"], "lang": lang, "langs": LANGUAGES, **data,
            "rec": {r["function"]: r for r in data["recommendations"]}})

    return app
