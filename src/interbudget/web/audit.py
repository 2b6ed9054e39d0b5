"""The audit log: who did what, when (analysts and the commission)."""
from __future__ import annotations

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse

from .access import Viewer, require
from .common import plain


def register(app: FastAPI, site) -> None:
    wb = site.wb
    st = wb.store
    viewer_dep = Depends(site.viewer)

    # ---- audit ---------------------------------------------------------------------------------------
    @app.get("/api/audit")
    def api_audit(limit: int = Query(200, ge=1, le=5000), viewer: Viewer = viewer_dep) -> list[dict]:
        """Who did what, when: newest first."""
        require(viewer, "analyst", "commission")
        return plain(st.audit_log(limit))

    @app.get("/audit", response_class=HTMLResponse, include_in_schema=False)
    def audit_page(request: Request, lang: str = "en", viewer: Viewer = viewer_dep):
        require(viewer, "analyst", "commission")
        return site.page(request, "audit.html", lang, viewer, rows=st.audit_log(300))
