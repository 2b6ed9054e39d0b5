"""Runs of a scenario version: queued, running with progress, done with their results, or failed."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .base import NotFound, now
from .db import Database, Tx


class RunsMixin:
    """The store's runs (Store's part)."""

    db: Database

    if TYPE_CHECKING:  # Store's other parts (UsersMixin, ScenariosMixin)
        @staticmethod
        def _audit(tx: Tx, actor: str, action: str, target: str, details: dict | None = None) -> None: ...
        def scenario(self, name: str) -> dict: ...

    def start_run(self, name: str, version: int, author: str) -> int:
        sc = self.scenario(name)
        with self.db.transaction() as tx:
            rid = tx.value("INSERT INTO runs (scenario_id, version, status, stage, progress, started_by, started_at) "
                           "VALUES (?, ?, 'queued', 'queued', 0, ?, ?) RETURNING id", (sc["id"], version, author, now()))
            self._audit(tx, author, "run.start", name, {"run": rid, "version": version})
            return rid

    def progress(self, run_id: int, stage: str, progress: float) -> None:
        with self.db.transaction() as tx:
            tx.execute("UPDATE runs SET status = 'running', stage = ?, progress = ? WHERE id = ?", (stage, progress, run_id))

    def finish_run(self, run_id: int, manifest: dict, budgets_csv: str) -> None:
        with self.db.transaction() as tx:
            tx.execute("UPDATE runs SET status = 'done', stage = 'done', progress = 1, finished_at = ?, manifest = ?, "
                       "budgets_csv = ? WHERE id = ?", (now(), json.dumps(manifest, ensure_ascii=False), budgets_csv, run_id))

    def fail_run(self, run_id: int, error: str) -> None:
        with self.db.transaction() as tx:
            tx.execute("UPDATE runs SET status = 'failed', stage = 'failed', finished_at = ?, error = ? WHERE id = ?",
                       (now(), error, run_id))

    INTERRUPTED = "interrupted: the server stopped before this run ended; run it again"

    def interrupt_runs(self, actor: str = "serve") -> list[int]:
        """At a server's start: every run still queued or running was cut short by a crash or a stop (its worker is
        gone with the old server); each is marked failed at stage 'interrupted'. The runs marked."""
        with self.db.transaction() as tx:
            ids = [r["id"] for r in tx.all("UPDATE runs SET status = 'failed', stage = 'interrupted', finished_at = ?, error = ? "
                                            "WHERE status IN ('queued', 'running') RETURNING id", (now(), self.INTERRUPTED))]
            if ids:
                self._audit(tx, actor, "run.interrupted", "runs", {"runs": sorted(ids)})
        return sorted(ids)

    def run(self, run_id: int, with_results: bool = False) -> dict:
        cols = "r.*" if with_results else ("r.id, r.scenario_id, r.version, r.status, r.stage, r.progress, r.started_by, "
                                           "r.started_at, r.finished_at, r.error, r.manifest")
        with self.db.transaction() as tx:
            row = tx.one(f"SELECT {cols}, s.name AS scenario FROM runs r JOIN scenarios s ON s.id = r.scenario_id "
                         "WHERE r.id = ?", (run_id,))
        if row is None:
            raise NotFound(f"unknown run {run_id}")
        row["manifest"] = json.loads(row["manifest"]) if row.get("manifest") else None
        return row

    def runs(self, name: str) -> list[dict]:
        sc = self.scenario(name)
        with self.db.transaction() as tx:
            return tx.all("SELECT id, version, status, stage, progress, started_by, started_at, finished_at, error "
                          "FROM runs WHERE scenario_id = ? ORDER BY id DESC", (sc["id"],))
