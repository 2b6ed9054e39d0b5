"""JSON merge patches (RFC 7386): a scenario file's `extends:`, and a stored version as the diff of its parent.

Maps merge key by key, other values replace, null removes;
so a version reads like a small scenario file that extends its parent.
"""
from __future__ import annotations

from typing import Any


def apply(doc: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    out = dict(doc)
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = apply(out[k], v)
        elif isinstance(v, dict):
            out[k] = apply({}, v)  # nulls inside a new map mean nothing: drop them
        else:
            out[k] = v
    return out


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The smallest patch with apply(old, patch) == new (new holds no nulls)."""
    out: dict[str, Any] = {k: None for k in old if k not in new}
    for k, v in new.items():
        if k in old and old[k] == v:
            continue
        if isinstance(v, dict) and isinstance(old.get(k), dict):
            out[k] = diff(old[k], v)
        else:
            out[k] = v
    return out
