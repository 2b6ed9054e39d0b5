"""Unit names as a reader sees them.

units.csv gives a Kazakh name only where a source does (name_kk is empty for most rural okrugs), and marks an
English name made by transliteration with " [translit.]". On a page: the reader's language first; a Kazakh reader
without a sourced Kazakh name gets the Russian (Cyrillic, sourced) name rather than a Latin transliteration; the
mark is taken off the name and explained once, in a note under the table (`translit_note`).
"""
from __future__ import annotations

MARK = " [translit.]"
# which language's name to show when the reader's own is not sourced
FALLBACK = {"kk": ("kk", "ru", "en"), "ru": ("ru", "kk", "en"), "en": ("en", "ru", "kk")}


def name_in(h, lg: str, i: int) -> str:
    """The name of unit I in language LG as units.csv gives it ('' where it gives none)."""
    col = h.names.get(lg)
    if col is None:
        return ""
    v = col[i]
    v = v.as_py() if hasattr(v, "as_py") else v
    return str(v) if v else ""


def unit_name(h, u: int, lang: str) -> str:
    """The name of unit U for a LANG reader, with the transliteration mark kept (see `unmark`)."""
    for lg in FALLBACK.get(lang, FALLBACK["en"]):
        v = name_in(h, lg, u)
        if v:
            return v
    return str(h.codes[u])


def unmark(name: str) -> str:
    """NAME without the transliteration mark: the page says once what such names are."""
    return name[:-len(MARK)] if isinstance(name, str) and name.endswith(MARK) else name


def transliterated(name) -> bool:
    return isinstance(name, str) and name.endswith(MARK)


def localise(x, h, lang: str):
    """X (the JSON of an analysis: dicts and lists) with every unit's `name` beside its `code` in LANG, the
    transliteration mark kept (the template explains it); analyses name units in English."""
    if isinstance(x, list):
        return [localise(v, h, lang) for v in x]
    if not isinstance(x, dict):
        return x
    out = {k: localise(v, h, lang) for k, v in x.items()}
    idx = h.unit_index()
    if isinstance(out.get("code"), str) and out["code"] in idx and "name" in out:
        out["name"] = unit_name(h, idx[out["code"]], lang)
    return out
