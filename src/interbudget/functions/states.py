"""Dated states of the registry (concept §1, §3.4): who performs and finances each function at a date, and in a region.

states.csv: id, name_kk, name_ru, name_en, effective_from, effective_to (ISO dates; empty: open), status, source.
assignments.csv: state, region (a region's unit code; empty: every region), function, bodies ('-': not performed
in that state), finances, executes, status, source. A state is functions.csv with its assignment rows laid over it
(the national rows, then the region's); the state 'today' is functions.csv itself, plus its regional rows.
The Commission's accepted proposals add states of their own (functions/commission.py): a base state and moves.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from ..errors import InterbudgetError, Problem
from ..hierarchy import LEVELS
from .registry import Registry

TODAY = "today"


@dataclass(frozen=True)
class State:
    id: str
    name: dict[str, str]
    effective_from: date | None
    effective_to: date | None
    status: str
    source: str


def _date(v: str, file: str, where: str, col: str, problems: list[Problem]) -> date | None:
    if not v:
        return None
    try:
        return date.fromisoformat(v)
    except ValueError:
        problems.append(Problem(file, f"'{v}' is not a date (YYYY-MM-DD)", where, col))
        return None


def load_states(reg: Registry) -> tuple[dict[str, State], list[tuple[int, dict]]]:
    """The registry folder's states and assignment rows (a registry without the files has only 'today')."""
    states = {TODAY: State(TODAY, {"en": "today's assignment"}, None, None, "illustrative", "functions.csv")}
    rows: list[tuple[int, dict]] = []
    folder = reg.folder
    if folder is None:
        return states, rows
    problems: list[Problem] = []
    path = Path(folder) / "states.csv"
    if path.is_file():
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for i, r in enumerate(csv.DictReader(fh), start=2):
                where = f"line {i}"
                a = _date(r.get("effective_from", ""), "states.csv", where, "effective_from", problems)
                b = _date(r.get("effective_to", ""), "states.csv", where, "effective_to", problems)
                if a and b and b < a:
                    problems.append(Problem("states.csv", f"effective_to {b} is before effective_from {a}", where, "effective_to"))
                states[r["id"]] = State(r["id"], {lg: r.get(f"name_{lg}", "") for lg in ("kk", "ru", "en")}, a, b,
                                        r.get("status", ""), r.get("source", ""))
    path = Path(folder) / "assignments.csv"
    if path.is_file():
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for i, r in enumerate(csv.DictReader(fh), start=2):
                r = {k: (v or "").strip() for k, v in r.items() if k}
                where = f"line {i}"
                if r.get("state") not in states:
                    problems.append(Problem("assignments.csv", f"unknown state '{r.get('state')}'", where, "state"))
                if r.get("function") not in reg.functions:
                    problems.append(Problem("assignments.csv", f"unknown function '{r.get('function')}'", where, "function"))
                for body in _bodies(r.get("bodies", "")):
                    if body not in reg.bodies:
                        problems.append(Problem("assignments.csv", f"unknown body '{body}'", where, "bodies"))
                for col in ("finances", "executes"):
                    if r.get(col) and r[col] not in LEVELS:
                        problems.append(Problem("assignments.csv", f"unknown level '{r[col]}'", where, col))
                rows.append((i, r))
    if problems:
        raise InterbudgetError(problems)
    return states, rows


def _bodies(v: str) -> list[str]:
    return [] if v.strip() == "-" else [b.strip() for b in v.split(";") if b.strip()]


def at(reg: Registry, state: str = TODAY, region: str = "") -> Registry:
    """The registry as it stands in STATE (and in REGION: its own rows laid over the national ones)."""
    states, rows = load_states(reg)
    if state not in states:
        raise InterbudgetError(f"unknown registry state '{state}' (one of {', '.join(states)})")
    fns = dict(reg.functions)
    for scope in ("", region) if region else ("",):
        for _, r in rows:
            if r["state"] == state and r.get("region", "") == scope:
                f = fns[r["function"]]
                fns[f.id] = replace(f, bodies=_bodies(r["bodies"]), finances=r.get("finances", ""), executes=r.get("executes", ""))
    return replace(reg, functions=fns, state=state, region=region)


def parse_ref(ref: str) -> tuple[str, str]:
    """'state' or 'state@region' -> (state, region code)."""
    state, _, region = ref.partition("@")
    return state or TODAY, region


def diff(a: Registry, b: Registry) -> list[dict]:
    """What changed from A to B: per function whose performers, financing or execution differ."""
    out = []
    for fid, fa in a.functions.items():
        fb = b.functions[fid]
        la, lb = a.levels_of(fa), b.levels_of(fb)
        if (fa.bodies, fa.finances, fa.executes) == (fb.bodies, fb.finances, fb.executes):
            continue
        change = ("added" if not la and lb else "removed" if la and not lb else "moved" if la != lb
                  else "financing" if fa.finances != fb.finances else "execution" if fa.executes != fb.executes else "bodies")
        out.append({"function": fid, "name": fa.name.get("en") or fid, "change": change,
                    "levels_a": ";".join(la) or "-", "levels_b": ";".join(lb) or "-",
                    "bodies_a": ";".join(fa.bodies) or "-", "bodies_b": ";".join(fb.bodies) or "-",
                    "finances_a": fa.finances or "-", "finances_b": fb.finances or "-",
                    "executes_a": fa.executes or "-", "executes_b": fb.executes or "-", "decided": fa.decided})
    return out
