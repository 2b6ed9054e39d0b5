"""District methods: how the local part of a tax is split between a parent and a child budget
(METHOD.md methods M1-M4; concept §1.6).

At one tier (region→district or district→rural) every child budget gets the method of its region: M3
is the scenario-wide split (no row of its own), M1 the scenario's `child_shares` table (a share above
the local part is an error naming the key), M4 the whole local part to the child, M2 the no-withdrawal
share of the regulated taxes (rules/share_context.py), computed with M3 below. Every cell is stamped.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..dataset import BASE, REGIONAL
from ..errors import InterbudgetError, Problem
from ..hierarchy import DISTRICT, REGION, Hierarchy
from ..scenario import Scenario
from .provenance import Stamp
from .share_context import SHARE_TOLERANCE, ComputedShares, ShareContext
from .sharing import ChildShares, ShareModel


def method_key(tier: int) -> str:
    return "district_method" if tier == DISTRICT else "rural_method"


M1 = Stamp("M1", "§1.6", "child_shares.{code}.{tax}", "child_shares['{code}'].{tax}", kind="child_share_m1")


def m2_stamp(tier: int) -> Stamp:
    return Stamp("M2", "§1.6", method_key(tier), "child-specific share (shares.csv)", kind="child_share_m2")


def m4_stamp(tier: int) -> Stamp:
    return Stamp("M4", "§1.6", method_key(tier), "the whole local part to the child", kind="child_share_m4")


def keep_stamp(method: str, tier: int) -> Stamp:
    """What the parent keeps of the local part once the child's share is set."""
    return Stamp(method, "§1.6", method_key(tier), "the local part minus the share of '{code}'", kind="parent_keeps")


def methods_of(s: Scenario, h: Hierarchy, tier: int, units: np.ndarray) -> np.ndarray:
    """The method of each child unit, by its region (a map falls back to M3)."""
    m = s.district_method if tier == DISTRICT else s.rural_method
    if isinstance(m, str):
        return np.full(units.size, m, dtype=object)
    region_method = np.full(h.n, "M3", dtype=object)
    idx = h.unit_index()
    for code, method in m.items():
        region_method[idx[code]] = method
    reg = h.anc[REGION][units]
    out: np.ndarray = np.where(reg >= 0, region_method[np.maximum(reg, 0)], "M3")
    return out


def _m1_shares(c: ShareContext, tier: int, units: np.ndarray, m1: np.ndarray, d: np.ndarray, lp: np.ndarray) -> None:
    """Set the M1 children's shares from `child_shares` in place; a share above the local part is an error."""
    h, s = c.h, c.s
    d[m1] = 0.0  # a tax or a child missing from the table gives 0
    pos = {u: i for i, u in enumerate(units.tolist())}
    tax_idx = {t: k for k, t in enumerate(c.taxes)}
    unit_of = h.unit_index()
    problems = []
    for code, shares in s.child_shares.items():  # a loop over the table, not over units
        i = pos.get(unit_of.get(code, -1))
        if i is None or not m1[i]:
            continue
        for tax, v in shares.items():
            if tax not in tax_idx:
                continue
            k = tax_idx[tax]
            for p in c.payers:  # option 4: base payers carry no share at any level
                d[i, p, k] = v
                if v > lp[i, p, k] + SHARE_TOLERANCE:
                    what = "the region's share + the district share" if tier == DISTRICT else "the district's share + the rural share"
                    problems.append(Problem(c.scenario_file, f"share {v:g} of '{tax}' for '{code}' is above the local part "
                                            f"{lp[i, p, k]:g} ({what}{', base payers' if p == BASE else ''})",
                                            column=f"child_shares.{code}.{tax}"))
    if problems:
        raise InterbudgetError(problems)


def child_shares(c: ShareContext, model: ShareModel, tier: int) -> tuple[ShareModel, list[ComputedShares]]:
    """Child-specific splits at one tier (METHOD.md district methods M1, M2, M4)."""
    h, s = c.h, c.s
    kids = (h.level == tier) & h.has_budget
    if tier == DISTRICT:  # the region→district tier exists where the region has a budget
        reg = h.anc[REGION]
        kids &= (reg >= 0) & h.has_budget[np.maximum(reg, 0)]
    units = np.flatnonzero(kids).astype(np.int32)
    methods = methods_of(s, h, tier, units)
    split = methods != "M3"
    units, methods = units[split], methods[split]
    if units.size == 0:
        return model, []
    st = model.stamps
    parent = model.parent_part(h, tier, units)  # what the parent level holds before the split
    default = np.broadcast_to(model.child_default(tier), parent.shape)
    lp = parent + default  # the local part
    d = default.copy()
    origin = np.broadcast_to(model.child_default_origin(tier), parent.shape).copy()
    keep_origin = np.empty_like(origin)
    for m in sorted(set(methods.tolist())):  # at most three methods
        keep_origin[methods == m] = st.id(keep_stamp(m, tier))
    m1, m2, m4 = (methods == "M1"), (methods == "M2"), (methods == "M4")
    if m1.any():
        _m1_shares(c, tier, units, m1, d, lp)
        origin[m1] = st.id(M1)
    d[m4] = lp[m4]  # M4: the whole local part to the child
    origin[m4] = st.id(m4_stamp(tier))
    sel = np.ix_(np.flatnonzero(m2), np.array(c.payers, dtype=np.intp), np.flatnonzero(c.regulated))
    if m2.any():  # provisional: no regulated share for the M2 children
        d[sel] = 0.0
        origin[sel] = st.id(m2_stamp(tier))

    def child(d: np.ndarray) -> ChildShares:
        keep = np.where(d == default, parent, lp - d)  # exact where the split is the scenario's own
        keep[m4] = 0.0
        return ChildShares(tier, units, methods.tolist(), d.copy(), keep, origin, keep_origin)

    def with_tier(model: ShareModel, t: ChildShares) -> ShareModel:
        return replace(model, tier1=t) if tier == DISTRICT else replace(model, tier2=t)

    model = with_tier(model, child(d))
    computed = []
    if m2.any():
        # bound: the smallest local part among the regulated taxes (METHOD.md M2; local parts from `sharing`)
        lp_reg = lp[np.ix_(np.flatnonzero(m2), np.array([REGIONAL], dtype=np.intp), np.flatnonzero(c.regulated))]
        cap = lp_reg.reshape(lp_reg.shape[0], -1).min(axis=1) if lp_reg.size else np.zeros(int(m2.sum()))
        cs = c.computed(model, tier, units[m2], cap, m2_stamp(tier))
        d[sel] = cs.share[:, None, None]
        model = with_tier(model, child(d))
        computed.append(cs)
    return model, computed
