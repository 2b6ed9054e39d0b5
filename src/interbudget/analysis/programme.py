"""The programme's indicators, computed from runs and the functions registry: how far the figures moved the
way the concept intended. Each has a definition (i18n: programme.indicators.<id>) and the concept's baseline
where it gives one; per scenario they are computed for every year of its medium term, so the trend shows.

From a run (per level where it says so, per year):
- subvention_share (§3.4): the share of a level's budgets that receive a subvention; baseline for districts
  153 of 195 district and city budgets, 78 %, when the concept was written.
- withdrawal_budgets, withdrawal_volume (§1.6, §3.3.2): budgets paying a withdrawal, and the amount withdrawn.
- unfunded_mandate_budgets, unfunded_mandate_volume (§3.3.1): budgets left with a mandate they cannot pay, and its
  unfunded cost (mandates decided after the amounts were fixed, not compensated).
- okrugs_meeting_conditions (§3.4): the share of fourth-level units with a budget of their own in at least two
  budget years of the run so far (the "two budget cycles"), closing it (balance >= 0) in each. The other
  conditions (qualified staff, larger district finance departments, control of fund movements) are in no
  dataset and are not tested: the definition says so.
- dependence (§3.3.3): per level, subventions received over the level's needs.
From the registry:
- duplicated_functions (§1.2, §3.2 criterion 5): functions performed at more than one level or by more than one
  body at a level (the audit's vertical and horizontal duplication), count and share.
- article_legal_basis (§3.1): the share of functions whose legal basis names an article.
- unfunded_mandate_functions (§3.3.1): functions the registry's audit flags as unfunded mandates.
"""
from __future__ import annotations

import re

import numpy as np

from ..engine import Result
from ..hierarchy import LEVELS, RURAL

#: §3.4: "195 аудандық және қалалық бюджеттердiң 153-i немесе 78%-i субвенциялық бюджеттер"
DISTRICT_SUBVENTION_BASELINE = {"value": 153 / 195, "section": "§3.4", "text": "153 of 195 district and city budgets (78 %)"}

#: id, section, unit ('share', 'count', 'amount'), per level
RUN_INDICATORS = (("subvention_share", "§3.4", "share", True), ("withdrawal_budgets", "§1.6; §3.3.2", "count", False),
                  ("withdrawal_volume", "§1.6; §3.3.2", "amount", False), ("unfunded_mandate_budgets", "§3.3.1", "count", False),
                  ("unfunded_mandate_volume", "§3.3.1", "amount", False), ("okrugs_meeting_conditions", "§3.4", "share", False),
                  ("dependence", "§3.3.3", "share", True))
REGISTRY_INDICATORS = (("duplicated_functions", "§1.2; §3.2", "share"), ("article_legal_basis", "§3.1", "share"),
                       ("unfunded_mandate_functions", "§3.3.1", "count"))
_ARTICLE = re.compile(r"(\bart(icle)?\.?\s*\d|\bст(атья)?\.?\s*\d|\d+\s*-?\s*бап|\bбап\s*\d|\bп\.\s*\d)", re.IGNORECASE)


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.divide(a, b, out=np.full(np.shape(a), np.nan), where=np.asarray(b) != 0)


def run_indicators(res: Result) -> list[dict]:
    """One row per indicator, level ('' when not per level) and year of RES."""
    h, tr = res.hierarchy, res.transfers
    ny = len(res.years)
    rows: list[dict] = []

    def add(ind: str, level: str, values) -> None:
        unit = next(u for i, _, u, _ in RUN_INDICATORS if i == ind)
        base = DISTRICT_SUBVENTION_BASELINE["value"] if (ind, level) == ("subvention_share", "district") else None
        for k, y in enumerate(res.years):
            v = float(values[k])
            rows.append({"indicator": ind, "level": level, "year": y, "value": None if v != v else v, "unit": unit,
                         "baseline": base})

    for lvl in range(1, len(LEVELS)):
        b = h.b_level == lvl
        if not b.any():
            continue
        add("subvention_share", LEVELS[lvl], (tr.subvention[b] > 0).mean(axis=0))
        add("dependence", LEVELS[lvl], _div(tr.subvention[b].sum(axis=0), res.needs[b].sum(axis=0)))
    add("withdrawal_budgets", "", (tr.withdrawal > 0).sum(axis=0))
    add("withdrawal_volume", "", tr.withdrawal.sum(axis=0))
    unfunded = np.zeros((h.nb, ny))
    if res.mandates:
        pos = {c: i for i, c in enumerate(h.b_codes.tolist())}
        yk = {y: k for k, y in enumerate(res.years)}
        m = [(pos[r["code"]], yk[r["year"]], r["unfunded"]) for r in res.mandates if r["unfunded"] > 0]
        if m:
            bi, ki, amt = (np.array(x) for x in zip(*m, strict=True))
            np.add.at(unfunded, (bi, ki), amt)
    add("unfunded_mandate_budgets", "", (unfunded > 0).sum(axis=0))
    add("unfunded_mandate_volume", "", unfunded.sum(axis=0))
    add("okrugs_meeting_conditions", "", okrugs_meeting_conditions(res))
    return rows


