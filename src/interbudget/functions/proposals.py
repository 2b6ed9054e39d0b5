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
from ..errors import InterbudgetError
from ..hierarchy import LEVELS
from ..rules.transfers import balance
from ..scenario import Scenario
from .costs import Lines, carve, cost_levels, paying_level
from .proposal_check import OUT_OF_STATE, check_proposal, load_proposal, proposal_kinds
from .registry import Registry

__all__ = ["OUT_OF_STATE", "apply", "base_lines", "check_proposal", "load_proposal", "move_needs", "proposal_kinds",
           "structure", "with_moves"]
MAX_BASE_DEPTH = 5


def _norm(f, level: str) -> float:
    v = f.norms.get(level)
    return 1.0 if v is None else v


def base_lines(ds: Dataset, reg: Registry, base: str | None, depth: int = 0) -> tuple[Lines, list[str], Registry, list[dict]]:
    """The needs as they stand in BASE: a registry state (today's data moved into it) or another proposal's result."""
    from .states import TODAY, at

    if base and base.endswith((".yaml", ".yml")):
        if depth >= MAX_BASE_DEPTH:
            raise InterbudgetError(f"{base}: proposals based on each other more than {MAX_BASE_DEPTH} deep (a cycle?)")
        folder = Path(reg.folder or ".") / "proposals"
        prior = load_proposal(folder / base, reg)
        lines, ids, breg, _ = base_lines(ds, reg, prior.get("base"), depth + 1)
        notes = _moves(ds, breg, lines, ids, prior)
        return lines, ids, with_moves(breg, prior), notes
    today = at(reg, TODAY)
    lines, ids = carve(ds, today)
    if not base or base == TODAY:
        return lines, ids, today, []
    state = at(reg, base)
    steps = []
    for fid in ids:
        f, g = today.functions[fid], state.functions[fid]
        if not f.priced or f.need_function not in ds.functions:  # no cost in this dataset: nothing to move into the state
            continue
        a, b = cost_levels(today, f), cost_levels(state, g)
        if a == b:
            continue
        if not b:
            steps.append({"function": fid, "from": min(a, key=LEVELS.index), "to": "abolish"})
            continue
        for lv in sorted(a - b, key=LEVELS.index):  # a level that no longer holds it: to the nearest that does
            near = min(b, key=lambda x: (abs(LEVELS.index(x) - LEVELS.index(lv)), LEVELS.index(x)))
            steps.append({"function": fid, "from": lv, "to": near})
    notes = _moves(ds, today, lines, ids, {"effective_year": 0, "moves": steps})
    return lines, ids, state, notes


def move_needs(ds: Dataset, reg: Registry, proposal: dict) -> tuple[Needs, list[dict]]:
    """The dataset's needs after the proposal's moves (from its base state), and a note per move."""
    lines, ids, breg, _ = base_lines(ds, reg, proposal.get("base"))
    notes = _moves(ds, breg, lines, ids, proposal)
    for n in notes:
        n.pop("receivers", None)
    return lines.needs(), notes


def _moves(ds: Dataset, reg: Registry, lines: Lines, ids: list[str], proposal: dict) -> list[dict]:
    h = ds.hierarchy
    notes = []
    for m in proposal["moves"]:
        f = reg.functions[m["function"]]
        label = f"{f.id}: {m['from']} -> {m['to']}"
        if m.get("cost", proposal.get("cost")) == "none":
            notes.append({"move": label, "moved": 0.0, "after": 0.0, "cost": "none (declared in the proposal)"})
            continue
        if f.need_function not in ds.functions:
            raise InterbudgetError(f"move '{label}': the cost of '{f.id}' is a share of the needs line '{f.need_function}', which "
                                   f"this dataset's needs.csv does not have (lines: {', '.join(ds.functions)})")
        tag = ids.index(f.id)
        on = lines.year >= int(proposal["effective_year"])
        if m["from"] == "competitive":  # back from the competitive sector: the parked rows return, at their level first
            sel = on & (lines.tag == tag) & (lines.parked != 0)
            lines.amount[sel], lines.parked[sel] = lines.parked[sel], 0.0
            src = int(np.bincount(h.level[lines.unit[sel]]).argmax()) if sel.any() else LEVELS.index(m["to"])
            if not sel.any():
                raise InterbudgetError(f"move '{label}': '{f.id}' is not in the competitive sector in the proposal's base")
            if LEVELS.index(paying_level(reg, m.get("body_to"), m["to"])) == src:
                back = float(lines.amount[sel].sum())
                notes.append({"move": label, "moved": back, "after": back, "norm_ratio": 1.0, "merged": False, "stayed": 0.0,
                              "cost": "returned from the competitive sector to the level it left"})
                continue
        else:
            src = LEVELS.index(paying_level(reg, m.get("body_from"), m["from"]))
            sel = on & (lines.tag == tag) & (h.level[lines.unit] == src) & (lines.parked == 0) & (lines.amount != 0)
        moved = float(lines.amount[sel].sum())
        if m["to"] in OUT_OF_STATE:
            if m["to"] == "competitive":
                lines.parked[sel] = lines.amount[sel]
            lines.amount[sel] = 0.0
            notes.append({"move": label, "moved": moved, "after": 0.0})
            continue
        dst = LEVELS.index(paying_level(reg, m.get("body_to"), m["to"]))
        if dst == src:
            notes.append({"move": label, "moved": 0.0, "after": 0.0, "norm_ratio": 1.0, "merged": False, "stayed": moved,
                          "cost": f"paid by the {LEVELS[src]} budget before and after (a body financed from it)"})
            continue
        merged = bool((on & (lines.tag == tag) & (h.level[lines.unit] == dst) & (lines.amount != 0)).any())
        ratio = _norm(f, m["to"]) / _norm(f, m["from"]) if m["from"] in LEVELS else 1.0
        stayed = _relocate(h, lines, np.flatnonzero(sel), src, dst, ratio, bool(m.get("split")))
        notes.append({"move": label, "moved": moved - stayed, "after": (moved - stayed) * ratio, "norm_ratio": ratio,
                      "merged": merged, "stayed": stayed, "receivers": _receivers(h, lines, sel, dst)})
    return notes


