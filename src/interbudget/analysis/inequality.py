"""Population-weighted inequality of a per-capita or capacity index across units."""
from __future__ import annotations

import numpy as np


def weighted_stats(x: np.ndarray, w: np.ndarray) -> dict[str, float]:
    """Gini, coefficient of variation, Theil and max/min of x with weights w (units with w = 0 are left out)."""
    keep = w > 0
    x, w = np.asarray(x, float)[keep], np.asarray(w, float)[keep]
    if x.size == 0:
        return {"mean": float("nan"), "gini": float("nan"), "cv": float("nan"), "theil": float("nan"), "max_min": float("nan")}
    total = w.sum()
    mean = float((w * x).sum() / total)
    order = np.argsort(x, kind="stable")
    xs, ws = x[order], w[order]
    cum = np.cumsum(ws)
    # Gini from the sorted values: sum w x (2 W_i - w_i - W) / (W sum w x)
    gini = float((ws * xs * (2 * cum - ws - total)).sum() / (total * (ws * xs).sum())) if (ws * xs).sum() else 0.0
    cv = float(np.sqrt((w * (x - mean) ** 2).sum() / total) / mean) if mean else float("nan")
    r = np.where(x > 0, x / mean, 1.0) if mean > 0 else np.ones_like(x)
    theil = float((w / total * np.where(x > 0, r * np.log(r), 0.0)).sum()) if mean > 0 else float("nan")
    lo = x.min()
    return {"mean": mean, "gini": gini, "cv": cv, "theil": theil, "max_min": float(x.max() / lo) if lo > 0 else float("inf")}
