"""Optimized region shares for options 2 and 4 (concept §3.3.2), with HiGHS.

A linear program chooses one share s_c per region, fixed for the medium term,
to minimize total subventions and withdrawals, or (a mixed-integer program)
the number of withdrawals, subject to the cap, an optional uniformity
constraint (every share within `max_spread` of a common value) and a floor
for the republican budget's balance. (With withdrawal_rate 1 the republic's balance does not depend on the shares —
it carries the national balance — so its floor binds only below 1.) The tiers below are taken as in the run
(computed shares are set as if M3 below, METHOD.md): for each region and year
G(s) = G0 - s Q, subvention S = max(G, 0), withdrawal W = rate x max(-G, 0).
"""
from __future__ import annotations

import os
from contextlib import contextmanager

import highspy
import numpy as np

from ..engine import Result
from ..errors import InterbudgetError
from ..rules.status import HALF_TIYN


@contextmanager
def _quiet():
    """HiGHS prints a banner from C++ on creation: keep the CLI's output clean."""
    fd = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(fd, 1)
        os.close(fd)


def problem(res: Result) -> dict:
    """The data of the program, from a run of option 2 or 4."""
    rs = next((c for c in res.computed if c.level == "region"), None)
    if rs is None:
        raise InterbudgetError("optimized shares need a scenario with option 2 or 4")
    if any(m != "M3" for m in res.scenario.methods_used()):
        raise InterbudgetError("optimized shares assume M3 below the region (as METHOD.md computes shares); use a scenario with M3")
    h = res.hierarchy
    b = h.budget_index_of_unit[rs.units]
    rep = h.b_republic
    tr = res.transfers
    rate = res.scenario.withdrawal_rate
    surplus = np.where(rate > 0, tr.withdrawal[b] / max(rate, 1e-300), np.maximum(-tr.gap[b], 0.0))
    # the republic's balance without the regions' shares and transfers: what the program moves
    base = res.plan.balance[rep] + (rs.share[:, None] * rs.q).sum(axis=0) - (rate * surplus).sum(axis=0) + tr.subvention[b].sum(axis=0)
    return {"units": rs.units, "codes": [h.codes[u] for u in rs.units.tolist()], "g0": rs.g0, "q": rs.q, "cap": rs.cap,
            "rate": rate, "republic_base": base, "current": rs.share}


def solve(p: dict, objective: str = "transfers", max_spread: float | None = None,
          republic_floor: float | np.ndarray | None = None) -> dict:
    # amounts of trillions are poorly conditioned next to shares in [0, 1]: solve in scaled units
    unit = float(max(np.abs(p["g0"]).max(), np.abs(p["q"]).max(), 1.0)) / 1e3
    g0, q, cap, rate = p["g0"] / unit, p["q"] / unit, p["cap"], p["rate"]
    n, ny = g0.shape
    with _quiet():
        hs = highspy.Highs()
    hs.setOptionValue("output_flag", False)
    s = [hs.addVariable(lb=0.0, ub=float(cap[c])) for c in range(n)]
    S = [[hs.addVariable(lb=0.0) for _ in range(ny)] for _ in range(n)]
    X = [[hs.addVariable(lb=0.0) for _ in range(ny)] for _ in range(n)]  # surplus; the withdrawal is rate x surplus
    for c in range(n):
        for y in range(ny):
            hs.addConstr(S[c][y] - X[c][y] + float(q[c, y]) * s[c] == float(g0[c, y]))
    if max_spread is not None:
        t = hs.addVariable(lb=0.0, ub=1.0)
        for c in range(n):
            hs.addConstr(s[c] - t <= max_spread / 2)
            hs.addConstr(t - s[c] <= max_spread / 2)
    if republic_floor is not None:
        floor = np.broadcast_to(np.asarray(republic_floor, float), (ny,))
        for y in range(ny):
            expr = sum(-float(q[c, y]) * s[c] + rate * X[c][y] - S[c][y] for c in range(n))
            hs.addConstr(expr >= float((floor[y] - p["republic_base"][y]) / unit))
    transfers = sum(S[c][y] + rate * X[c][y] for c in range(n) for y in range(ny))
    if objective == "withdrawal_budgets":
        big = np.abs(g0).max() + np.abs(q).max() + 1.0
        z = [[hs.addBinary() for _ in range(ny)] for _ in range(n)]
        for c in range(n):
            for y in range(ny):
                hs.addConstr(X[c][y] <= float(big) * z[c][y])
        scale = 1.0 / (float(np.abs(g0).sum()) + 1.0)  # transfers only break ties between equal counts
        hs.minimize(sum(z[c][y] for c in range(n) for y in range(ny)) + scale * transfers)
    elif objective == "transfers":
        hs.minimize(transfers)
    else:
        raise InterbudgetError(f"unknown objective '{objective}': choose transfers or withdrawal_budgets")
    status = hs.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise InterbudgetError(f"no shares satisfy the constraints ({hs.modelStatusToString(status)}): "
                               "lower the republic's floor or widen the spread")
    return evaluate(p, np.clip(np.array([hs.val(v) for v in s]), 0.0, cap))


def evaluate(p: dict, share: np.ndarray) -> dict:
    """The same measures for given shares (the computed ones, or a brute-force candidate)."""
    gap = p["g0"] - share[:, None] * p["q"]
    sub, wd = np.maximum(gap, 0.0), p["rate"] * np.maximum(-gap, 0.0)
    return {"share": share, "subventions": float(sub.sum()), "withdrawals": float(wd.sum()), "withdrawal_budgets": int((wd >= HALF_TIYN).sum()),
            "republic_balance": [float(x) for x in p["republic_base"] - (share[:, None] * p["q"]).sum(axis=0) + wd.sum(axis=0) - sub.sum(axis=0)]}


def trade_off(p: dict, points: int = 8, republic_floor: float | None = None) -> list[dict]:
    """Total transfers against uniformity: the largest spread allowed between regions' shares, from one
    share for all (0) to none (the cap). The concept's complaint about option 2: many different norms look
    subjective; this says what each step towards one norm costs in subventions and withdrawals."""
    out = []
    for spread in np.linspace(0.0, float(np.max(p["cap"])), points):
        try:
            r = solve(p, max_spread=float(spread), republic_floor=republic_floor)
        except InterbudgetError:
            continue
        out.append({"max_spread": float(spread), "transfers": r["subventions"] + r["withdrawals"],
                    "withdrawals": r["withdrawals"], "withdrawal_budgets": r["withdrawal_budgets"]})
    return out
