"""Audits of the registry (concept §1, §3.1, §3.3.1): each finding is something a person can act on, and each is one
of the concept's problem categories (registry categories.csv), named in the finding's `category`."""
from __future__ import annotations

from collections import defaultdict

from ..hierarchy import LEVELS
from .registry import Registry

LOCAL_LEVELS = ("region", "district", "rural")
CATEGORY = {"vertical duplication": "vertical_duplication", "horizontal duplication": "horizontal_duplication",
            "territorial unit and akimat overlap": "vertical_duplication", "no legal basis": "functions_without_legal_basis",
            "not inherent to the state": "non_inherent_functions", "financing and execution apart": "local_levels_powers_split",
            "unfunded mandate": "unfunded_mandates", "communal property not split": "local_levels_powers_split",
            "joint jurisdiction without a lead body": "joint_functions", "delivered by state order": "state_order"}


def audit(reg: Registry) -> list[dict]:
    out = []

    def add(kind: str, f, detail: str) -> None:
        out.append({"audit": kind, "category": CATEGORY[kind], "function": f.id, "name": f.name.get("en") or f.id, "detail": detail})

    for f in reg.functions.values():
        levels = reg.levels_of(f)
        if len(levels) > 1 and not f.communal_property:  # communal property is to be split (§1.4), not duplicated
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
            if not f.joint_lead:
                add("territorial unit and akimat overlap", f, f"{', '.join(terr)} and {', '.join(akim)}")
        if len(kinds & {"central", "territorial"}) and "akimat" in kinds and not f.joint_lead:
            add("joint jurisdiction without a lead body", f, "central and local bodies perform it and none leads (§1.2)")
        if not f.legal_basis:
            add("no legal basis", f, "no act or article gives this function")
        if not f.inherent:
            add("not inherent to the state", f, "a candidate for the competitive sector")
        if f.delivery == "state_order" and f.bodies:
            add("delivered by state order", f, "performed through the state order (§1.1): check the contract still serves the function")
        if f.finances and f.executes and f.finances != f.executes:
            add("financing and execution apart", f, f"financed at the {f.finances} level, executed at the {f.executes} level")
        if f.executes and not f.finances:
            add("unfunded mandate", f, f"executed at the {f.executes} level with no level financing it (§3.3.1)")
        elif f.executes and f.finances and LEVELS.index(f.finances) > LEVELS.index(f.executes):
            add("unfunded mandate", f, f"a {f.executes}-level duty financed only from the lower {f.finances} level (§3.3.1)")
    prop = [f for f in reg.functions.values() if f.communal_property]
    if prop:  # §1.4: communal property split among the oblast, district and rural levels, each holding its own
        held = {lv for f in prop for lv in reg.levels_of(f) if lv in LOCAL_LEVELS}
        missing = [lv for lv in LOCAL_LEVELS if lv not in held]
        if missing:
            add("communal property not split", prop[0],
                f"no communal property at the {', '.join(missing)} level(s): §1.4 wants it split among oblast, district and rural")
    return out
