"""Small helpers every web module shares (JSON of store rows, the language of a request, the page templates), below app.py so that
the page modules (work, objections, ...) need not import the app that registers them."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from fastapi import HTTPException

from ..i18n import LANGUAGES


def plain(x):
    """Store rows as JSON: timestamps become text."""
    return json.loads(json.dumps(x, default=str))


def lang_ok(lang: str) -> str:
    if lang not in LANGUAGES:
        raise HTTPException(404, f"unknown language '{lang}': choose kk, ru or en")
    return lang


def _templates():
    from fastapi.templating import Jinja2Templates

    t = Jinja2Templates(directory=Path(__file__).parent / "templates")
    # the language switch keeps the page's other parameters
    t.env.filters["replace_lang"] = lambda q, lg: "&".join(
        [f"{k}={quote(v)}" for k, v in q.items() if k != "lang"] + [f"lang={lg}"])
    from .names import transliterated, unmark

    t.env.filters["unmark"], t.env.tests["transliterated"] = unmark, transliterated  # the mark explained once per page
    return t


TEMPLATES = _templates()


def no_nan(x):
    """JSON has no NaN (a per-capita figure of an empty unit): null instead."""
    if isinstance(x, float):
        return None if x != x else x
    if isinstance(x, dict):
        return {k: no_nan(v) for k, v in x.items()}
    if isinstance(x, list):
        return [no_nan(v) for v in x]
    return x
