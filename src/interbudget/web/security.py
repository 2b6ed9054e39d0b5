"""Sessions and CSRF: a random token in an HttpOnly, Secure, SameSite=Lax cookie (the store keeps only its hash),
and a per-session CSRF token that every state-changing request must echo (form field `csrf_token` or header
`X-CSRF-Token`). The login form, before any session exists, uses a double-submit cookie."""
from __future__ import annotations

import hmac
import secrets

from fastapi import HTTPException, Request, Response

from ..store import Store
from .access import PUBLIC, Viewer

SESSION_COOKIE = "ib_session"
LOGIN_COOKIE = "ib_login"


def viewer_of(store: Store, request: Request) -> Viewer:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return PUBLIC
    row = store.session(token)
    if row is None:
        return PUBLIC
    return Viewer(row["username"], row["role"], row["region"], row["csrf"], row["display_name"])


def set_session(response: Response, token: str, secure: bool) -> None:
    response.set_cookie(SESSION_COOKIE, token, httponly=True, secure=secure, samesite="lax", path="/", max_age=8 * 3600)


def clear_session(response: Response, secure: bool) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", secure=secure, httponly=True, samesite="lax")


def login_token(request: Request) -> tuple[str, bool]:
    """The login form's token: the double-submit cookie's value, or a fresh one (True) to set."""
    value = request.cookies.get(LOGIN_COOKIE)
    return (value, False) if value else (secrets.token_urlsafe(24), True)


def set_login_cookie(response: Response, value: str, secure: bool) -> None:
    response.set_cookie(LOGIN_COOKIE, value, httponly=True, secure=secure, samesite="strict", path="/login")


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def check_login_csrf(request: Request, submitted: str | None) -> None:
    if not _same(request.cookies.get(LOGIN_COOKIE), submitted):
        raise HTTPException(403, "the login form has expired or did not come from this site: reload it and try again")


def check_csrf(viewer: Viewer, request: Request, submitted: str | None = None) -> None:
    """401 without a session; 403 unless the request carries the session's CSRF token."""
    if not viewer.logged_in:
        raise HTTPException(401, "log in first")
    token = submitted or request.headers.get("x-csrf-token")
    if not _same(viewer.csrf, token):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page (forms) or send the X-CSRF-Token header "
                                 "that /api/login returned (API)")


def attachment_header(filename: str) -> dict[str, str]:
    """Content-Disposition for a download: an ASCII fallback with nothing that could end the quoted string or the
    header, and the real name (Cyrillic included) in RFC 5987 form."""
    from urllib.parse import quote

    plain = "".join(c if c.isascii() and (c.isalnum() or c in "._-@ ") else "_" for c in filename) or "download"
    return {"Content-Disposition": f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"}


def trusted_networks(proxies: list[str] | tuple[str, ...]) -> tuple:
    """`--trusted-proxy` values (an address or a network such as 10.0.0.0/8) as networks; a bad one is an error."""
    import ipaddress

    from ..errors import InterbudgetError

    out = []
    for p in proxies:
        try:
            out.append(ipaddress.ip_network(p.strip(), strict=False))
        except ValueError:
            raise InterbudgetError(f"--trusted-proxy '{p}': not an IP address or network (such as 10.0.0.1 or 10.0.0.0/8)") from None
    return tuple(out)


def client_address(request: Request, trusted: tuple = ()) -> str:
    """The real client of REQUEST: the connection's peer, unless that peer is a trusted proxy; then the last
    X-Forwarded-For address that is not one (a client can write anything at the left of that header, never at its
    right). Without trusted proxies forwarded headers are ignored: a spoofed one changes nothing."""
    import ipaddress

    peer = request.client.host if request.client else ""

    def is_trusted(addr: str) -> bool:
        try:
            ip = ipaddress.ip_address(addr)
        except ValueError:
            return False
        return any(ip in net for net in trusted)

    if not trusted or not is_trusted(peer):
        return peer
    hops = [h.strip() for h in ",".join(request.headers.getlist("x-forwarded-for")).split(",") if h.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:  # garbage from the client's side of the header: the proxy's view is all we know
                return peer
    return peer
