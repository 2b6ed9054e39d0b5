"""Who may see and do what (the roles analyst, akimat, commission), in one place so every page and API call asks the same rules.

- public (no login): published scenarios, at their published version; no objections.
- akimat (one region): what the public sees, and the latest version of drafts shared with its region, limited to
  its own region's budgets; files objections and corrected data on its own budgets and sees their status.
- commission: every scenario and objection; comments on and resolves objections.
- analyst: every scenario; creates, edits, runs, shares and publishes them.
A scenario or unit a viewer may not see answers 404 exactly as one that does not exist, so nothing leaks.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from fastapi import HTTPException

from ..hierarchy import LEVELS

REGION = LEVELS.index("region")


@dataclass(frozen=True)
class Viewer:
    username: str | None = None
    role: str = "public"
    region: str | None = None
    csrf: str | None = None
    display_name: str | None = None

    @property
    def logged_in(self) -> bool:
        return self.username is not None

    @property
    def sees_everything(self) -> bool:
        return self.role in ("analyst", "commission")


PUBLIC = Viewer()


@dataclass(frozen=True)
class View:
    """What a viewer sees of one scenario: a version, and the one region it is limited to (None: all)."""

    name: str
    version: int
    region: str | None
    published: bool


def scenario_view(viewer: Viewer, sc: dict, version: int | None = None) -> View:
    """The version of scenario SC that VIEWER may see (VERSION when asked and allowed); 404 otherwise."""
    unknown = HTTPException(404, f"unknown scenario '{sc['name']}'")
    published = sc["published"]
    if viewer.sees_everything:
        v = version or sc["latest"]
        if not 1 <= v <= sc["latest"]:
            raise HTTPException(404, f"scenario '{sc['name']}' has no version {v} (latest {sc['latest']})")
        return View(sc["name"], v, None, v == published)
    shared = viewer.role == "akimat" and viewer.region in sc["shared_with"]
    if version is None:
        if shared:
            return View(sc["name"], sc["latest"], viewer.region, sc["latest"] == published)
        if published:
            return View(sc["name"], published, None, True)
        raise unknown
    if published and version == published:
        return View(sc["name"], version, None, True)
    if shared and version == sc["latest"]:
        return View(sc["name"], version, viewer.region, False)
    raise unknown


def visible_scenarios(viewer: Viewer, scenarios: list[dict]) -> list[tuple[dict, View]]:
    out = []
    for sc in scenarios:
        try:
            out.append((sc, scenario_view(viewer, sc)))
        except HTTPException:
            continue
    return out


def region_of(h, codes: list[str] | np.ndarray) -> np.ndarray:
    """The region code of each unit code ('' for the republic)."""
    idx = h.unit_index()
    u = np.array([idx[c] for c in codes], dtype=np.int64)
    anc = h.anc[REGION][u]
    return np.where(anc >= 0, h.codes[np.maximum(anc, 0)], "")


def unit_allowed(h, code: str, region: str | None) -> bool:
    if region is None:
        return True
    idx = h.unit_index()
    return code in idx and region_of(h, [code])[0] == region


def require(viewer: Viewer, *roles: str) -> None:
    """401 when nobody is logged in, 403 when the role may not do this."""
    if not viewer.logged_in:
        raise HTTPException(401, "log in first")
    if viewer.role not in roles:
        raise HTTPException(403, f"a{'n' if viewer.role[0] in 'aeiou' else ''} {viewer.role} user may not do this "
                                 f"(it is for: {', '.join(roles)})")


def signed_in(viewer: Viewer) -> str:
    """The logged-in user's name, the author of what a route records (401 when nobody is logged in)."""
    if viewer.username is None:
        raise HTTPException(401, "log in first")
    return viewer.username


def own_region(viewer: Viewer) -> str:
    """The region of an akimat user (403 for an account that has none)."""
    if viewer.region is None:
        raise HTTPException(403, "this account belongs to no region")
    return viewer.region


def objection_visible(viewer: Viewer, o: dict) -> bool:
    return viewer.sees_everything or (viewer.role == "akimat" and o["region"] == viewer.region)


def commission_visible(viewer: Viewer, p: dict) -> bool:
    """A Commission proposal: public once its decision is published; before, for the ministry and the Commission,
    and for the akimat whose region submitted it."""
    return p["published"] or viewer.sees_everything or (viewer.role == "akimat" and p.get("region") == viewer.region)
