"""Errors for people and for programs in one place: every HTTPException, request validation
error and InterbudgetError of any route goes through `answer`.

- An API call (a path under /api/, or a client that does not ask for HTML) gets JSON: {"detail": ...}.
- A browser gets a page in the viewer's language with the site's navigation; 401 sends it to the login page, which
  brings it back to where it was.
The viewer's language: `lang` in the address, else the remembered choice (cookie), else in the page it came from,
else Accept-Language, else English (web/language.py).
"""
from __future__ import annotations

from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import InterbudgetError

KNOWN = (400, 401, 403, 404, 405, 409, 413, 415, 422, 429)


def wants_html(request: Request) -> bool:
    """A person in a browser: a page, not JSON. API paths always answer JSON."""
    if request.url.path.startswith(("/api/", "/openapi.json")):
        return False
    return "text/html" in request.headers.get("accept", "")


def language_of(request: Request) -> str:
    from .language import of_request  # ?lang= > cookie > the referring page > Accept-Language > English

    return of_request(request)


def _back(request: Request) -> str:
    """Where the login should return to: this page (a GET), or the page the form was on."""
    if request.method == "GET":
        return request.url.path + (f"?{request.url.query}" if request.url.query else "")
    ref = urlsplit(request.headers.get("referer", ""))
    return (ref.path or "/") + (f"?{ref.query}" if ref.query else "")


def register(app: FastAPI, site) -> None:
    def answer(request: Request, status: int, detail, headers: dict | None = None):
        if not wants_html(request):
            return JSONResponse({"detail": jsonable_encoder(detail)}, status_code=status, headers=headers)
        lang = language_of(request)
        if status == 401:
            return RedirectResponse(f"/login?lang={lang}&next={quote(_back(request), safe='')}", status_code=303)
        problems = [str(d.get("msg", d)) if isinstance(d, dict) else str(d) for d in detail] if isinstance(detail, list) else [str(detail)]
        resp = site.page(request, "error.html", lang, site.viewer(request), status_code=status,
                         status=status if status in KNOWN else 500, problems=problems)
        resp.headers.update(headers or {})
        return resp

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(answer, request, exc.status_code, exc.detail, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        from starlette.concurrency import run_in_threadpool

        details = [{**e, "msg": f"{'.'.join(str(x) for x in e.get('loc', ()))}: {e.get('msg')}"} for e in exc.errors()]
        if not wants_html(request):
            return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
        return await run_in_threadpool(answer, request, 422, details)

    @app.exception_handler(InterbudgetError)
    async def bad_input(request: Request, exc: InterbudgetError):
        """Bad input a route did not turn into an HTTP answer itself: still the person's to fix, never a 500."""
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(answer, request, 422, str(exc))
