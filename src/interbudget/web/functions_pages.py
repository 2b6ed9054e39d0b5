"""The registry of state functions (§3.1-3.2): /api/functions and the /functions page."""
from __future__ import annotations

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse

from .access import Viewer


def register(app: FastAPI, site, reg) -> None:
    """REG: the loaded functions registry, or None when the server serves none."""
    from ..functions.audit import audit
    from ..functions.criteria import recommend

    viewer_dep = Depends(site.viewer)

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