def _receivers(h, lines: Lines, sel: np.ndarray, dst: int) -> np.ndarray:
    """The budget units at level DST now holding the moved rows (and the rows split off them)."""
    u = lines.unit[np.flatnonzero(sel)]
    extra = lines.unit[sel.size:] if lines.unit.size > sel.size else np.empty(0, np.int64)
    both = np.concatenate([u, extra])
    return np.unique(both[h.level[both] == dst])


def _relocate(h, lines: Lines, idx: np.ndarray, src: int, dst: int, ratio: float, split: bool = False) -> float:
    """Move rows IDX from level SRC to DST; what stayed (no budget below to take it). SPLIT (down only): only the
    rows serving a territory at the receiving level go back to it; the rest stays where it is (§1.4: a split)."""
    stayed = 0.0
    if dst < src:  # up: the budget at the receiving level on the row's path
        anc = h.anc[dst][lines.unit[idx]]
        lines.unit[idx] = h.budget_units[h.budget_of[anc]]
        lines.amount[idx] *= ratio
        return stayed
    back = h.anc[dst][lines.territory[idx]]  # down: back to the territory it serves, else split by population
    home = (back >= 0) & h.has_budget[np.maximum(back, 0)]
    lines.unit[idx[home]] = back[home]
    lines.amount[idx[home]] *= ratio
    if split:
        return float(lines.amount[idx[~home]].sum())
    for i in idx[~home].tolist():  # a loop over the rows of one function at one level (a few hundred)
        kids = np.flatnonzero((h.anc[src] == lines.unit[i]) & (h.level == dst) & h.has_budget)
        if kids.size == 0:
            stayed += float(lines.amount[i])  # nobody below (a city without okrug budgets): the need stays
            continue
        pop = h.population[kids]
        w = pop / pop.sum() if pop.sum() > 0 else np.full(kids.size, 1 / kids.size)
        lines.add(np.full(kids.size, i), lines.amount[i] * ratio * w, int(lines.tag[i]), unit=kids.astype(np.int64))
        lines.amount[i] = 0.0
    return stayed


def with_moves(reg: Registry, proposal: dict, state: str | None = None) -> Registry:
    """The registry after the proposal's moves: the moved functions' performers and levels (a new dated state)."""
    fns = dict(reg.functions)
    for m in proposal.get("moves", []):
        f = fns[m["function"]]
        kept = [b for b in f.bodies if reg.bodies[b].level != m["from"]]
        if m["to"] in OUT_OF_STATE:
            fns[f.id] = replace(f, bodies=kept, executes="" if f.executes == m["from"] else f.executes,
                                finances="" if f.finances == m["from"] else f.finances, delivery="competitive")
            continue
        gone = [b for b in f.bodies if reg.bodies[b].level == m["from"]]
        to = [m["body_to"]] if m.get("body_to") else [b for b in reg.bodies if reg.bodies[b].level == m["to"]
                                                     and reg.bodies[b].kind == "akimat"][:1] or gone
        fins = f.finances if f.finances != m["from"] else paying_level(reg, to[0] if to else None, m["to"])
        fns[f.id] = replace(f, bodies=sorted(set(kept + to), key=(kept + to).index),
                            executes=m["to"] if f.executes in ("", m["from"]) else f.executes, finances=fins,
                            delivery="own_institution" if m["from"] == "competitive" else f.delivery)
    return replace(reg, functions=fns, state=state or reg.state)


def apply(ds: Dataset, reg: Registry, proposal: dict, scenario: Scenario) -> dict:
    """Price PROPOSAL from its base state: each budget's needs, transfers and balance before and after, the okrugs
    that fail the §3.4 readiness conditions when functions go to the rural level, the model structure after."""
    from .readiness import load_readiness, not_ready

    ds = ds.with_needs_basis(scenario.needs_basis)  # the moves act on the scenario's needs basis
    lines, ids, breg, _ = base_lines(ds, reg, proposal.get("base"))
    base = run(replace(ds, needs=lines.needs()), scenario)
    notes = _moves(ds, breg, lines, ids, proposal)
    res = run(replace(ds, needs=lines.needs()), scenario)
    okrugs = [n.pop("receivers") for n in notes if "receivers" in n]
    rural = [u for u in okrugs if u.size and ds.hierarchy.level[u[0]] == LEVELS.index("rural")]
    unready = not_ready(ds.hierarchy, np.concatenate(rural), load_readiness(reg.folder)) if rural else []
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
    return {"proposal": proposal.get("name", ""), "base": proposal.get("base") or "today", "kind": proposal.get("kind", ""),
            "moves": notes, "budgets": rows, "unfunded_mandates": flags,
            "national_needs": [{"year": y, "before": a, "after": b, "change": b - a} for y, (a, b) in zip(base.years, national, strict=True)],
            "structure": structure(breg, proposal), "not_ready": unready}


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
