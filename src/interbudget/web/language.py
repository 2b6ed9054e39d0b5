"""The reader's language: which of kk, ru, en a page is written in.

Order of choice: the query's `?lang=` (a click on the language switch) > the `interbudget_lang` cookie (an earlier
choice) > the `lang=` of the page the reader came from (Referer) > the browser's `Accept-Language` (kk, ru, en;
q-values honoured, `kk-KZ` counts as kk) > English.

Every page route already takes `lang` as a query parameter; rather than teach each route the order above, the
middleware below writes the chosen language into the query of a GET page request that names none, so the routes and
templates (`<html lang="{{ lang }}">`, the links that carry `lang=`) need no change. An explicit `?lang=` is
remembered in a cookie. The JSON API (/api/...) keeps its own documented default: a program asks for a language.
"""
from __future__ import annotations

from urllib.parse import parse_qs, parse_qsl, urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..i18n import LANGUAGES

COOKIE = "interbudget_lang"
DEFAULT = "en"
YEAR = 365 * 24 * 3600
# paths a program reads (the API, its docs): their `lang` default stays as documented
_MACHINE = ("/api/", "/api", "/docs", "/openapi.json")


def accepted(header: str | None) -> str | None:
    """The supported language the Accept-Language HEADER prefers most (None when it names none of kk, ru, en).

    'ru-RU,ru;q=0.9,kk;q=0.95' -> 'kk'; a tag with q=0 is refused; ties go to the one written first."""
    best, best_q = None, 0.0
    for part in (header or "").split(","):
        tag, _, params = part.strip().partition(";")
        lang = tag.strip().lower().split("-")[0]
        if lang not in LANGUAGES:
            continue
        q = 1.0
        for p in params.split(";"):
            key, _, val = p.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(val)
                except ValueError:
                    q = 0.0  # a malformed weight: not a preference
        if q > best_q:
            best, best_q = lang, q
    return best


def cookie_lang(header: str | None) -> str | None:
    """The language remembered in the Cookie HEADER, if it is one of kk, ru, en."""
    for part in (header or "").split(";"):
        key, _, val = part.strip().partition("=")
        if key == COOKIE and val.strip() in LANGUAGES:
            return val.strip()
    return None


def referred(referer: str | None) -> str | None:
    """The language of the page the reader came from (its `lang=`), if it names one of kk, ru, en."""
    lang = parse_qs(urlsplit(referer or "").query).get("lang", [""])[0]
    return lang if lang in LANGUAGES else None


def choose(query_lang: str | None, cookie: str | None, accept: str | None, referer: str | None = None) -> str | None:
    """query > cookie > the referring page's > Accept-Language; None when none names a language (the route's
    default, English, applies). A query naming an unknown language is the route's 404, not ours."""
    if query_lang:
        return query_lang
    return cookie_lang(cookie) or referred(referer) or accepted(accept)


def of_request(request) -> str:
    """The language of a Starlette REQUEST by the order above, English when nothing names one (the error pages)."""
    q = request.query_params.get("lang")
    h = request.headers
    return choose(q if q in LANGUAGES else None, h.get("cookie"), h.get("accept-language"), h.get("referer")) or DEFAULT


class LanguageMiddleware:
    """Puts the reader's language into the query of every GET page request that names none; remembers a `?lang=`
    the reader chose in a cookie (a preference, not a credential: readable by scripts, sent over plain HTTP too)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or scope["path"].startswith(_MACHINE):
            return await self.app(scope, receive, send)
        query = scope.get("query_string", b"")
        given = [v for k, v in parse_qsl(query.decode("latin-1"), keep_blank_values=True) if k == "lang"]
        if given:
            chosen = given[-1]
            if chosen not in LANGUAGES:  # the route answers 404 with the list of languages
                return await self.app(scope, receive, send)
            return await self.app(scope, receive, _remembering(send, chosen))
        headers = dict(scope.get("headers") or [])
        lang = choose(None, *(headers.get(k, b"").decode("latin-1") for k in (b"cookie", b"accept-language", b"referer")))
        if lang is None:  # nothing names a language: the route's default
            return await self.app(scope, receive, _varying(send))
        scope = dict(scope, query_string=(query + b"&" if query else b"") + b"lang=" + lang.encode())
        return await self.app(scope, receive, _varying(send))


def _varying(send: Send) -> Send:
    async def inner(msg: Message) -> None:
        if msg["type"] == "http.response.start":
            msg = dict(msg, headers=[*msg.get("headers", []), (b"vary", b"Accept-Language, Cookie")])
        await send(msg)
    return inner


def _remembering(send: Send, lang: str) -> Send:
    cookie = f"{COOKIE}={lang}; Path=/; Max-Age={YEAR}; SameSite=Lax".encode()

    async def inner(msg: Message) -> None:
        if msg["type"] == "http.response.start":
            msg = dict(msg, headers=[*msg.get("headers", []), (b"set-cookie", cookie)])
        await send(msg)
    return inner


def install(app) -> None:
    """The language middleware on APP (create_app calls it once)."""
    app.add_middleware(LanguageMiddleware)