def okrugs_meeting_conditions(res: Result) -> np.ndarray:
    """Per year: the share of fourth-level units that by then have had a budget of their own for at least two
    budget years of the run and closed it (balance >= 0) in each of them (§3.4's testable conditions)."""
    h = res.hierarchy
    okrugs = np.flatnonzero(h.level == RURAL)
    ny = len(res.years)
    if okrugs.size == 0:
        return np.full(ny, np.nan)
    own = h.has_budget[okrugs]
    pos = np.full(h.n, -1)
    pos[h.budget_units] = np.arange(h.nb)
    b = pos[okrugs[own]]
    closed = res.plan.balance[b] >= -1e-6  # (own okrugs, years)
    cycles = np.cumsum(closed, axis=1)
    ok_so_far = np.cumprod(closed, axis=1).astype(bool)  # closed in every year so far
    meets = (cycles >= 2) & ok_so_far
    return meets.sum(axis=0) / okrugs.size


def registry_indicators(reg) -> list[dict]:
    """The registry's indicators (a registry has no years): count and share of all its functions."""
    from ..functions.audit import audit

    n = len(reg.functions)
    found = audit(reg)
    dup = {f["function"] for f in found if f["audit"] in ("vertical duplication", "horizontal duplication")}
    unfunded = {f["function"] for f in found if f["audit"] == "unfunded mandate"}
    article = [f.id for f in reg.functions.values() if _ARTICLE.search(f.legal_basis or "")]

    def share(k: int) -> float | None:
        return k / n if n else None

    return [{"indicator": "duplicated_functions", "count": len(dup), "of": n, "value": share(len(dup)), "unit": "share",
             "functions": sorted(dup)},
            {"indicator": "article_legal_basis", "count": len(article), "of": n, "value": share(len(article)), "unit": "share",
             "functions": sorted(article)},
            {"indicator": "unfunded_mandate_functions", "count": len(unfunded), "of": n, "value": float(len(unfunded)),
             "unit": "count", "functions": sorted(unfunded)}]


def trends(rows: list[dict]) -> list[dict]:
    """Per indicator and level: the first and last year's values and the change between them."""
    out: dict[tuple[str, str], dict] = {}
    for r in rows:
        key = (r["indicator"], r["level"])
        t = out.setdefault(key, {"indicator": r["indicator"], "level": r["level"], "unit": r["unit"], "baseline": r["baseline"],
                                 "first_year": r["year"], "first": r["value"], "values": {}})
        t["values"][r["year"]] = r["value"]
        t["last_year"], t["last"] = r["year"], r["value"]
    for t in out.values():
        a, b = t["first"], t["last"]
        t["change"] = None if a is None or b is None else b - a
        t["trend"] = "" if t["change"] is None else ("↑" if t["change"] > 1e-9 else "↓" if t["change"] < -1e-9 else "=")
    return list(out.values())


def indicators(results: dict[str, Result], reg=None) -> dict:
    """The indicators of every scenario in RESULTS (name -> result) and of the registry REG (when given)."""
    return {"scenarios": {name: trends(run_indicators(res)) for name, res in results.items()},
            "registry": registry_indicators(reg) if reg is not None else [],
            "baseline": DISTRICT_SUBVENTION_BASELINE}


def report_status(res: Result, rows: list[dict], at: str) -> dict:
    """What the Excel and HTML reports show of the programme: the measures on AT (programme.status.measure_rows)
    and this run's indicators with their trend."""
    from ..programme.status import counts

    return {"at": at, "counts": counts(rows), "measures": rows, "indicators": trends(run_indicators(res))}
