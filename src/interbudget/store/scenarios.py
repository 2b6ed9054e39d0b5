"""Datasets, scenarios and their versions, publications and shares: versions are diffs appended, never
overwritten; a save decided by the (scenario, version) key, so a concurrent save is a Conflict."""
from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING

from .. import patch
from ..errors import InterbudgetError
from .base import MAX_NOTE, Conflict, NotFound, _text, as_stored, now
from .db import Database, IntegrityError, Tx


class ScenariosMixin:
    """The store's datasets, scenarios and versions (Store's part)."""

    db: Database
    _contents: dict[tuple[int, int], dict]
    _lock: threading.Lock
    _meta_cache: tuple[float, int, dict[str, dict]] | None
    _generation: int

    if TYPE_CHECKING:  # Store's other part that writes the audit log (UsersMixin)
        @staticmethod
        def _audit(tx: Tx, actor: str, action: str, target: str, details: dict | None = None) -> None: ...

    # ---- datasets ----------------------------------------------------------------------------------
    def register_dataset(self, name: str, path: str, fingerprint: str) -> None:
        with self.db.transaction() as tx:
            row = tx.one("SELECT fingerprint FROM datasets WHERE name = ?", (name,))
            if row is None:
                tx.execute("INSERT INTO datasets VALUES (?, ?, ?, ?)", (name, path, fingerprint, now()))
                self._audit(tx, "serve", "dataset.register", name, {"path": path, "fingerprint": fingerprint})
            elif row["fingerprint"] != fingerprint:  # the files changed under the same name: say so in the log
                self._audit(tx, "serve", "dataset.changed", name, {"path": path, "was": row["fingerprint"], "now": fingerprint})
                tx.execute("DELETE FROM datasets WHERE name = ?", (name,))
                tx.execute("INSERT INTO datasets VALUES (?, ?, ?, ?)", (name, path, fingerprint, now()))

    # ---- scenarios ---------------------------------------------------------------------------------
    _SCENARIO = """SELECT s.*, (SELECT MAX(version) FROM scenario_versions v WHERE v.scenario_id = s.id) AS latest,
        (SELECT p.version FROM publications p
           WHERE p.id = (SELECT MAX(q.id) FROM publications q WHERE q.scenario_id = s.id)) AS published
        FROM scenarios s"""

    def _with_shares(self, tx: Tx, rows: list[dict]) -> list[dict]:
        shares: dict[int, list[str]] = {}
        for r in tx.all("SELECT scenario_id, region FROM shares ORDER BY region"):
            shares.setdefault(r["scenario_id"], []).append(r["region"])
        for r in rows:
            r["shared_with"] = shares.get(r["id"], [])
        return rows

    #: how long another process's change to scenarios, publications or shares may go unseen (a PostgreSQL store
    #: served by several workers); this process's own changes are seen at once, and a DuckDB file has one process
    META_TTL_S = 1.0

    def _meta(self) -> dict[str, dict]:
        """Every scenario's row (latest version, published version, regions shared with), read once per change:
        each page asks who may see what, and the query costs milliseconds."""
        import time

        cached = self._meta_cache
        if cached is not None and cached[1] == self._generation and time.monotonic() - cached[0] < self.META_TTL_S:
            return cached[2]
        stamp, generation = time.monotonic(), self._generation
        with self.db.transaction() as tx:
            rows = self._with_shares(tx, tx.all(self._SCENARIO + " ORDER BY s.name"))
        meta = {r["name"]: r for r in rows}
        with self._lock:
            if generation == self._generation:  # no change of this process since the query began: it is current
                self._meta_cache = (stamp, generation, meta)
        return meta

    def _changed(self) -> None:
        with self._lock:
            self._generation += 1
            self._meta_cache = None

    def scenarios(self) -> list[dict]:
        return [dict(r) for r in self._meta().values()]

    def scenario(self, name: str) -> dict:
        row = self._meta().get(name)
        if row is None:
            self._changed()  # perhaps created by another process a moment ago
            row = self._meta().get(name)
        if row is None:
            raise NotFound(f"unknown scenario '{name}'")
        return dict(row)

    def content(self, name: str, version: int | None = None) -> dict:
        """The scenario's document at VERSION (the latest by default): its diffs applied from the first."""
        sc = self.scenario(name)
        return self._content(sc["id"], version or sc["latest"])

    def _content(self, sid: int, version: int) -> dict:
        key = (sid, version)
        if key in self._contents:
            return self._contents[key]
        with self.db.transaction() as tx:
            sc = tx.one("SELECT * FROM scenarios WHERE id = ?", (sid,))
            rows = tx.all("SELECT version, diff FROM scenario_versions WHERE scenario_id = ? AND version <= ? ORDER BY version",
                          (sid, version))
        if sc is None or not rows or rows[-1]["version"] != version:
            raise NotFound(f"scenario '{sc['name'] if sc else sid}' has no version {version}")
        doc = self._content(sc["base_scenario"], sc["base_version"]) if sc["base_scenario"] else {}
        for r in rows:
            doc = patch.apply(doc, json.loads(r["diff"]))
        with self._lock:
            self._contents[key] = doc
        return doc

    def create_scenario(self, name: str, dataset: str, content: dict, author: str, base: str | None = None,
                        base_version: int | None = None, note: str | None = None) -> int:
        """A new scenario; from BASE (a diff of its version) or whole. Returns its id."""
        content = as_stored(content)
        parent: dict = {}
        base_id = None
        if base is not None:
            b = self.scenario(base)
            base_id, base_version = b["id"], base_version or b["latest"]
            parent = self._content(base_id, base_version)
        try:
            with self.db.transaction() as tx:
                sid = tx.value("INSERT INTO scenarios (name, dataset, base_scenario, base_version, created_by, created_at) "
                               "VALUES (?, ?, ?, ?, ?, ?) RETURNING id", (name, dataset, base_id, base_version, author, now()))
                tx.execute("INSERT INTO scenario_versions VALUES (?, 1, ?, ?, ?, ?)",
                           (sid, json.dumps(patch.diff(parent, content), ensure_ascii=False, sort_keys=True), author, now(), note))
                self._audit(tx, author, "scenario.create", name, {"base": base, "base_version": base_version})
        except IntegrityError:
            raise Conflict(f"a scenario named '{name}' exists already") from None
        finally:
            self._changed()
        return sid

    def save_version(self, name: str, base_version: int, content: dict, author: str, note: str | None = None) -> int:
        """Save CONTENT as the version after BASE_VERSION (the one the editor opened); the version saved. A conflict
        is decided only by the (scenario, version) key in the store: if version BASE_VERSION + 1 exists, someone saved
        in between, nothing is written and Conflict names them. A transaction the database refused for another
        reason (DuckDB's optimistic concurrency, saves of other scenarios at the same moment) is tried again."""
        import time

        sc = self.scenario(name)
        content = as_stored(content)
        _text(note or "", "note", MAX_NOTE)
        for attempt in range(100):
            latest = self._latest(sc["id"])
            if not 1 <= base_version <= latest:
                raise NotFound(f"scenario '{name}' has no version {base_version} (latest {latest})")
            if base_version != latest:
                raise self._conflict(sc, base_version, latest)
            d = patch.diff(self._content(sc["id"], base_version), content)
            if not d:
                return base_version  # nothing changed: no empty version
            try:
                with self.db.transaction() as tx:
                    tx.execute("INSERT INTO scenario_versions VALUES (?, ?, ?, ?, ?, ?)",
                               (sc["id"], base_version + 1, json.dumps(d, ensure_ascii=False, sort_keys=True), author, now(), note))
                    self._audit(tx, author, "scenario.save", name, {"version": base_version + 1, "diff": d})
            except IntegrityError:  # the key taken (the next loop says by whom), or a refused transaction: again
                time.sleep(0.001 * (1 + attempt % 10))
                continue
            finally:
                self._changed()
            return base_version + 1
        raise InterbudgetError(f"scenario '{name}': the store refused the save 100 times; nothing was saved, try again")

    def latest(self, name: str) -> int:
        """The scenario's latest version as the store holds it now (not as cached)."""
        return self._latest(self.scenario(name)["id"])

    def _latest(self, sid: int) -> int:
        with self.db.transaction() as tx:
            return int(tx.value("SELECT MAX(version) FROM scenario_versions WHERE scenario_id = ?", (sid,)))

    def _conflict(self, sc: dict, base_version: int, latest: int) -> Conflict:
        with self.db.transaction() as tx:
            last = tx.one("SELECT author, created_at FROM scenario_versions WHERE scenario_id = ? AND version = ?",
                          (sc["id"], latest))
        assert last is not None  # LATEST is the MAX(version) just read, and versions are never deleted
        return Conflict(f"scenario '{sc['name']}' was changed by {last['author']} at {last['created_at']:%Y-%m-%d %H:%M} UTC "
                        f"(version {latest}) after you opened version {base_version}: nothing was saved; "
                        f"reload it and apply your changes again")

    def versions(self, name: str) -> list[dict]:
        sc = self.scenario(name)
        with self.db.transaction() as tx:
            rows = tx.all("SELECT version, diff, author, created_at, note FROM scenario_versions WHERE scenario_id = ? "
                          "ORDER BY version", (sc["id"],))
        for r in rows:
            r["diff"] = json.loads(r["diff"])
        return rows

    def publish(self, name: str, version: int, author: str) -> None:
        sc = self.scenario(name)
        if not 1 <= version <= sc["latest"]:
            raise NotFound(f"scenario '{name}' has no version {version}")
        with self.db.transaction() as tx:
            tx.execute("INSERT INTO publications (scenario_id, version, author, created_at) VALUES (?, ?, ?, ?)",
                       (sc["id"], version, author, now()))
            self._audit(tx, author, "scenario.publish", name, {"version": version})
        self._changed()

    def share(self, name: str, region: str, author: str, shared: bool = True) -> None:
        sc = self.scenario(name)
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM shares WHERE scenario_id = ? AND region = ?", (sc["id"], region))
            if shared:
                tx.execute("INSERT INTO shares VALUES (?, ?, ?, ?)", (sc["id"], region, author, now()))
            self._audit(tx, author, "scenario.share" if shared else "scenario.unshare", name, {"region": region})
        self._changed()
