"""§3.4 readiness of the rural level: before functions (and an own budget) go to the okrugs of a district, the
district must show at least two budget cycles of practice, qualified staff in the akims' apparatuses, a district
finance department able to consolidate the okrugs' budgets and administer their subventions, and control of the
movement of their funds.

readiness.csv (registry folder): district (unit code), budget_cycles (whole number), qualified_staff,
finance_capacity, funds_control (true/false), status, source. A district with no row is not ready ("no data").
"""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from ..errors import InterbudgetError, Problem
from ..hierarchy import LEVELS
from .registry import FALSE, TRUE

MIN_CYCLES = 2  # §3.4: "at least two budget cycles"
CONDITIONS = {"qualified_staff": "no qualified staff for forming and executing a budget",
              "finance_capacity": "the district finance department cannot take on the okrugs' budgets",
              "funds_control": "no control of the movement of the okrugs' funds"}


def load_readiness(folder: Path | None) -> dict[str, dict] | None:
    path = Path(folder) / "readiness.csv" if folder else None
    if path is None or not path.is_file():
        return None
    out, problems = {}, []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for i, r in enumerate(csv.DictReader(fh), start=2):
            r = {k: (v or "").strip() for k, v in r.items() if k}
            where = f"line {i}"
            if not r.get("budget_cycles", "").isdigit():
                problems.append(Problem("readiness.csv", f"'{r.get('budget_cycles')}' is not a whole number", where, "budget_cycles"))
                continue
            row = {"budget_cycles": int(r["budget_cycles"]), "status": r.get("status", ""), "source": r.get("source", "")}
            for c in CONDITIONS:
                v = r.get(c, "").lower()
                if v not in TRUE + FALSE:
                    problems.append(Problem("readiness.csv", f"'{v}' is not true or false", where, c))
                row[c] = v in TRUE
            out[r.get("district", "")] = row
    if problems:
        raise InterbudgetError(problems)
    return out


def reasons(row: dict | None) -> list[str]:
    if row is None:
        return ["no readiness data for the district"]
    out = [f"{row['budget_cycles']} budget cycle(s) of practice, fewer than {MIN_CYCLES}"] if row["budget_cycles"] < MIN_CYCLES else []
    return out + [msg for c, msg in CONDITIONS.items() if not row[c]]


def not_ready(h, okrugs: np.ndarray, readiness: dict[str, dict] | None) -> list[dict]:
    """The okrugs (unit indices) whose district fails a §3.4 condition, with the reasons."""
    if readiness is None:
        return []
    okrugs = np.unique(okrugs)
    district = h.anc[LEVELS.index("district")][okrugs]
    why = {int(d): "; ".join(reasons(readiness.get(h.codes[d]))) for d in np.unique(district[district >= 0]).tolist()}  # per district
    failing = np.array([bool(why.get(int(d), "no district")) for d in np.unique(district).tolist()])
    bad = okrugs[np.isin(district, np.unique(district)[failing])]
    return [{"code": h.codes[u], "name": h.name(u, "en"), "district": h.codes[h.anc[LEVELS.index("district")][u]],
             "reasons": why.get(int(h.anc[LEVELS.index("district")][u]), "no district")} for u in bad.tolist()]
