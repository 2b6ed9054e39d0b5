"""The store's part for requests that soften the budget constraint (§1.7): filed with their price, commented and
decided, each operation one transaction with its audit row; appended, never overwritten."""
from __future__ import annotations

import json

from ..errors import InterbudgetError
from .store import Conflict, NotFound, Store, now

KINDS = ("lower_withdrawal", "restructuring", "targeted_transfer")
DECISIONS = ("granted", "refused")

# the status is the latest decision; none yet, or a reopening, is 'open'
_REQUEST = """SELECT r.*, s.name AS scenario,
    COALESCE(NULLIF((SELECT e.kind FROM soft_request_events e WHERE e.request_id = r.id AND e.kind <> 'comment'
              AND e.id = (SELECT MAX(f.id) FROM soft_request_events f WHERE f.request_id = r.id AND f.kind <> 'comment')),
             'reopened'), 'open') AS status
    FROM soft_requests r JOIN scenarios s ON s.id = r.scenario_id"""


def file_request(st: Store, scenario: str, version: int, unit_code: str, region: str, year: int, kind: str, amount: float,
                 text: str, price: dict, author: str) -> int:
    if kind not in KINDS:
        raise InterbudgetError(f"unknown kind '{kind}': choose {', '.join(KINDS)}")
    if not text.strip():
        raise InterbudgetError("the request's text is empty: say what is asked and why")
    sc = st.scenario(scenario)
    with st.db.transaction() as tx:
        rid = tx.value("INSERT INTO soft_requests (scenario_id, version, unit_code, region, year, kind, amount, text, price, author, "
                       "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                       (sc["id"], version, unit_code, region, year, kind, float(amount), text.strip(),
                        json.dumps(price, ensure_ascii=False), author, now()))
        st._audit(tx, author, "request.file", f"{scenario}/{unit_code}", {"request": rid, "kind": kind, "amount": float(amount)})
        return rid


def _decoded(row: dict) -> dict:
    row["price"] = json.loads(row["price"])
    return row


def requests(st: Store, region: str | None = None, scenario: str | None = None) -> list[dict]:
    """Requests, newest first; REGION limits them to one region's (what an akimat may see)."""
    where, params = [], []
    for col, val in (("r.region", region), ("s.name", scenario)):
        if val is not None:
            where.append(f"{col} = ?")
            params.append(val)
    with st.db.transaction() as tx:
        rows = tx.all(_REQUEST + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY r.id DESC", params)
    return [_decoded(r) for r in rows]


def request(st: Store, rid: int) -> dict:
    with st.db.transaction() as tx:
        row = tx.one(_REQUEST + " WHERE r.id = ?", (rid,))
        if row is None:
            raise NotFound(f"unknown request {rid}")
        row["events"] = tx.all("SELECT id, kind, text, author, created_at FROM soft_request_events WHERE request_id = ? ORDER BY id",
                               (rid,))
    return _decoded(row)


def add_event(st: Store, rid: int, kind: str, text: str, author: str) -> int:
    if kind not in ("comment", *DECISIONS, "reopened"):
        raise InterbudgetError(f"unknown event '{kind}': comment, granted, refused or reopened")
    if not text.strip():
        raise InterbudgetError("the text is empty: a comment or a decision must say something")
    cur = request(st, rid)
    if kind in DECISIONS and cur["status"] != "open":
        raise Conflict(f"request {rid} is {cur['status']} already")
    if kind == "reopened" and cur["status"] == "open":
        raise Conflict(f"request {rid} is open")
    with st.db.transaction() as tx:
        eid = tx.value("INSERT INTO soft_request_events (request_id, kind, text, author, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                       (rid, kind, text.strip(), author, now()))
        st._audit(tx, author, f"request.{kind}", str(rid), {"scenario": cur["scenario"], "unit": cur["unit_code"]})
        return eid
