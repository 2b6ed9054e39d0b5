"""The registry of state functions and the bodies that perform them, loaded and checked like a dataset.

bodies.csv: id, name_kk, name_ru, name_en, kind (central, territorial, akimat, other), level.
functions.csv: id, name_kk, name_ru, name_en, group (functional group of the budget classification),
cofog, type (policy, executive, regulatory, service), priority, legal_basis (empty: none), inherent
(true/false), bodies (ids separated by ';'), finances (a level or empty), executes (a level), driver,
national, local, scale, spillover, proximity, uniform (attributes in [0, 1] for the §3.2 criteria),
communal_property (true/false), status (real / illustrative), source; optional need_function (the function of
needs.csv that holds its cost) and norm_republic, norm_region, norm_district, norm_rural (spending norm per
unit of its driver at each level: a move values the cost at the receiving level's norm).
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
    need_function: str = ""  # the function of needs.csv that holds its cost (default: its id)
    norms: dict[str, float] = field(default_factory=dict)  # spending norm per unit of driver, by level


@dataclass
class Registry:
    bodies: dict[str, Body]
    functions: dict[str, Function] = field(default_factory=dict)

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
        reg.functions[r["id"]] = Function(r["id"], {lg: r.get(f"name_{lg}", "") for lg in ("kk", "ru", "en")}, r["group"],
                                          r.get("cofog", ""), r["type"], r["priority"], r["legal_basis"], flags["inherent"], ids,
                                          r["finances"], r["executes"], r.get("driver", ""), attrs, flags["communal_property"],
                                          r.get("status", "illustrative"), r.get("source", ""), i,
                                          r.get("need_function") or r["id"], norms)
    if problems:
        raise InterbudgetError(problems)
    return reg
