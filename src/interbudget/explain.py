"""Turn a run into a readable breakdown of one budget and year (kk/ru/en).

`explain` returns a plain dict (numbers at full precision, for `--json` and
the API); `render` (explain_render.py) turns it into text in the chosen language.
Which rule set a share is read from the stamps the rules left (rules/provenance.py).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .dataset import NEEDS_BASES, PAYERS, PRIORITIES
from .engine import Result
from .errors import InterbudgetError
from .explain_debt import debt_items, shortfall_section
from .explain_render import basis_line, render
from .hierarchy import LEVELS, REGION
from .i18n import catalog
from .rules.needs import FROM_DEBT, FROM_NORM, FROM_ROWS
from .rules.provenance import Stamp
from .rules.sharing import SHARED_LEVELS
from .vocab import KINDS

__all__ = ["basis_line", "explain", "render"]

MAX_CHILDREN = 10


def _stamp(res: Result, lvl: int, payer: int, tax: int, row: int) -> tuple[Stamp | None, str, str]:
    """The stamp of the rule that set this share (the republic: why it keeps the rest), with the row's unit
    code and the tax's name that fill it (rules/provenance.py)."""
    m = res.model
    taxname = res.dataset.taxes[tax]
    if lvl == 0:
        return m.stamps.get(int(m.republic[payer, tax])), "", taxname
    ls = res.tables[lvl]
    label = ls.label(row, res.hierarchy.codes)
    return m.stamps.get(int(ls.origin[row, payer, tax])), label[2] if label else "", taxname


def _revenue_items(res: Result, b: int, yk: int, track: str, provenance: bool) -> list[dict[str, Any]]:
    h = res.hierarchy
    rec = res.receipts_of(track)
    # explain checked that the track exists, and a track exists only where its receipts do; engine.run sets base_mask
    assert rec is not None and res.base_mask is not None
    sub, _ = rec.classify(res.base_mask).select_years([res.years[yk]])
    unit, tax, payer, amount = sub.unit, sub.tax, sub.payer, sub.amount
    items = []
    given = np.zeros(amount.size)
    for lvl in SHARED_LEVELS:
        ls = res.tables[lvl]
        frac = ls.fractions(sub)
        given += frac
        row = ls.row_of_unit[unit]
        sel = (h.share_target(lvl)[unit] == b) & (frac != 0)
        items += _group(res, sel, (unit, tax, payer, amount, frac, row), lvl, bool(lvl != h.b_level[b]), provenance)
    if b == h.b_republic:
        rest = 1.0 - given
        items += _group(res, rest != 0, (unit, tax, payer, amount, rest, np.zeros(unit.size, np.int32)), 0, False, provenance)
    return items


