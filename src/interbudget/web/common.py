"""Small helpers every web module shares (JSON of store rows, the language of a request), below app.py so that
the page modules (work, objections, ...) need not import the app that registers them."""
from __future__ import annotations

import json

from fastapi import HTTPException

from ..i18n import LANGUAGES


def plain(x):
    """Store rows as JSON: timestamps become text."""
    return json.loads(json.dumps(x, default=str))


def lang_ok(lang: str) -> str:
    if lang not in LANGUAGES:
        raise HTTPException(404, f"unknown language '{lang}': choose kk, ru or en")
    return lang
