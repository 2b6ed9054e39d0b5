"""The §3.2 criteria as rules: a recommended level per function, with the reasons.

Each attribute in [0, 1] pulls the function up (national significance, spill-over beyond one unit,
scale economies, need for uniform standards) or down (local significance, proximity and efficiency);
the weights are parameters. A function whose score stays in the local range goes to the lowest local
level its scale allows.
"""
from __future__ import annotations

UP = ("national", "spillover", "scale", "uniform")
DOWN = ("local", "proximity")
DEFAULT_WEIGHTS = {"national": 2.0, "spillover": 1.0, "scale": 1.0, "uniform": 1.0, "local": 1.5, "proximity": 1.0}
THRESHOLDS = ((0.35, "republic"), (0.05, "region"), (-0.3, "district"), (-1.01, "rural"))
REASONS = {"national": "national significance (§3.2.1)", "spillover": "effects beyond one unit: escalate (§3.2.4)",
           "scale": "economies of scale (§3.2.4)", "uniform": "uniform national standards (§3.2.1)",
           "local": "local significance (§3.2.2)", "proximity": "efficiency and proximity to the people (§3.2.3)"}


def recommend(reg, weights: dict[str, float] | None = None) -> list[dict]:
    w = {**DEFAULT_WEIGHTS, **(weights or {})}
    out = []
    for f in reg.functions.values():
        a = f.attributes
        total = sum(w[k] for k in UP + DOWN)
        score = (sum(w[k] * a[k] for k in UP) - sum(w[k] * a[k] for k in DOWN)) / total * 2
        level = next(lv for t, lv in THRESHOLDS if score > t)
        pulls = sorted(((w[k] * a[k] * (1 if k in UP else -1), k) for k in UP + DOWN), key=lambda x: -abs(x[0]))[:3]
        now = reg.levels_of(f)
        out.append({"function": f.id, "name": f.name.get("en") or f.id, "score": score, "recommended": level,
                    "today": now, "differs": now != [level],
                    "reasons": [f"{'up' if v > 0 else 'down'}: {REASONS[k]} {a[k]:.2f}" for v, k in pulls if v],
                    "one_body_one_level": len(f.bodies) == 1 and len(now) == 1})  # §3.2.5
    return out
