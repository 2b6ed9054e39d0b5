"""The programme's status updates in the store (migration 0005): appended with their audit row in one
transaction; a measure's history is every update, oldest first."""
from __future__ import annotations

from ..errors import InterbudgetError
from ..vocab import STATUSES
from .store import Store, now

MAX_TEXT = 4000


def record_status(store: Store, programme: str, measure: str, status: str, evidence: str, reference: str,
                  author: str) -> int:
    """Append a status update of MEASURE; the caller has checked that the measure exists."""
    if status not in STATUSES:
        raise InterbudgetError(f"unknown status '{status}': one of {', '.join(STATUSES)}")
    evidence, reference = evidence.strip(), reference.strip()
    if not evidence:
        raise InterbudgetError("the evidence is empty: name the act or document that shows the status")
    if len(evidence) > MAX_TEXT or len(reference) > MAX_TEXT:
        raise InterbudgetError(f"evidence and reference take at most {MAX_TEXT} characters each")
    with store.db.transaction() as tx:
        uid = tx.value("INSERT INTO programme_updates (programme, measure, status, evidence, reference, author, created_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                       (programme, measure, status, evidence, reference or None, author, now()))
        Store._audit(tx, author, "programme.status", f"{programme}/{measure}",
                     {"update": uid, "status": status, "evidence": evidence, "reference": reference})
        return uid


def updates(store: Store, programme: str, measure: str | None = None) -> list[dict]:
    """Every update of PROGRAMME (or of one MEASURE), oldest first."""
    sql = "SELECT id, measure, status, evidence, reference, author, created_at FROM programme_updates WHERE programme = ?"
    params: list = [programme]
    if measure is not None:
        sql += " AND measure = ?"
        params.append(measure)
    with store.db.transaction() as tx:
        return tx.all(sql + " ORDER BY id", params)
