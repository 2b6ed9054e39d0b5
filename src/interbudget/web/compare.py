"""Current law (or any base) against a draft and amendments: /api/compare and the /compare page."""
from __future__ import annotations

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from ..engine import Result
from ..errors import InterbudgetError
from .access import Viewer, region_of, visible_scenarios
from .common import lang_ok, no_nan, unit_for
from .names import localise, transliterated

MAX_AMENDMENTS = 5


def restrict_compare(data: dict, allowed: set[str]) -> dict:
    """A comparison cut to one region's budgets: no national aggregate of a draft leaves the ministry."""
    from ..analysis.compare import movers

    out = dict(data, regions=[r for r in data["regions"] if r["code"] in allowed], comparisons=[])
    for c in data["comparisons"]:
        rows = [r for r in c["rows"] if r["code"] in allowed]
        out["comparisons"].append(dict(c, rows=rows, bands=[], **movers(rows),
                                       transitions={k: [x for x in v if x in allowed] for k, v in c["transitions"].items()}))
    return out


CACHE = 16  # comparisons kept: a version never changes, so (name, version) pairs and the year key one safely


def register(app: FastAPI, site) -> None:
    import threading
    from collections import OrderedDict

    wb = site.wb
    viewer_dep = Depends(site.viewer)
    cache: OrderedDict = OrderedDict()
    lock = threading.Lock()

    @app.get("/api/compare")
    def api_compare(base: str = "current-law", draft: str = Query(...), amendment: list[str] = Query([]),
                    year: int | None = None, viewer: Viewer = viewer_dep) -> dict:
        """Current law (or any base) against a draft and amendments: net transfers per region, every budget's change,
        status changes, transfer and balance gains and losses, population bands. Each name may carry a version: `option-2@3`."""
        from ..analysis.compare import compare

        if len(amendment) > MAX_AMENDMENTS:
            raise HTTPException(422, f"at most {MAX_AMENDMENTS} amendments in one comparison")
        views = [wb.view(viewer, *_named_version(n)) for n in [base, draft, *amendment]]
        results = [wb.result(v) for v in views]
        labels = [f"{v.name}@{v.version}" if [w.name for w in views].count(v.name) > 1 else v.name for v in views]
        results = [_named(r, lab) for r, lab in zip(results, labels, strict=True)]
        try:
            common = [y for y in results[0].years if all(y in r.years for r in results)]  # default: the first shared year
            at = year if year is not None else (common or results[0].years)[0]
            key = (tuple((v.name, v.version) for v in views), tuple(labels), at)
            with lock:
                data = cache.get(key)
            if data is None:  # the national comparison (as computed, and as JSON), never modified below
                raw = compare(results, at).to_dict()
                data = (raw, no_nan(raw))
                with lock:
                    cache[key] = data
                    while len(cache) > CACHE:
                        cache.popitem(last=False)
        except InterbudgetError as exc:
            raise HTTPException(404, str(exc)) from None
        raw, data = data
        limited = {v.region for v in views if v.region is not None}
        if limited:
            h = results[0].hierarchy
            region = next(iter(limited))
            data = no_nan(restrict_compare(raw, set(h.codes[region_of(h, h.codes) == region].tolist())))
        return dict(data, versions={lab: v.version for lab, v in zip(labels, views, strict=True)})

    @app.get("/compare", response_class=HTMLResponse)
    def compare_page(request: Request, draft: str = Query(None), base: str = "current-law", amendment: list[str] = Query([]),
                     year: int | None = None, lang: str = "en", viewer: Viewer = viewer_dep):
        names = [sc["name"] for sc, _ in visible_scenarios(viewer, wb.store.scenarios())]
        draft = draft or next((n for n in names if n != base), base)
        amendment = [a for a in amendment if a]
        data = api_compare(base, draft, amendment, year, viewer)
        data = _shown(data, wb.ds.hierarchy, lang_ok(lang))
        years = wb.result(wb.view(viewer, *_named_version(base))).years
        return site.page(request, "compare.html", lang, viewer, scenarios=names, base=base, draft=draft, amendments=amendment,
                         years=years, data=data, max_amendments=MAX_AMENDMENTS, unit=unit_for(
                             [r[k] for r in data["regions"] for k in r if k.startswith("net_transfer[")]),
                         translit=any(transliterated(r["name"]) for r in data["regions"]
                                      + [r for c in data["comparisons"] for k in MOVERS for r in c[k]]))


MOVERS = ("transfer_gains", "transfer_losses", "balance_gains", "balance_losses")


def _shown(data: dict, h, lang: str) -> dict:
    """What the compare page shows (the regions, each comparison's movers; not every budget's row, which is the
    API's), with the units' names in the reader's language."""
    return dict(data, regions=localise(data["regions"], h, lang),
                comparisons=[dict(c, rows=[], **{k: localise(c[k], h, lang) for k in MOVERS}) for c in data["comparisons"]])


def _named_version(text: str) -> tuple[str, int | None]:
    """'option-2@3' -> ('option-2', 3); 'option-2' -> ('option-2', None)."""
    name, _, ver = text.partition("@")
    if ver and not (ver.isascii() and ver.isdigit() and int(ver) >= 1):
        raise HTTPException(404, f"'{text}': write a version as name@number")
    return name, int(ver) if ver else None


def _named(res: Result, label: str) -> Result:
    """The result under another scenario name, for comparing two versions of one scenario."""
    if res.scenario.name == label:
        return res
    from dataclasses import replace

    return replace(res, scenario=res.scenario.model_copy(update={"name": label}))
