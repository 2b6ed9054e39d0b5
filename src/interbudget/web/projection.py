"""What of a scenario document and of an explanation a viewer may see (by the viewer's role), decided
in one place for every route that shows them.

A viewer limited to one region (an akimat reading a draft shared with it) sees the draft's rules, never its
national aggregates: the subvention envelope (its total, and the scale derived from it), the targeted pool, and
per-unit maps keyed by other regions' units. The document is cut by a whitelist: a key not named here does not
reach the akimat, so a key added to the scenario later is hidden until someone decides it may be shown.
Viewers who see everything (analyst, commission) and published versions get the document as it is.
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

#: top-level keys that carry rules (rates, methods, years), the same for every region: shown whole
RULES = ("name", "description", "years", "option", "regulated_taxes", "sharing", "sharing_base", "withdrawal_rate",
         "base_payers", "rural_budgets", "capacity", "revision", "transfer_model", "mandates")
#: keys whose value is a map keyed by unit code: shown for the region's own units only
PER_UNIT = ("region_shares", "child_shares")
#: keys that are one method for all, or a map keyed by region code
PER_REGION_OR_ALL = ("district_method", "rural_method")
#: parts of a key kept for a region (national amounts dropped): targeted's region_cap is a share, its pool is not
PARTS = {"targeted": ("region_cap", "reference")}
#: the national aggregates in an explanation: the envelope's scale is its national total over the national need
EXPLANATION_CUT = {"envelope": ("scale",)}


def document(doc: dict, region: str | None, in_region: Callable[[str], bool]) -> dict:
    """DOC as a viewer limited to REGION may see it (None: whole). IN_REGION(code): is a unit code in REGION."""
    if region is None:
        return doc
    out: dict[str, Any] = {}
    for key, val in doc.items():
        if key in RULES:
            out[key] = copy.deepcopy(val)
        elif key in PER_UNIT and isinstance(val, dict):
            out[key] = {c: copy.deepcopy(x) for c, x in val.items() if in_region(str(c))}
        elif key in PER_REGION_OR_ALL:
            out[key] = ({c: x for c, x in val.items() if str(c) == region} if isinstance(val, dict) else val)
        elif key in PARTS and isinstance(val, dict):
            kept = {k: copy.deepcopy(val[k]) for k in PARTS[key] if k in val}
            if kept:
                out[key] = kept
    refs = doc.get("references")
    if isinstance(refs, dict):  # the legal basis of what is shown, not of what is cut
        shown = set(out)
        out["references"] = {k: v for k, v in refs.items() if str(k).split(".")[0] in shown}
    return out


def explanation(ex: dict, region: str | None) -> dict:
    """An explanation (explain.explain) as a viewer limited to REGION may see it: its own budget's figures, without
    the national aggregates they were derived from."""
    if region is None:
        return ex
    out = dict(ex)
    for key, fields in EXPLANATION_CUT.items():
        if isinstance(out.get(key), dict):
            out[key] = {k: (None if k in fields else v) for k, v in out[key].items()}
    return out
