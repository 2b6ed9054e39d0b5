"""A reform proposal's document read and checked against the function registry (concept §3.2): every move's
function, levels, bodies and cost, every problem named with its key."""
from __future__ import annotations

from pathlib import Path

from ..errors import InterbudgetError, Problem
from ..hierarchy import LEVELS
from ..yamlfile import load as load_yaml
from .registry import Registry

OUT_OF_STATE = ("competitive", "abolish")


def load_proposal(path: Path, reg: Registry) -> dict:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InterbudgetError(Problem(path.name, f"cannot read the proposal: {exc}")) from None
    p = load_yaml(text, path.name)
    return check_proposal(p, reg, path.name, path.parent)


def check_proposal(p, reg: Registry, name: str = "proposal", folder: Path | None = None) -> dict:
    """A proposal's document checked against the registry: every problem named with its key."""
    problems = []
    if not isinstance(p, dict) or not isinstance(p.get("moves"), list) or "effective_year" not in p:
        raise InterbudgetError(Problem(name, "a proposal needs name, effective_year and a list of moves"))
    if isinstance(p["effective_year"], bool) or not isinstance(p["effective_year"], int):
        problems.append(Problem(name, f"effective_year '{p['effective_year']}' is not a year", column="effective_year"))
    if not p["moves"]:
        problems.append(Problem(name, "the proposal has no moves", column="moves"))
    kinds = proposal_kinds(reg)
    if p.get("kind") is not None and kinds is not None and p["kind"] not in kinds:
        problems.append(Problem(name, f"kind '{p['kind']}' is not one of the concept's move categories ({', '.join(kinds)})", column="kind"))
    base = p.get("base")
    if base is not None and not isinstance(base, str):
        problems.append(Problem(name, "base is a registry state or another proposal's file name", column="base"))
    for i, m in enumerate(p["moves"]):
        key = f"moves[{i}]"
        if not isinstance(m, dict):
            problems.append(Problem(name, "a move is a mapping {function, from, to}", column=key))
            continue
        fn = m.get("function")
        f = reg.functions.get(fn) if isinstance(fn, str) else None  # a list or a map is no function id (and unhashable)
        if f is None:
            problems.append(Problem(name, f"unknown function '{m.get('function')}'", column=key))
            continue
        if m.get("from") not in LEVELS and m.get("from") != "competitive":
            problems.append(Problem(name, f"from: unknown level '{m.get('from')}' (a level or competitive)", column=key))
        if m.get("to") not in LEVELS and m.get("to") not in OUT_OF_STATE:
            problems.append(Problem(name, f"to: '{m.get('to')}' is not a level, competitive or abolish", column=key))
        if m.get("from") == m.get("to"):
            problems.append(Problem(name, f"from and to are the same level '{m.get('to')}'", column=key))
        for b in ("body_from", "body_to"):
            if m.get(b) and m[b] not in reg.bodies:
                problems.append(Problem(name, f"{b}: unknown body '{m[b]}'", column=key))
        cost = m.get("cost", p.get("cost"))
        if cost is not None and cost != "none":
            problems.append(Problem(name, f"cost: '{cost}' — the only value is 'none' (the move carries no money)", column=key))
        elif cost is None and not f.priced:
            problems.append(Problem(name, f"function '{f.id}' ({f.name.get('en') or f.id}) has no cost: give it a need_function "
                                    "and a share or a norm in functions.csv, or say 'cost: none' in the move", column=key))
    if problems:
        raise InterbudgetError(problems)
    p.setdefault("_folder", str(folder) if folder else "")
    return p


def proposal_kinds(reg: Registry) -> list[str] | None:
    from .categories import load_categories

    cats = load_categories(reg.folder)
    return None if cats is None else [c for c, r in cats.items() if "proposal" in r["used_as"]]
