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


def see_other(url: str):
    """The answer to a form's POST: go to URL (303, so the browser GETs it)."""
    from fastapi.responses import RedirectResponse

    return RedirectResponse(url, status_code=303)


# ---- figures for people ----------------------------------------------------------------------------------------
# Amounts of the engine are thousand tenge. A table shows them in one unit that reads, named in its column header:
# billion tenge where its typical budget is a billion or more, million tenge below; full precision stays in the
# downloads and on hover (the cell's title and data-value).
THIN = "\u202f"  # narrow no-break space: the thousands separator of kk, ru (and of en here, never a comma)
UNITS = {"bn": 1e6, "mn": 1e3}  # thousand tenge per displayed unit


def fmt_number(x: float | None, lang: str, digits: int = 1) -> str:
    """X with DIGITS decimals in LANG's way: kk/ru "1 195,2", en "1 195.2" (narrow no-break spaces); '—' for none."""
    if x is None or x != x:
        return "—"
    s = f"{round(x, digits) + 0.0:,.{digits}f}".replace(",", THIN)
    return s if lang == "en" else s.replace(".", ",")


def unit_for(values) -> str:
    """'bn' or 'mn': the unit in which the typical (median absolute, non-zero) amount of VALUES reads."""
    import numpy as np

    a = np.abs(np.asarray([v for v in values if v is not None and v == v], dtype=float))
    a = a[a > 0]
    return "bn" if a.size and float(np.median(a)) >= 1e6 else "mn"


def scaled(x: float | None, unit: str, lang: str) -> str:
    """A thousand-tenge amount shown in UNIT ('bn' or 'mn'), one decimal."""
    return "—" if x is None else fmt_number(x / UNITS[unit], lang)


def per_person(x: float | None, population: float | None, lang: str) -> str:
    """A thousand-tenge amount per inhabitant, in whole tenge; '—' without a population."""
    if x is None or not population:
        return "—"
    return fmt_number(x * 1000.0 / population, lang, 0)


# table cells built in Python: a dashboard renders hundreds of them, a Jinja macro call each would cost ~0.1 ms
def td_money(x: float | None, unit: str, lang: str, thousand: str, prefix: str = ""):
    """<td> of a thousand-tenge amount in UNIT, with the full figure on hover (THOUSAND: 'thousand tenge' in LANG)
    and PREFIX (e.g. '2026: ') before the figure."""
    from markupsafe import Markup, escape

    if x is None:
        return Markup(f'<td class="n">{escape(prefix)}—</td>')
    full = fmt_number(x, lang)
    return Markup(f'<td class="n" data-value="{x!r}" title="{escape(full)} {escape(thousand)}">{escape(prefix)}'
                  f'{scaled(x, unit, lang)}</td>')


def td_person(x: float | None, population: float | None, lang: str):
    from markupsafe import Markup

    if x is None or not population:
        return Markup('<td class="n">—</td>')
    return Markup(f'<td class="n" data-value="{x * 1000.0 / population!r}">{per_person(x, population, lang)}</td>')


def td_plain(x: float | None, text: str):
    """<td> of a figure already formatted as TEXT, sorted by X."""
    from markupsafe import Markup, escape

    return Markup(f'<td class="n" data-value="{x!r}">{escape(text)}</td>' if x is not None else f'<td class="n">{escape(text)}</td>')
