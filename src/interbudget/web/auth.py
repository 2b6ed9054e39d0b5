"""Login and logout (form and JSON), and who a session is. Every POST checks its CSRF token (the login form its
own login-CSRF token)."""
from __future__ import annotations

from fastapi import Body, Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse

from ..store import TooManyAttempts
from .access import Viewer
from .common import see_other as _see_other
from .security import (
    SESSION_COOKIE,
    check_csrf,
    check_login_csrf,
    clear_session,
    client_address,
    login_token,
    set_login_cookie,
    set_session,
)


def register(app: FastAPI, site) -> None:
    wb = site.wb
    st = wb.store
    viewer_dep = Depends(site.viewer)

    # ---- login -------------------------------------------------------------------------------------
    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request, lang: str = "en", next: str = "/", viewer: Viewer = viewer_dep):
        token, fresh = login_token(request)
        resp = site.page(request, "login.html", lang, viewer, next=_local(next), error=None, csrf_login=token)
        if fresh:
            set_login_cookie(resp, token, site.secure)
        return resp

    @app.post("/login", include_in_schema=False)
    def login(request: Request, username: str = Form(...), password: str = Form(...), csrf_token: str = Form(""),
              next: str = Form("/"), lang: str = Form("en")):
        check_login_csrf(request, csrf_token)
        user = _authenticate(request, username, password)
        if user is None:
            return site.page(request, "login.html", lang, site.viewer(request), status_code=401, next=_local(next),
                             error="wrong", csrf_login=csrf_token)
        token, _ = st.open_session(user)
        resp = _see_other(_local(next) or "/")
        set_session(resp, token, site.secure)
        return resp

    def _authenticate(request: Request, username: str, password: str) -> dict | None:
        try:
            return st.authenticate(username, password, client_address(request, site.trusted))
        except TooManyAttempts as exc:
            raise HTTPException(429, str(exc)) from None

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request, csrf_token: str = Form(""), viewer: Viewer = viewer_dep):
        if viewer.logged_in:
            check_csrf(viewer, request, csrf_token)
            st.close_session(request.cookies[SESSION_COOKIE], viewer.username)
        resp = _see_other("/")
        clear_session(resp, site.secure)
        return resp

    @app.post("/api/login")
    def api_login(request: Request, credentials: dict = Body(..., examples=[{"username": "analyst", "password": "..."}])):
        """Open a session: sets the session cookie and returns the CSRF token for state-changing calls."""
        if not request.headers.get("content-type", "").startswith("application/json"):
            # a cross-site form cannot send JSON without a preflight: no login CSRF
            raise HTTPException(415, "send the credentials as application/json")
        user = _authenticate(request, str(credentials.get("username", "")), str(credentials.get("password", "")))
        if user is None:
            raise HTTPException(401, "wrong user name or password")
        token, csrf = st.open_session(user)
        resp = JSONResponse({"username": user["username"], "role": user["role"], "region": user["region"], "csrf_token": csrf})
        set_session(resp, token, site.secure)
        return resp

    @app.get("/api/me")
    def api_me(viewer: Viewer = viewer_dep) -> dict:
        """Who this session is (role 'public' without one)."""
        return {"username": viewer.username, "role": viewer.role, "region": viewer.region}


def _local(url: str) -> str:
    """Only a path on this site may follow a login (no open redirect)."""
    return url if url.startswith("/") and not url.startswith("//") and "\\" not in url else "/"
