"""A measure's status on a date (concept conclusion: staged work with dated commitments).

The rule: a measure whose due date has passed at AT and that is not done (or dropped) by then is late. Its
recorded status is the file's, or the latest update recorded in the store up to AT (the Commission's and the
analysts' updates, each with its evidence). Done counts from its completion date when one is known.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ..errors import InterbudgetError
from .data import Measure, Programme

#: the order measures are listed in: late ones first, then what is under way, then the rest
ORDER = ("late", "in_progress", "planned", "unknown", "done", "dropped")


def parse_day(text: str | None, what: str = "--at") -> date:
    """A date as YYYY-MM-DD (today when empty); anything else is a clear error."""
    if not text:
        return date.today()
    try:
        if len(text) != 10 or not text.isascii():
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise InterbudgetError(f"{what} {text}: not a date (YYYY-MM-DD)") from None


def status_at(m: Measure, recorded: str, at: date, done_on: date | None = None) -> str:
    """The status of M at AT, given its RECORDED status (late: past due and not done by AT)."""
    done = recorded == "done" and (done_on is None or done_on <= at)
    if recorded == "done" and not done:
        recorded = "unknown"  # done later than AT: what it was at AT, no source says
    if m.due is not None and m.due < at and not done and recorded != "dropped":
        return "late"
    return recorded


def _day(x) -> date:
    return x.date() if isinstance(x, datetime) else x if isinstance(x, date) else date.fromisoformat(str(x)[:10])


def measure_rows(prog: Programme, at: date, updates: list[dict] | None = None) -> list[dict]:
    """Every measure at AT with its status, evidence, latest update and preconditions, late ones first.
    UPDATES: the store's status updates (measure, status, evidence, reference, author, created_at), oldest first."""
    latest: dict[str, dict] = {}
    trail: dict[str, list[dict]] = {}
    for upd in updates or []:
        if _day(upd["created_at"]) <= at:
            latest[upd["measure"]] = upd
            trail.setdefault(upd["measure"], []).append(upd)
    recorded: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    for m in prog.measures.values():
        u = latest.get(m.id)
        rec = u["status"] if u else m.status
        done_on = _day(u["created_at"]) if u and rec == "done" else m.done_on
        recorded[m.id] = status_at(m, rec, at, done_on)
        rows.append({"id": m.id, "function": m.function, "section": m.section, "text": m.text, "lead": m.lead,
                     "co_executors": m.co_executors, "due": m.due.isoformat() if m.due else "", "due_wording": m.due_wording,
                     "levels": m.levels, "regions": m.regions, "status": recorded[m.id], "recorded_status": rec,
                     "done_on": done_on.isoformat() if done_on else "",
                     "evidence": u["evidence"] if u else m.evidence, "evidence_ref": (u.get("reference") or "") if u else m.evidence_ref,
                     "updated_by": u["author"] if u else "", "updated_at": str(u["created_at"]) if u else "",
                     "trail": trail.get(m.id, []), "functions": m.functions, "proposals": m.proposals, "scenarios": m.scenarios})
    by_id = {r["id"]: r for r in rows}
    for p in prog.preconditions:
        met = (recorded[p.requires] == "done") if p.requires else {"met": True, "not_met": False}.get(p.status)
        by_id[p.measure].setdefault("preconditions", []).append(
            {"id": p.id, "requires": p.requires, "section": p.section, "condition": p.condition, "met": met})
    for r in rows:
        pre = r.setdefault("preconditions", [])
        r["preconditions_met"] = sum(1 for p in pre if p["met"] is True)
    return sorted(rows, key=lambda r: (ORDER.index(r["status"]), r["due"] or "9999", r["id"]))


def counts(rows: list[dict]) -> dict[str, int]:
    return {s: sum(1 for r in rows if r["status"] == s) for s in ORDER}


def concerns_region(row: dict, region: str) -> bool:
    """A measure concerns an akimat's region when it touches a local level and names that region or none."""
    return any(lv in ("region", "district", "rural") for lv in row["levels"]) and (not row["regions"] or region in row["regions"])
