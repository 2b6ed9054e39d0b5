"""Limits on what a request may send, enforced before any route sees it:

- every body is counted while it streams in, and refused with 413 the moment it passes its limit (a chunked upload
  without Content-Length included), so nothing larger than the limit is ever held;
- a JSON body is refused with 422 when it nests deeper than MAX_JSON_DEPTH, checked on the bytes before parsing
  (Python's parser would exhaust its recursion: a 500), or when it holds a string that is not valid Unicode (JSON may
  write a lone surrogate, "\\ud800", which Python decodes but neither UTF-8, the password hasher nor the database
  can take)."""
from __future__ import annotations

import json
import re

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_JSON_BYTES = 2 * 1024 * 1024
MAX_JSON_DEPTH = 40
MAX_FORM_BYTES = 2 * 1024 * 1024
MAX_UPLOAD_BYTES = 5 * 10 * 1024 * 1024 + 1024 * 1024  # five attachments of 10 MB and the form's fields

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)  # unrolled: no per-character alternation


_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def json_depth(body: bytes) -> int:
    """How deep the arrays and objects of BODY nest, without parsing it: strings removed, then only the brackets
    kept (both in C), and their running sum's maximum taken with numpy."""
    import numpy as np

    if b"\\" in body or b'"' in body:
        body = _STRING.sub(b"", body)
    bare = np.frombuffer(body.translate(None, _NOT_BRACKETS), dtype=np.uint8)
    if not bare.size:
        return 0
    step = np.where((bare == ord("[")) | (bare == ord("{")), 1, -1).astype(np.int32)
    return int(np.cumsum(step).max())


def too_deep(body: bytes) -> bool:
    """Does BODY nest deeper than MAX_JSON_DEPTH? Bodies with fewer brackets than that (most) are not scanned."""
    return body.count(b"[") + body.count(b"{") > MAX_JSON_DEPTH and json_depth(body) > MAX_JSON_DEPTH


def limit_of(ctype: bytes) -> int:
    if ctype.startswith(b"multipart/form-data"):
        return MAX_UPLOAD_BYTES
    if ctype.startswith(b"application/json"):
        return MAX_JSON_BYTES
    return MAX_FORM_BYTES


def _too_large(limit: int) -> HTTPException:
    return HTTPException(413, f"the request is larger than {limit / 2**20:g} MB: nothing was read beyond that")


class RequestGuard:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        ctype = headers.get(b"content-type", b"").lower()
        limit = limit_of(ctype)
        size = headers.get(b"content-length", b"")
        if size.isdigit() and int(size) > limit:
            return await _refuse(send, 413, _too_large(limit).detail)
        if not ctype.startswith(b"application/json"):
            return await self.app(scope, _counted(receive, limit), send)
        chunks, more, total = [], True, 0
        while more:
            msg = await receive()
            if msg["type"] == "http.disconnect":
                return
            chunk = msg.get("body", b"")
            total += len(chunk)
            if total > limit:
                return await _refuse(send, 413, _too_large(limit).detail)
            chunks.append(chunk)
            more = msg.get("more_body", False)
        body = b"".join(chunks)
        if too_deep(body):
            return await _refuse(send, 422, f"the JSON body nests deeper than {MAX_JSON_DEPTH} levels")
        try:
            json.dumps(json.loads(body), ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            return await _refuse(send, 422, "the JSON body holds a string that is not valid Unicode (a lone surrogate such as \\ud800)")
        except (ValueError, RecursionError):  # not JSON at all: the route's own validation answers
            pass
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def _counted(receive: Receive, limit: int) -> Receive:
    """RECEIVE that raises 413 once the body passes LIMIT: the route's form parser stops there."""
    total = 0

    async def inner() -> Message:
        nonlocal total
        msg = await receive()
        total += len(msg.get("body", b""))
        if total > limit:
            raise _too_large(limit)
        return msg

    return inner


async def _refuse(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
