"""Objections and corrections filed against a budget of a scenario version, their events and attachments."""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..errors import InterbudgetError
from .base import OBJECTION_KINDS, RESOLUTIONS, Conflict, NotFound, _text, now
from .db import Database, Tx


class ObjectionsMixin:
    """The store's objections (Store's part)."""

    db: Database

    if TYPE_CHECKING:  # Store's other parts (UsersMixin, ScenariosMixin)
        @staticmethod
        def _audit(tx: Tx, actor: str, action: str, target: str, details: dict | None = None) -> None: ...
        def scenario(self, name: str) -> dict: ...

    def file_objection(self, scenario: str, version: int, unit_code: str, region: str, year: int, kind: str,
                       text: str, author: str, attachments: Sequence[tuple[str, str, bytes]] = ()) -> int:
        if kind not in OBJECTION_KINDS:
            raise InterbudgetError(f"unknown kind '{kind}': choose objection or correction")
        if not text.strip():
            raise InterbudgetError("the objection's text is empty: say what is wrong and why")
        _text(text, "objection's text")
        sc = self.scenario(scenario)
        with self.db.transaction() as tx:
            oid = tx.value("INSERT INTO objections (scenario_id, version, unit_code, region, year, kind, text, author, created_at) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                           (sc["id"], version, unit_code, region, year, kind, text.strip(), author, now()))
            for filename, ctype, content in attachments:
                tx.execute("INSERT INTO attachments (objection_id, filename, content_type, size, sha256, content) "
                           "VALUES (?, ?, ?, ?, ?, ?)",
                           (oid, filename, ctype, len(content), hashlib.sha256(content).hexdigest(), content))
            self._audit(tx, author, "objection.file", f"{scenario}/{unit_code}",
                        {"objection": oid, "kind": kind, "attachments": [a[0] for a in attachments]})
            return oid

    # the status is the latest decision; none yet, or a reopening, is 'open'
    _OBJECTION = """SELECT o.*, s.name AS scenario,
        COALESCE(NULLIF((SELECT e.kind FROM objection_events e WHERE e.objection_id = o.id AND e.kind <> 'comment'
                  AND e.id = (SELECT MAX(f.id) FROM objection_events f WHERE f.objection_id = o.id AND f.kind <> 'comment')),
                 'reopened'), 'open') AS status
        FROM objections o JOIN scenarios s ON s.id = o.scenario_id"""

    def objections(self, region: str | None = None, scenario: str | None = None, unit_code: str | None = None) -> list[dict]:
        """Objections, newest first; REGION limits them to one region's (what an akimat may see)."""
        where, params = [], []
        for col, val in (("o.region", region), ("s.name", scenario), ("o.unit_code", unit_code)):
            if val is not None:
                where.append(f"{col} = ?")
                params.append(val)
        sql = self._OBJECTION + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY o.id DESC"
        with self.db.transaction() as tx:
            return tx.all(sql, params)

    def objection(self, oid: int) -> dict:
        with self.db.transaction() as tx:
            row = tx.one(self._OBJECTION + " WHERE o.id = ?", (oid,))
            if row is None:
                raise NotFound(f"unknown objection {oid}")
            row["events"] = tx.all("SELECT id, kind, text, author, created_at FROM objection_events WHERE objection_id = ? "
                                   "ORDER BY id", (oid,))
            row["attachments"] = tx.all("SELECT id, filename, content_type, size, sha256 FROM attachments "
                                        "WHERE objection_id = ? ORDER BY id", (oid,))
        return row

    def add_event(self, oid: int, kind: str, text: str, author: str) -> int:
        if kind not in ("comment", *RESOLUTIONS, "reopened"):
            raise InterbudgetError(f"unknown event '{kind}'")
        if not text.strip():
            raise InterbudgetError("the text is empty: a comment or a resolution must say something")
        _text(text, "text")
        cur = self.objection(oid)
        if kind in RESOLUTIONS and cur["status"] != "open":
            raise Conflict(f"objection {oid} is {cur['status']} already")
        with self.db.transaction() as tx:
            eid = tx.value("INSERT INTO objection_events (objection_id, kind, text, author, created_at) VALUES (?, ?, ?, ?, ?) "
                           "RETURNING id", (oid, kind, text.strip(), author, now()))
            self._audit(tx, author, f"objection.{kind}", str(oid), {"scenario": cur["scenario"], "unit": cur["unit_code"]})
            return eid

    def attachment(self, aid: int) -> dict:
        with self.db.transaction() as tx:
            row = tx.one("SELECT * FROM attachments WHERE id = ?", (aid,))
        if row is None:
            raise NotFound(f"unknown attachment {aid}")
        row["content"] = bytes(row["content"])
        return row
