"""Reform proposals priced by the engine (concept §3.2, §3.3.1): moving a function moves its cost, and the
transfers follow.

A proposal (YAML): name, effective_year, moves: [{function, from, to (a level, "competitive" or
"abolish"), body_from, body_to}], and optionally fixed_amounts: true (decided after the medium-term
amounts were fixed: transfers stay, so a move down creates an unfunded mandate, flagged).

Each need keeps the territory it serves: moving up gives each lower budget's need to the budget above it
on its path; moving down gives a need back to the territory it came from, or splits it among the budgets
below by population; every amount is valued at the receiving level's norm (x norm_to / norm_from). So a
proposal and its inverse return every figure (unless the receiving level already held the function: a merge,
flagged, which a reverse move cannot split), and equal norms leave national needs unchanged.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from ..dataset import Dataset, Needs
from ..engine import run
from ..errors import InterbudgetError, Problem
from ..hierarchy import LEVELS
from ..rules.transfers import balance
from ..scenario import Scenario
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
    problems = []
    if not isinstance(p, dict) or not isinstance(p.get("moves"), list) or "effective_year" not in p:
        raise InterbudgetError(Problem(path.name, "a proposal needs name, effective_year and a list of moves"))
    if isinstance(p["effective_year"], bool) or not isinstance(p["effective_year"], int):
        problems.append(Problem(path.name, f"effective_year '{p['effective_year']}' is not a year", column="effective_year"))
    if not p["moves"]:
        problems.append(Problem(path.name, "the proposal has no moves", column="moves"))
    for i, m in enumerate(p["moves"]):
        key = f"moves[{i}]"
        if not isinstance(m, dict):
            problems.append(Problem(path.name, "a move is a mapping {function, from, to}", column=key))
            continue
        f = reg.functions.get(m.get("function"))
        if f is None:
            problems.append(Problem(path.name, f"unknown function '{m.get('function')}'", column=key))
            continue
        if m.get("from") not in LEVELS:
            problems.append(Problem(path.name, f"from: unknown level '{m.get('from')}'", column=key))
        if m.get("to") not in LEVELS and m.get("to") not in OUT_OF_STATE:
            problems.append(Problem(path.name, f"to: '{m.get('to')}' is not a level, competitive or abolish", column=key))
        if m.get("from") == m.get("to"):
            problems.append(Problem(path.name, f"from and to are the same level '{m.get('to')}'", column=key))
        for b in ("body_from", "body_to"):
            if m.get(b) and m[b] not in reg.bodies:
                problems.append(Problem(path.name, f"{b}: unknown body '{m[b]}'", column=key))
    if problems:
        raise InterbudgetError(problems)
    return p


def _norm(f, level: str) -> float:
    v = f.norms.get(level)
    return 1.0 if v is None else v


def move_needs(ds: Dataset, reg: Registry, proposal: dict) -> tuple[Needs, list[dict]]:
    """The dataset's needs after the proposal's moves (needs.csv rows; years from effective_year)."""
    h = ds.hierarchy
    n = ds.needs
    unit = h.budget_units[h.budget_of[n.unit]].astype(np.int64)  # the budget a row belongs to
    territory = n.unit.astype(np.int64).copy()                  # the territory it serves: kept through every move
    amount = n.amount.copy()
    on = n.year >= int(proposal["effective_year"])
    notes = []
    for m in proposal["moves"]:
        f = reg.functions[m["function"]]
        fid = ds.functions.index(f.need_function) if f.need_function in ds.functions else -1
        src = LEVELS.index(m["from"])
        sel = on & (n.function == fid) & (h.level[unit] == src) & (amount != 0)
        moved = float(amount[sel].sum())
        if m["to"] in OUT_OF_STATE:
            amount[sel] = 0.0
            notes.append({"move": f"{f.id}: {m['from']} -> {m['to']}", "moved": moved, "after": 0.0})
            continue
        dst = LEVELS.index(m["to"])
        # the receiving level already holds the function: a merge, which a reverse move cannot split again
        merged = bool(((n.function == fid) & (h.level[unit] == dst) & on & (amount != 0)).any())
        ratio = _norm(f, m["to"]) / _norm(f, m["from"])
        idx = np.flatnonzero(sel)
        stayed = 0.0
        if dst < src:  # up: the budget at the receiving level on the row's path
            anc = h.anc[dst][unit[idx]]
            unit[idx] = h.budget_units[h.budget_of[anc]]
            amount[idx] *= ratio
        else:  # down: back to the territory it serves, else split among the budgets below by population
            back = h.anc[dst][territory[idx]]
            home = (back >= 0) & h.has_budget[np.maximum(back, 0)]
            unit[idx[home]] = back[home]
            amount[idx[home]] *= ratio
            kids_of, amts_of, rows_of = [], [], []
            for i in idx[~home].tolist():  # a loop over the rows of one function at one level (a few hundred)
                kids = np.flatnonzero((h.anc[src] == unit[i]) & (h.level == dst) & h.has_budget)
                if kids.size == 0:
                    stayed += float(amount[i])  # nobody below (a city without okrug budgets): the need stays
                    continue
                pop = h.population[kids]
                w = pop / pop.sum() if pop.sum() > 0 else np.full(kids.size, 1 / kids.size)
                kids_of.append(kids)
                amts_of.append(amount[i] * ratio * w)
                rows_of.append(np.full(kids.size, i))
                amount[i] = 0.0
            if kids_of:
                kids, amts, parent_row = np.concatenate(kids_of), np.concatenate(amts_of), np.concatenate(rows_of)
                unit = np.concatenate([unit, kids])
                territory = np.concatenate([territory, kids])
                amount = np.concatenate([amount, amts])
                on = np.concatenate([on, np.ones(kids.size, bool)])
                n = Needs(np.concatenate([n.unit, kids.astype(n.unit.dtype)]), np.concatenate([n.year, n.year[parent_row]]),
                          np.concatenate([n.function, n.function[parent_row]]),
                          np.concatenate([n.priority, n.priority[parent_row]]), np.concatenate([n.amount, amts]))
        notes.append({"move": f"{f.id}: {m['from']} -> {m['to']}", "moved": moved - stayed, "after": (moved - stayed) * ratio,
                      "norm_ratio": ratio, "merged": merged, "stayed": stayed})
    return Needs(unit.astype(np.int32), n.year, n.function, n.priority, amount), notes


def apply(ds: Dataset, reg: Registry, proposal: dict, scenario: Scenario) -> dict:
    base = run(ds, scenario)
    needs, notes = move_needs(ds, reg, proposal)
    res = run(replace(ds, needs=needs), scenario)
    if proposal.get("fixed_amounts"):  # decided after the amounts were fixed: the base's transfers stay
        bal = balance(res.needs, res.plan.revenue, base.transfers)
        res.transfers, res.plan.transfers, res.plan.balance = base.transfers, base.transfers, bal
    h = base.hierarchy
    rows, flags = [], []
    for k, y in enumerate(base.years):
        for b in range(h.nb):
            d_need = res.needs[b, k] - base.needs[b, k]
            row = {"code": h.b_codes[b], "level": LEVELS[h.b_level[b]], "year": y, "needs_before": base.needs[b, k],
                   "needs_after": res.needs[b, k], "net_transfer_before": base.transfers.subvention[b, k] - base.transfers.withdrawal[b, k],
                   "net_transfer_after": res.transfers.subvention[b, k] - res.transfers.withdrawal[b, k],
                   "balance_before": base.plan.balance[b, k], "balance_after": res.plan.balance[b, k]}
            rows.append(row)
            if d_need > 1e-6 and row["balance_after"] < row["balance_before"] - 1e-6 and h.b_level[b] > 0:
                flags.append({"code": row["code"], "year": y, "added_need": d_need,
                              "unfunded": row["balance_before"] - row["balance_after"]})
    national = [(float(base.needs[:, k].sum()), float(res.needs[:, k].sum())) for k in range(len(base.years))]
    return {"proposal": proposal.get("name", ""), "moves": notes, "budgets": rows, "unfunded_mandates": flags,
            "national_needs": [{"year": y, "before": a, "after": b, "change": b - a} for y, (a, b) in zip(base.years, national)],
            "structure": structure(reg, proposal)}


def structure(reg: Registry, proposal: dict | None = None) -> list[dict]:
    """A model structure of local government (§3.2): per level, the functions performed and the bodies, after the moves."""
    moves = {m["function"]: m for m in (proposal or {}).get("moves", [])}
    out = []
    for f in reg.functions.values():
        levels: dict[str, list[str]] = {}
        for b in f.bodies:
            at = levels.setdefault(reg.bodies[b].level, [])
            if b not in at:  # a body listed twice performs the function once
                at.append(b)
        m = moves.get(f.id)
        if m:
            gone = levels.pop(m["from"], [])
            if m["to"] in OUT_OF_STATE:
                out.append({"level": m["to"], "function": f.id, "bodies": ""})
            else:
                to = [m["body_to"]] if m.get("body_to") else [b for b in gone if b != m.get("body_from")] or gone
                levels[m["to"]] = sorted(set(levels.get(m["to"], []) + to))
        for lvl, bodies in levels.items():
            out.append({"level": lvl, "function": f.id, "bodies": ";".join(bodies)})
    return sorted(out, key=lambda r: (LEVELS.index(r["level"]) if r["level"] in LEVELS else 9, r["function"]))
