"""Audits of the registry (concept §1, §3.1, §3.3.1): each finding is something a person can act on."""
from __future__ import annotations

from collections import defaultdict

from ..hierarchy import LEVELS
from .registry import Registry

LOCAL_LEVELS = ("region", "district", "rural")


def audit(reg: Registry) -> list[dict]:
    out = []

    def add(kind: str, f, detail: str) -> None:
        out.append({"audit": kind, "function": f.id, "name": f.name.get("en") or f.id, "detail": detail})

    for f in reg.functions.values():
        levels = reg.levels_of(f)
        if len(levels) > 1:
            add("vertical duplication", f, f"performed at {len(levels)} levels: {', '.join(levels)}")
        by_level = defaultdict(list)
        for b in f.bodies:
            by_level[reg.bodies[b].level].append(b)
        for lvl, bs in by_level.items():
            if len(bs) > 1:
                add("horizontal duplication", f, f"{len(bs)} bodies at the {lvl} level: {', '.join(bs)}")
        kinds = {reg.bodies[b].kind for b in f.bodies}
        if "territorial" in kinds and "akimat" in kinds:
            terr = [b for b in f.bodies if reg.bodies[b].kind == "territorial"]
            akim = [b for b in f.bodies if reg.bodies[b].kind == "akimat"]
            add("territorial unit and akimat overlap", f, f"{', '.join(terr)} and {', '.join(akim)}")
        if not f.legal_basis:
            add("no legal basis", f, "no act or article gives this function")
        if not f.inherent:
            add("not inherent to the state", f, "a candidate for the competitive sector")
        if f.finances and f.executes and f.finances != f.executes:
            add("financing and execution apart", f, f"financed at the {f.finances} level, executed at the {f.executes} level")
        if f.executes and not f.finances:
            add("unfunded mandate", f, f"executed at the {f.executes} level with no level financing it (§3.3.1)")
        elif f.executes and f.finances and LEVELS.index(f.finances) > LEVELS.index(f.executes):
            add("unfunded mandate", f, f"a {f.executes}-level duty financed only from the lower {f.finances} level (§3.3.1)")
        if f.communal_property:
            local = [lv for lv in levels if lv in LOCAL_LEVELS]
            if len(local) != 1:
                add("communal property not assigned", f,
                    f"held at {', '.join(local) if local else 'no'} local level(s); it must belong to exactly one of "
                    "oblast, district and fourth level")
    return out
