"""The Commission's review (concept §3.2: "the Commission reviews the split by sector and level"): a proposal's
agenda, sector by sector (the functional groups of the budget classification its moves touch), and the priced effect
of an accepted proposal on every budget, kept with the new registry state it becomes."""
from __future__ import annotations

from pathlib import Path

from ..dataset import Dataset
from ..scenario import Scenario
from .categories import load_classification
from .registry import Registry

EPS = 1e-6


def agenda(reg: Registry, proposal: dict, lang: str = "en") -> list[dict]:
    """One item per sector (functional group) with the moves in it, in the classification's order."""
    groups = load_classification(reg.folder) or {}
    items: dict[str, dict] = {}
    for m in proposal.get("moves", []):
        f = reg.functions[m["function"]]
        g = groups.get(f.group, {})
        item = items.setdefault(f.group, {"sector": f.group, "name": g.get(f"name_{lang}") or g.get("name_en") or f.group,
                                          "moves": []})
        item["moves"].append({**m, "name": f.name.get(lang) or f.name.get("en") or f.id, "decided": f.decided,
                              "target": ";".join(f.target), "priced": f.priced, "cost_source": f.cost_source})
    return [items[k] for k in sorted(items)]


def state_after(reg: Registry, proposal: dict) -> tuple[Registry, Registry]:
    """The registry in the proposal's base state and after its moves (no data needed)."""
    from .proposals import load_proposal, with_moves
    from .states import TODAY, at

    base = proposal.get("base") or TODAY
    if base.endswith((".yaml", ".yml")):
        prior = load_proposal(Path(reg.folder or ".") / "proposals" / base, reg)
        before = state_after(reg, prior)[1]
    else:
        before = at(reg, base)
    return before, with_moves(before, proposal)


def priced_effect(ds: Dataset, reg: Registry, proposal: dict, scenario: Scenario, scenario_label: str) -> dict:
    """What an accepted proposal does to every budget: the changed budget-years, the national needs, the moves, the
    okrugs not ready and the unfunded mandates, priced by the engine on the scenario."""
    from .proposals import apply

    r = apply(ds, reg, proposal, scenario)
    changed = [{"code": b["code"], "level": b["level"], "year": int(b["year"]),
                "needs": float(b["needs_after"] - b["needs_before"]),
                "net_transfer": float(b["net_transfer_after"] - b["net_transfer_before"]),
                "balance": float(b["balance_after"] - b["balance_before"])}
               for b in r["budgets"] if abs(b["needs_after"] - b["needs_before"]) > EPS
               or abs(b["net_transfer_after"] - b["net_transfer_before"]) > EPS]
    changed.sort(key=lambda b: -abs(b["needs"]))
    return {"scenario": scenario_label, "base": r["base"], "moves": [dict(m) for m in r["moves"]],
            "national_needs": r["national_needs"], "budgets": changed, "budgets_unchanged_are_zero": True,
            "not_ready": r["not_ready"], "unfunded_mandates": len(r["unfunded_mandates"]),
            "unfunded_amount": float(sum(f["unfunded"] for f in r["unfunded_mandates"]))}