def _group(res: Result, sel: np.ndarray, cols: tuple[np.ndarray, ...], lvl: int, passed_up: bool, provenance: bool) -> list[dict[str, Any]]:
    """Receipts of one level grouped by tax, payer, table row and share, each with the stamp of its rule."""
    unit, tax, payer, amount, frac, row = cols
    if not sel.any():
        return []
    key = np.stack([tax[sel], payer[sel], row[sel], frac[sel]], axis=1).astype(np.float64)
    uniq, inv = np.unique(key, axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    sums = np.bincount(inv, weights=amount[sel], minlength=len(uniq))
    nunits = [np.unique(unit[sel][inv == g]).size for g in range(len(uniq))]
    out = []
    for g, (t, p, r, f) in enumerate(uniq):  # a loop over groups of the one budget explained
        stamp, code, taxname = _stamp(res, lvl, int(p), int(t), int(r))
        item = {
            "tax": taxname, "payer": PAYERS[int(p)], "level": LEVELS[lvl], "receipts": float(sums[g]),
            "units": nunits[g], "share": float(f), "amount": float(sums[g] * f), "passed_up": bool(passed_up),
            "rule": "" if stamp is None else stamp.text(code, taxname),
        }
        if provenance:
            item["provenance"] = None if stamp is None else stamp.as_dict(code, taxname)
        out.append(item)
    return out


def _factors(ds, h, u: int) -> dict[int, list[dict]]:
    """Correction factors of a budget by function, for the explanation of its coefficient."""
    c = ds.coefficients
    out: dict[int, list[dict]] = {}
    for i in np.flatnonzero(c.unit == u).tolist():
        out.setdefault(int(c.function[i]), []).append({"factor": c.factor[i] or "coefficient", "value": float(c.coefficient[i]),
                                                       "reference": c.reference[i] if c.reference else ""})
    return out


def explain(res: Result, code: str, year: int, track: str = "plan", lang: str = "en", provenance: bool = False) -> dict[str, Any]:
    """The breakdown of budget CODE in YEAR on TRACK. With `provenance`, every revenue item, the computed
    share and the run's quantities carry the stamp of the rule that set them (rule, section, parameter, reference)."""
    catalog(lang)  # fail early on an unknown language
    ds = res.dataset
    h = res.hierarchy
    idx = h.unit_index()
    if code not in idx:
        raise InterbudgetError(f"unknown unit code '{code}' (not in units.csv)")
    u = idx[code]
    if not h.has_budget[u]:
        bu = h.budget_unit_of[u]
        raise InterbudgetError(f"unit '{code}' has no budget of its own; it is part of the budget of '{h.codes[bu]}' — explain that code")
    if year not in res.years:
        raise InterbudgetError(f"year {year} is not among the scenario's years {res.years}")
    if track not in ("plan", "actual", "revised"):
        raise InterbudgetError(f"unknown track '{track}': choose plan, actual or revised")
    tr_obj = {t.name: t for t in res.tracks}.get(track)
    yk = res.years.index(year)
    if tr_obj is None or yk not in tr_obj.year_pos:
        raise InterbudgetError(f"no {track} track for {year} (actual rows exist only for years in receipts_actual.csv, "
                               "revised rows only from the scenario's revision.from_year)")
    b = int(h.budget_index_of_unit[u])
    t = tr_obj.transfers
    pb = int(h.b_parent[b])
    children = np.flatnonzero(h.b_parent == b)
    kids = sorted(children.tolist(), key=lambda k: -abs(t.subvention[k, yk] - t.withdrawal[k, yk]))
    items = res.need_items
    sel = (items.budget == b) & (items.year == yk)
    needs = []
    basis_file = NEEDS_BASES[ds.needs_basis] + ".csv"  # the needs basis the scenario chose (docs/METHOD.md)
    direct = sel & (items.source == FROM_ROWS)
    kinds = items.kinds()
    for f, p, kd in sorted(set(zip(items.function[direct].tolist(), items.priority[direct].tolist(), kinds[direct].tolist(), strict=True))):
        m = direct & (items.function == f) & (items.priority == p) & (kinds == kd)
        needs.append({"function": ds.functions[f], "priority": PRIORITIES[p], "kind": KINDS[kd], "source": basis_file,
                      "rows": int(m.sum()), "amount": float(items.amount[m].sum())})
    factors = _factors(ds, h, u)
    needs += debt_items(res, b, yk)
    for i in np.flatnonzero(sel & (items.source != FROM_ROWS) & (items.source != FROM_DEBT)).tolist():
        k, f = int(items.row[i]), int(items.function[i])
        it = {"function": ds.functions[f], "priority": PRIORITIES[items.priority[i]], "coefficient": float(items.coefficient[i]),
              "factors": factors.get(f, []), "amount": float(items.amount[i])}
        if items.source[i] == FROM_NORM:
            it.update(source="norm", norm=float(ds.norms.norm[k]), driver=ds.driver_names[ds.norms.driver[k]],
                      driver_value=float(items.quantity[i]))
        else:
            nw = ds.networks
            assert nw is not None  # network need items come only from networks.csv
            it.update(source="network", institution=nw.institution[k], institutions=float(items.quantity[i]),
                      cost=float(nw.cost[k]), population=float(h.population[u]), area=float(h.area[u]) if h.area is not None else 0.0,
                      per_population=None if np.isnan(nw.population_per_institution[k]) else float(nw.population_per_institution[k]),
                      per_area=None if np.isnan(nw.area_per_institution[k]) else float(nw.area_per_institution[k]),
                      reference=nw.reference[k])
        needs.append(it)
    out: dict[str, Any] = {
        "code": code, "name": h.name(u, lang), "level": LEVELS[h.level[u]], "year": year, "track": track,
        "scenario": res.scenario.name, "option": res.scenario.option,
        "parent": None if pb < 0 else {"code": h.b_codes[pb], "name": h.name(int(h.budget_units[pb]), lang)},
        "revenue": {"total": float(tr_obj.revenue[b, yk]), "items": _revenue_items(res, b, yk, track, provenance)},
        "needs": {"total": float(res.needs[b, yk]), "items": needs, "basis": ds.needs_basis, "file": basis_file},
        "transfers": {
            "own_gap": float(res.needs[b, yk] - tr_obj.basis[b, yk]),
            "basis": float(tr_obj.basis[b, yk]),
            "children_count": int(children.size),
            "children_subventions": float(t.subventions_paid[b, yk]),
            "children_withdrawals": float(t.withdrawals_received[b, yk]),
            "children": [{"code": h.b_codes[k], "name": h.name(int(h.budget_units[k]), lang),
                          "subvention": float(t.subvention[k, yk]), "withdrawal": float(t.withdrawal[k, yk])} for k in kids[:MAX_CHILDREN]],
            "gap": float(t.gap[b, yk]), "withdrawal_rate": res.scenario.withdrawal_rate,
            "subvention": float(t.subvention[b, yk]), "withdrawal": float(t.withdrawal[b, yk]),
            "is_republic": pb < 0,
        },
        "balance": float(tr_obj.balance[b, yk]),
        "capacity": sorted(res.scenario.capacity),
        "methods": None if h.level[u] == 0 else {
            "district": res.scenario.method_for("district", h.codes[h.anc[REGION][u]]),
            "rural": res.scenario.method_for("rural", h.codes[h.anc[REGION][u]])},
        "revision_from": res.scenario.revision.from_year if res.scenario.revision else None,
    }
    if res.coverage is not None and track == "plan":
        cv = res.coverage
        out["coverage"] = {k: float(getattr(cv, k)[b, yk]) for k in ("mandatory", "basic", "additional", "category1", "category2",
                                                                    "basic_covered", "additional_covered", "surplus")}
        if res.programs is not None:
            out["coverage"]["programs"] = [r for r in res.programs.rows if r["code"] == code and r["year"] == year]
    if tr_obj.needs is not None:
        out["needs"]["after_cuts"] = float(tr_obj.needs[b, yk])
    sf = shortfall_section(res, b, yk, track)
    if sf is not None:
        out["shortfall"] = sf
    mine = [r for r in res.mandates if r["code"] == code and r["year"] == year]
    if mine:
        out["mandates"] = mine
    if res.envelope is not None:
        env = [r for r in res.envelope.rows if r["code"] == code and r["year"] == year]
        if env:
            assert res.scenario.envelope is not None  # res.envelope is recorded only for a scenario's envelope
            out["envelope"] = {**env[0], "applies_to": res.scenario.envelope.applies_to}
    cs = res.computed_for(u)
    if cs is not None:
        i = cs.units.tolist().index(u)
        out["computed_share"] = {"level": cs.level, "rule": cs.rule, "taxes": cs.taxes, "cap": float(cs.cap[i]), "share": float(cs.share[i]),
                                 "years": [{"year": y, "g0": float(cs.g0[i, k]), "q": float(cs.q[i, k])} for k, y in enumerate(res.years)]}
        if provenance:
            out["computed_share"]["provenance"] = cs.stamp.as_dict(code)
    if provenance:
        out["provenance"] = {k: v.as_dict() for k, v in res.provenance.items()}
    return out
