"""The read API of budgets: the scenarios a viewer may see, one level of budgets, one budget explained."""
from __future__ import annotations

from fastapi import Depends, FastAPI, Query

from .access import Viewer, visible_scenarios
from .budget_rows import budgets_of, explained


def register(app: FastAPI, site) -> None:
    wb = site.wb
    viewer_dep = Depends(site.viewer)

    @app.get("/api/scenarios")
    def api_scenarios(viewer: Viewer = viewer_dep) -> list[dict]:
        """The scenarios this viewer may see, with the version it sees."""
        return [{"name": sc["name"], "version": v.version, "latest": sc["latest"] if viewer.sees_everything else v.version,
                 "published": sc["published"], "limited_to_region": v.region,
                 **({"shared_with": sc["shared_with"]} if viewer.role == "analyst" else {})}
                for sc, v in visible_scenarios(viewer, wb.store.scenarios())]

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
