"""The registry of state functions and the bodies that perform them, loaded and checked like a dataset.

bodies.csv: id, name_kk, name_ru, name_en, kind (central, territorial, akimat, other), level.
functions.csv: id, name_kk, name_ru, name_en, group (functional group of the budget classification),
cofog, type (policy, executive, regulatory, service), priority, legal_basis (empty: none), inherent
(true/false), bodies (ids separated by ';'), finances (a level or empty), executes (a level), driver,
national, local, scale, spillover, proximity, uniform (attributes in [0, 1] for the §3.2 criteria),
communal_property (true/false), status (real / illustrative), source; optional need_function (the function of
needs.csv that holds its cost) and norm_republic, norm_region, norm_district, norm_rural (spending norm per
unit of its driver at each level: a move values the cost at the receiving level's norm).
Optional columns (a small registry stays small): kind (function, fiscal_power, programme),
section (the concept's §), legal_article ('unknown' when no source cites one), delivery (own_institution,
state_order, competitive), joint_lead (the lead body of a function of joint jurisdiction), decided and target
(the concept's § that assigns the function and the level(s) it assigns, ';'-separated: a constraint, never
re-scored), share (the function's part of its need_function line, in (0, 1]) and cost_source. A function is
priced when it has a need_function and a share or a norm; the shares of one needs line add up to at most 1.
Beside them: states.csv and assignments.csv (dated states, functions/states.py), categories.csv (the
concept's 14 problem and move categories), classification.csv (functional groups), readiness.csv (§3.4).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InterbudgetError, Problem
from ..hierarchy import LEVELS

KINDS = ("central", "territorial", "akimat", "other")
TYPES = ("policy", "executive", "regulatory", "service")
PRIORITIES = ("mandatory", "basic", "additional")
FUNCTION_KINDS = ("function", "fiscal_power", "programme")
DELIVERY = ("own_institution", "state_order", "competitive")
ATTRIBUTES = ("national", "local", "scale", "spillover", "proximity", "uniform")
TRUE, FALSE = ("true", "1", "yes"), ("false", "0", "no")


@dataclass
class Body:
    id: str
    name: dict[str, str]
    kind: str
    level: str


@dataclass
class Function:
    id: str
    name: dict[str, str]
    group: str
    cofog: str
    type: str
    priority: str
    legal_basis: str
    inherent: bool
    bodies: list[str]
    finances: str
    executes: str
    driver: str
    attributes: dict[str, float]
    communal_property: bool
    status: str
    source: str
    row: int = 0
    need_function: str = ""  # the function of needs.csv that holds its cost (empty: unpriced)
    norms: dict[str, float] = field(default_factory=dict)  # spending norm per unit of driver, by level
    share: float | None = None  # its part of the need_function line
    cost_source: str = ""
    kind: str = "function"
    section: str = ""
    legal_article: str = ""
    delivery: str = "own_institution"
    joint_lead: str = ""
    decided: str = ""  # the concept's § that assigns it (a constraint for recommend)
    target: tuple[str, ...] = ()  # the level(s) the concept assigns

    @property
    def priced(self) -> bool:
        return bool(self.need_function) and (self.share is not None or bool(self.norms))


@dataclass
class Registry:
    bodies: dict[str, Body]
    functions: dict[str, Function] = field(default_factory=dict)
    folder: Path | None = None
    state: str = "today"  # the dated state the functions' assignment is in (functions/states.py)
    region: str = ""      # the region whose assignment it is ('' : the national one)

    def levels_of(self, f: Function) -> list[str]:
        return sorted({self.bodies[b].level for b in f.bodies}, key=LEVELS.index)


def _rows(path: Path, required: list[str], problems: list[Problem]) -> list[tuple[int, dict]]:
    if not path.is_file():
        problems.append(Problem(path.name, f"file not found in {path.parent}"))
        return []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            problems.append(Problem(path.name, f"missing column(s) {', '.join(missing)}", "line 1"))
            return []
        return [(i, {k: (v or "").strip() for k, v in r.items() if k}) for i, r in enumerate(reader, start=2)]


def load_registry(folder: str | Path) -> Registry:
    folder = Path(folder)
    problems: list[Problem] = []
    bodies: dict[str, Body] = {}
    for i, r in _rows(folder / "bodies.csv", ["id", "name_en", "kind", "level"], problems):
        where = f"line {i}"
        if r["id"] in bodies:
            problems.append(Problem("bodies.csv", f"duplicate body id '{r['id']}'", where, "id"))
        if r["kind"] not in KINDS:
            problems.append(Problem("bodies.csv", f"'{r['kind']}' is not one of {', '.join(KINDS)}", where, "kind"))
        if r["level"] not in LEVELS:
            problems.append(Problem("bodies.csv", f"unknown level '{r['level']}'", where, "level"))
        bodies[r["id"]] = Body(r["id"], {lg: r.get(f"name_{lg}", "") for lg in ("kk", "ru", "en")}, r["kind"], r["level"])
    reg = Registry(bodies)
    cols = ["id", "name_en", "group", "type", "priority", "legal_basis", "inherent", "bodies", "finances", "executes", *ATTRIBUTES]
    for i, r in _rows(folder / "functions.csv", cols, problems):
        where, name = f"line {i}", "functions.csv"
        if r["id"] in reg.functions:
            problems.append(Problem(name, f"duplicate function id '{r['id']}'", where, "id"))
        ids = [b.strip() for b in r["bodies"].split(";") if b.strip()]
        if not ids:
            problems.append(Problem(name, f"function '{r['id']}' has no performer (bodies is empty)", where, "bodies"))
        for b in ids:
            if b not in bodies:
                problems.append(Problem(name, f"unknown body '{b}'", where, "bodies"))
        for col, allowed in (("type", TYPES), ("priority", PRIORITIES)):
            if r[col] not in allowed:
                problems.append(Problem(name, f"'{r[col]}' is not one of {', '.join(allowed)}", where, col))
        for col in ("finances", "executes"):
            if r[col] and r[col] not in LEVELS:
                problems.append(Problem(name, f"unknown level '{r[col]}'", where, col))
        attrs = {}
        for a in ATTRIBUTES:
            try:
                v = float(r[a])
            except ValueError:
                problems.append(Problem(name, f"'{r[a]}' is not a number", where, a))
                continue
            if not 0 <= v <= 1:
                problems.append(Problem(name, f"{a} {v:g} is outside [0, 1]", where, a))
            attrs[a] = v
        norms = {}
        for lvl in LEVELS:
            v = r.get(f"norm_{lvl}", "")
            if v:
                try:
                    norms[lvl] = float(v)
                except ValueError:
                    problems.append(Problem(name, f"'{v}' is not a number", where, f"norm_{lvl}"))
                    continue
                if norms[lvl] <= 0:
                    problems.append(Problem(name, f"norm {v} must be positive", where, f"norm_{lvl}"))
        flags = {}
        for col in ("inherent", "communal_property"):
            v = r.get(col, "false").lower()
            if v not in TRUE + FALSE:
                problems.append(Problem(name, f"'{v}' is not true or false", where, col))
            flags[col] = v in TRUE
        extra = _extras(r, bodies, ids, where, problems)
        reg.functions[r["id"]] = Function(r["id"], {lg: r.get(f"name_{lg}", "") for lg in ("kk", "ru", "en")}, r["group"],
                                          r.get("cofog", ""), r["type"], r["priority"], r["legal_basis"], flags["inherent"], ids,
                                          r["finances"], r["executes"], r.get("driver", ""), attrs, flags["communal_property"],
                                          r.get("status", "illustrative"), r.get("source", ""), i,
                                          r.get("need_function", ""), norms, **extra)
    _check_shares(reg, problems)
    if problems:
        raise InterbudgetError(problems)
    reg.folder = folder
    return reg


def _extras(r: dict, bodies: dict, ids: list[str], where: str, problems: list[Problem]) -> dict:
    name = "functions.csv"
    out = {"cost_source": r.get("cost_source", ""), "section": r.get("section", ""), "legal_article": r.get("legal_article", ""),
           "decided": r.get("decided", ""), "kind": r.get("kind") or "function", "delivery": r.get("delivery") or "own_institution",
           "joint_lead": r.get("joint_lead", "")}
    for col, allowed in (("kind", FUNCTION_KINDS), ("delivery", DELIVERY)):
        if out[col] not in allowed:
            problems.append(Problem(name, f"'{out[col]}' is not one of {', '.join(allowed)}", where, col))
    if out["joint_lead"] and out["joint_lead"] not in ids:
        problems.append(Problem(name, f"lead body '{out['joint_lead']}' is not among the function's bodies", where, "joint_lead"))
    target = tuple(t.strip() for t in r.get("target", "").split(";") if t.strip())
    for t in target:
        if t not in LEVELS:
            problems.append(Problem(name, f"unknown level '{t}'", where, "target"))
    if out["decided"] and not target:
        problems.append(Problem(name, f"decided by {out['decided']} but no target level says where", where, "target"))
    if target and not out["decided"]:
        problems.append(Problem(name, "a target level needs the concept's § that decides it (decided)", where, "decided"))
    out["target"] = target
    share = r.get("share", "")
    if share:
        try:
            out["share"] = float(share)
        except ValueError:
            problems.append(Problem(name, f"'{share}' is not a number", where, "share"))
        else:
            if not 0 < out["share"] <= 1:
                problems.append(Problem(name, f"share {share} is outside (0, 1]", where, "share"))
            if not r.get("need_function"):
                problems.append(Problem(name, "a share needs the needs line it is a share of (need_function)", where, "share"))
            if not out["cost_source"]:
                problems.append(Problem(name, "a share needs its source or the word ILLUSTRATIVE (cost_source)", where, "cost_source"))
    return out


def _check_shares(reg: Registry, problems: list[Problem]) -> None:
    """The functions sharing one needs line cannot cost more than the line."""
    by_line: dict[str, list[Function]] = {}
    for f in reg.functions.values():
        if f.share is not None:
            by_line.setdefault(f.need_function, []).append(f)
    for line, fs in by_line.items():
        total = sum(f.share for f in fs if f.share is not None)  # all are: by_line holds shared functions only
        if total > 1 + 1e-9:
            problems.append(Problem("functions.csv", f"the shares of needs line '{line}' add up to {total:g} > 1: "
                                    + ", ".join(f"{f.id} {f.share:g}" for f in fs), f"line {fs[-1].row}", "share"))
