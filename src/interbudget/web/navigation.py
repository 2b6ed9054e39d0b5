"""No dead ends: breadcrumbs republic → region → district → okrug, and the sentence a unit page
shows instead of an empty table — a budget of the lowest level, a unit without a budget of its own (a district of
Almaty, Astana or Shymkent, a city proper inside its district), a city whose districts have no budgets."""
from __future__ import annotations

from urllib.parse import quote

import numpy as np

from ..hierarchy import LEVELS
from ..i18n import catalog
from .names import unit_name, unmark


def budget_url(code: str, scenario: str, year: int, lang: str, version: int | None) -> str:
    return (f"/budget/{quote(code)}?scenario={quote(scenario)}&year={year}&lang={lang}"
            + (f"&version={version}" if version else ""))


def trail(h, code: str, link: str, lang: str) -> list[dict]:
    """The breadcrumbs of unit CODE: the republic (the dashboard of the regions), then each ancestor's page of the
    budgets below it (LINK: the dashboard's URL with scenario, year, language, version), CODE itself last."""
    u = h.unit_index()[code]
    out = []
    for lvl in range(int(h.level[u]) + 1):
        a = int(h.anc[lvl][u])
        if a < 0:
            continue
        out.append({"code": str(h.codes[a]), "level": LEVELS[lvl], "name": unmark(unit_name(h, a, lang)),
                    "url": link if lvl == 0 else f"{link}&parent={quote(str(h.codes[a]))}"})
    return out


def dead_end(h, parent: str, lang: str, budget_link) -> dict:
    """What the page of the budgets below PARENT says when it has none to show: `kind` (leaf, no_budget, city,
    empty), `sentence` in LANG, `owner` (name and URL of the budget that holds the unit's figures, when it is not
    the unit's own) and `units` below it that have no budgets (with the URLs of their pages). BUDGET_LINK(code):
    the URL of a budget's page."""
    t = catalog(lang)["web_nav"]
    u = h.unit_index()[parent]
    name = unmark(unit_name(h, u, lang))
    below = np.flatnonzero(h.parent == u)
    if not h.has_budget[u]:
        o = int(h.budget_unit_of[u])
        owner = unmark(unit_name(h, o, lang)) if int(h.level[o]) else t["republic_budget"]
        return {"kind": "no_budget", "sentence": t["no_budget_unit"].format(name=name, owner=owner),
                "owner": {"name": owner, "url": budget_link(str(h.codes[o]))}, "units": []}
    units = [{"code": str(h.codes[c]), "name": unmark(unit_name(h, c, lang)), "level": LEVELS[int(h.level[c])]}
             for c in below[~h.has_budget[below]].tolist()]
    own = {"name": name, "url": budget_link(parent)}
    if units and int(h.level[u]) == LEVELS.index("region"):  # a city of republican significance
        return {"kind": "city", "sentence": t["no_budget_city"].format(city=name), "owner": own, "units": units}
    if not below.size or int(h.level[u]) == len(LEVELS) - 1:
        return {"kind": "leaf", "sentence": t["leaf"].format(name=name), "owner": own, "units": []}
    return {"kind": "empty", "sentence": t["no_rows"], "owner": own, "units": units}


def notes(h, parent: str | None, empty: bool, lang: str, budget_link) -> dict:
    """What the page of the budgets below PARENT (the regions when None) adds to its table, for the template
    _dead_end.html: `dead_end` (see above) when the table is EMPTY; `units_without` — the units right below PARENT
    that have no budget of their own (a city proper inside its district), each with a link to its page, so that
    every unit is reached; `republic_budget` — on the regions' page, the link to the republican budget."""
    if parent is None:
        r = h.republic
        return {"dead_end": None, "units_without": [], "republic_budget": {
            "name": unmark(unit_name(h, r, lang)), "url": budget_link(str(h.codes[r]))}}
    if empty:
        return {"dead_end": dead_end(h, parent, lang, budget_link), "units_without": [], "republic_budget": None}
    u = h.unit_index()[parent]
    below = np.flatnonzero((h.parent == u) & ~h.has_budget)
    return {"dead_end": None, "republic_budget": None, "units_without": [
        {"code": str(h.codes[c]), "name": unmark(unit_name(h, c, lang))} for c in below.tolist()]}


def is_leaf_budget(h, code: str) -> bool:
    """A budget with no unit below it (a rural okrug): its page is the budget's own page, not an empty list."""
    u = h.unit_index()[code]
    return bool(h.has_budget[u]) and not bool(np.any(h.parent == u))
