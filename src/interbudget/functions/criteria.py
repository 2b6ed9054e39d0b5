"""The §3.2 criteria as rules: a recommended level per function, with the reasons.

Each attribute in [0, 1] pulls the function up (national significance, spill-over beyond one unit,
scale economies, need for uniform standards) or down (local significance, proximity and efficiency);
the weights are parameters. A function whose score stays in the local range goes to the lowest local
level its scale allows.

What the concept itself assigns (a function's `decided` § and `target` level) is a constraint, not a score:
it is shown as decided with its §, and an assignment asked for (ASSIGN) that contradicts it is refused, so no
recommendation can contradict the concept.
"""
from __future__ import annotations

from ..errors import InterbudgetError
from ..hierarchy import LEVELS

UP = ("national", "spillover", "scale", "uniform")
DOWN = ("local", "proximity")
DEFAULT_WEIGHTS = {"national": 2.0, "spillover": 1.0, "scale": 1.0, "uniform": 1.0, "local": 1.5, "proximity": 1.0}
THRESHOLDS = ((0.35, "republic"), (0.05, "region"), (-0.3, "district"), (float("-inf"), "rural"))  # any score has a level
REASONS = {"national": "national significance (§3.2.1)", "spillover": "effects beyond one unit: escalate (§3.2.4)",
           "scale": "economies of scale (§3.2.4)", "uniform": "uniform national standards (§3.2.1)",
           "local": "local significance (§3.2.2)", "proximity": "efficiency and proximity to the people (§3.2.3)"}


def check_assignments(reg, assign: dict[str, str]) -> None:
    """ASSIGN (function -> level) against the registry and the concept's decided assignments."""
    problems = []
    for fid, level in assign.items():
        f = reg.functions.get(fid)
        if f is None:
            problems.append(f"--assign {fid}={level}: unknown function '{fid}'")
        elif level not in LEVELS:
            problems.append(f"--assign {fid}={level}: unknown level '{level}' (one of {', '.join(LEVELS)})")
        elif f.decided and level not in f.target:
            problems.append(f"--assign {fid}={level} contradicts the concept: {f.decided} assigns '{fid}' to "
                            f"{' and '.join(f.target)}")
    if problems:
        raise InterbudgetError(problems)


def recommend(reg, weights: dict[str, float] | None = None, assign: dict[str, str] | None = None) -> list[dict]:
    w = {**DEFAULT_WEIGHTS, **(weights or {})}
    assign = assign or {}
    check_assignments(reg, assign)
    out = []
    for f in reg.functions.values():
        a = f.attributes
        total = sum(w[k] for k in UP + DOWN)
        score = (sum(w[k] * a[k] for k in UP) - sum(w[k] * a[k] for k in DOWN)) / total * 2
        now = reg.levels_of(f)
        if f.decided:  # the concept's own assignment: a constraint, shown with its §
            level, reasons = ";".join(f.target), [f"decided: {f.decided}"]
        elif f.id in assign:
            level, reasons = assign[f.id], ["assigned by the user"]
        else:
            level = next(lv for t, lv in THRESHOLDS if score > t)
            pulls = sorted(((w[k] * a[k] * (1 if k in UP else -1), k) for k in UP + DOWN), key=lambda x: -abs(x[0]))[:3]
            reasons = [f"{'up' if v > 0 else 'down'}: {REASONS[k]} {a[k]:.2f}" for v, k in pulls if v]
        target = level.split(";")
        out.append({"function": f.id, "name": f.name.get("en") or f.id, "score": score, "recommended": level,
                    "decided": f.decided, "today": now, "differs": sorted(now, key=LEVELS.index) != sorted(target, key=LEVELS.index),
                    "reasons": reasons, "one_body_one_level": len(f.bodies) == 1 and len(now) == 1})  # §3.2.5
    return out
