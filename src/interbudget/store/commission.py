"""The Commission's records in the store (migration 0004): proposals, reviews by sector, decisions, publications.

Each operation is one transaction with its audit row; nothing is updated or deleted, so a proposal's whole story
stays. A proposal's status is derived: submitted, accepted or rejected (decided), and published.
"""
from __future__ import annotations

import json

from ..errors import InterbudgetError
from .db import IntegrityError
from .store import Conflict, NotFound, Store, now

DECISIONS = ("accepted", "rejected")
_PROPOSAL = """SELECT p.*, d.decision, d.reasons, d.state_id, d.effective_from, d.author AS decided_by, d.decided_at,
    pub.published_at, pub.author AS published_by
    FROM commission_proposals p LEFT JOIN commission_decisions d ON d.proposal_id = p.id
    LEFT JOIN commission_publications pub ON pub.proposal_id = p.id"""


def _status(row: dict) -> dict:
    row["status"] = row.get("decision") or "submitted"
    row["published"] = row.get("published_at") is not None
    row["document"] = json.loads(row["document"])
    return row


class Commission:
    def __init__(self, store: Store):
        self.store, self.db = store, store.db

    def submit(self, title: str, body: str, document: dict, author: str, region: str | None) -> int:
        if not title.strip():
            raise InterbudgetError("the proposal's title is empty")
        with self.db.transaction() as tx:
            pid = tx.value("INSERT INTO commission_proposals (title, body, document, author, region, created_at) "
                           "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                           (title.strip(), body, json.dumps(document, ensure_ascii=False), author, region, now()))
            self.store._audit(tx, author, "commission.submit", str(pid), {"title": title.strip(), "body": body})
            return pid

    def proposals(self, region: str | None = None, published_only: bool = False) -> list[dict]:
        """Newest first; PUBLISHED_ONLY: what the public sees; REGION: an akimat's own and the published ones."""
        where, params = [], []
        if published_only:
            where.append("pub.published_at IS NOT NULL")
        elif region is not None:
            where.append("(p.region = ? OR pub.published_at IS NOT NULL)")
            params.append(region)
        sql = _PROPOSAL + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY p.id DESC"
        with self.db.transaction() as tx:
            return [_status(r) for r in tx.all(sql, params)]

    def proposal(self, pid: int) -> dict:
        with self.db.transaction() as tx:
            row = tx.one(_PROPOSAL + " WHERE p.id = ?", (pid,))
            if row is None:
                raise NotFound(f"unknown proposal {pid}")
            row["reviews"] = tx.all("SELECT id, sector, text, author, created_at FROM commission_reviews WHERE proposal_id = ? "
                                    "ORDER BY id", (pid,))
            effect = tx.value("SELECT effect FROM commission_decisions WHERE proposal_id = ?", (pid,))
        row = _status(row)
        row["effect"] = json.loads(effect) if effect else None
        return row

    def review(self, pid: int, sector: str, text: str, author: str) -> int:
        if not text.strip():
            raise InterbudgetError("the comment is empty: say what the sector's review found")
        cur = self.proposal(pid)
        if cur["status"] != "submitted":
            raise Conflict(f"proposal {pid} is {cur['status']} already: the review is closed")
        with self.db.transaction() as tx:
            rid = tx.value("INSERT INTO commission_reviews (proposal_id, sector, text, author, created_at) VALUES (?, ?, ?, ?, ?) "
                           "RETURNING id", (pid, sector, text.strip(), author, now()))
            self.store._audit(tx, author, "commission.review", str(pid), {"sector": sector})
            return rid

    def decide(self, pid: int, decision: str, reasons: str, author: str, state_id: str | None = None,
               effective_from: str | None = None, effect: dict | None = None) -> None:
        if decision not in DECISIONS:
            raise InterbudgetError(f"unknown decision '{decision}': accepted or rejected")
        if not reasons.strip():
            raise InterbudgetError("a decision needs its reasons")
        self.proposal(pid)
        try:
            with self.db.transaction() as tx:
                tx.execute("INSERT INTO commission_decisions (proposal_id, decision, reasons, state_id, effective_from, effect, "
                           "author, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           (pid, decision, reasons.strip(), state_id, effective_from,
                            json.dumps(effect, ensure_ascii=False, default=float) if effect is not None else None, author, now()))
                self.store._audit(tx, author, f"commission.{decision}", str(pid), {"state": state_id})
        except IntegrityError:
            raise Conflict(f"proposal {pid} is decided already") from None

    def publish(self, pid: int, author: str) -> None:
        cur = self.proposal(pid)
        if cur["status"] == "submitted":
            raise Conflict(f"proposal {pid} is not decided yet: only a decision is published")
        try:
            with self.db.transaction() as tx:
                tx.execute("INSERT INTO commission_publications (proposal_id, author, published_at) VALUES (?, ?, ?)",
                           (pid, author, now()))
                self.store._audit(tx, author, "commission.publish", str(pid))
        except IntegrityError:
            raise Conflict(f"proposal {pid} is published already") from None
