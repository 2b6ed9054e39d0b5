"""Search for a unit by name (kk/ru/en, partial, case-insensitive, Kazakh letters folded, or in Latin letters) or
KATO code: the page `GET /search?q=…` with links to the units' pages and the JSON `GET /api/search?q=…`.

The index is built once per dataset: every unit's names folded to one lowercase string in a numpy array, the same
names as one Latin key in another (web/latin.py: Kazakh Latin 2021 and the Russian-style romanization read alike),
its code in a third; a query is one vectorised substring test over each array (no Python loop over the units).
"""
from __future__ import annotations

import threading
from urllib.parse import quote

import numpy as np
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from ..hierarchy import LEVELS
from ..i18n import LANGUAGES
from .latin import latin_keys, loose
from .names import MARK, name_in, unit_name, unmark

MAX_RESULTS = 50
MAX_QUERY = 100
# Kazakh letters folded to their nearest Russian ones, ё to е: a reader on a Russian keyboard types «Жанаозен» for
# «Жаңаөзен», and a name written either way is found by either
_FOLD = str.maketrans("әғқңөұүһіё", "агкноууиие")


def clean(text: str) -> str:
    """TEXT lowercase, the transliteration mark and quotes dropped, runs of blanks and hyphens one space."""
    t = text.lower().replace(MARK.strip().lower(), "")
    for ch in "«»\"'’`.,()":
        t = t.replace(ch, " " if ch in ".,()" else "")
    return " ".join(t.replace("-", " ").split())


def fold(text: str) -> str:
    """TEXT as the index keeps it: `clean`, Kazakh letters folded."""
    return clean(text).translate(_FOLD)


class SearchIndex:
    """The units of one hierarchy, ready to be searched."""

    def __init__(self, h):
        self.h = h
        cleaned = [[clean(name_in(h, lg, u)) for u in range(h.n)] for lg in LANGUAGES]  # once per dataset
        # one folded text per unit: its names in the three languages, "|" between them (never inside a folded query)
        self.text = np.array(["|".join(t).translate(_FOLD) for t in zip(*cleaned, strict=True)], dtype=str)
        # the same names as Latin keys, the whole dataset in one pass (latin_keys)
        latin = [latin_keys(names) for names in cleaned]
        self.latin = np.array(["|".join(t) for t in zip(*latin, strict=True)], dtype=str)
        self.loose = np.array(loose(self.latin.tolist()), dtype=str)
        self.codes = np.array([str(c) for c in h.codes.tolist()], dtype=str)

    def find(self, q: str) -> np.ndarray:
        """Indices of the units matching Q, best first: a code equal to Q, then codes starting with it, then names
        starting with it, then names containing it; within each, higher levels first, then by code."""
        raw = q.strip()
        if not raw:
            return np.empty(0, dtype=np.int64)
        rank = np.full(self.h.n, 9, dtype=np.int8)
        if raw.isdigit():
            rank[np.char.startswith(self.codes, raw)] = 1
            rank[self.codes == raw] = 0
        f = clean(raw)
        [latin] = latin_keys([f])
        for text, key in ((self.text, f.translate(_FOLD)), (self.latin, latin), (self.loose, loose([latin])[0])):
            if key:
                inside = np.char.find(text, key) >= 0
                start = np.char.startswith(text, key) | (np.char.find(text, "|" + key) >= 0) | (np.char.find(text, " " + key) >= 0)
                rank = np.minimum(rank, np.where(start, 2, np.where(inside, 3, 9)))
        hit = np.flatnonzero(rank < 9)
        return hit[np.lexsort((self.codes[hit], self.h.level[hit], rank[hit]))]


def unit_url(h, u: int, lang: str) -> str:
    """The page of unit U: its budget's page, or, for a unit without a budget of its own, the page that says so."""
    code = quote(str(h.codes[u]))
    return f"/budget/{code}?lang={lang}" if h.has_budget[u] else f"/?parent={code}&lang={lang}"


def result_rows(h, hits: np.ndarray, lang: str) -> list[dict]:
    out = []
    for u in hits[:MAX_RESULTS].tolist():
        p = int(h.parent[u])
        names = {lg: unmark(v) for lg in LANGUAGES if (v := name_in(h, lg, u))}
        out.append({"code": str(h.codes[u]), "name": unmark(unit_name(h, u, lang)), "names": names,
                    "transliterated": unit_name(h, u, lang).endswith(MARK), "level": LEVELS[int(h.level[u])],
                    "has_budget": bool(h.has_budget[u]), "parent": str(h.codes[p]) if p >= 0 else None,
                    "parent_name": unmark(unit_name(h, p, lang)) if p >= 0 else None, "url": unit_url(h, u, lang)})
    return out


def register(app: FastAPI, site) -> None:
    viewer_dep = Depends(site.viewer)
    built: dict = {}
    lock = threading.Lock()

    def index() -> SearchIndex:
        h = site.wb.ds.hierarchy  # the dataset's units: the same for every scenario
        with lock:
            if built.get("h") is not h:
                built.update(h=h, index=SearchIndex(h))
            return built["index"]

    def search(q: str, lang: str) -> dict:
        if len(q) > MAX_QUERY:
            raise HTTPException(422, f"the search text is longer than {MAX_QUERY} characters")
        if lang not in LANGUAGES:
            raise HTTPException(404, f"unknown language '{lang}': choose kk, ru or en")
        ix = index()
        hits = ix.find(q)
        return {"query": q, "total": int(hits.size), "shown": int(min(hits.size, MAX_RESULTS)),
                "results": result_rows(ix.h, hits, lang)}

    @app.get("/api/search")
    def api_search(q: str = Query("", description="part of a name (kk, ru or en) or a KATO code"), lang: str = "en") -> dict:
        """Units whose name (in any of kk, ru, en; partial, case-insensitive, Kazakh letters folded) or KATO code
        matches Q: code, names, level, parent and the URL of the unit's page; at most 50, best first."""
        return search(q, lang)

    @app.get("/search", response_class=HTMLResponse)
    def search_page(request: Request, q: str = "", lang: str = "en", viewer=viewer_dep):
        if len(q) > MAX_QUERY:
            return site.page(request, "search.html", lang, viewer, status_code=422, q=q[:MAX_QUERY], found=None,
                             too_long=True, max_query=MAX_QUERY)
        return site.page(request, "search.html", lang, viewer, q=q, found=search(q, lang) if q.strip() else None,
                         too_long=False, max_query=MAX_QUERY)
