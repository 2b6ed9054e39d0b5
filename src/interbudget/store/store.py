"""The store's operations: what the workbench saves, each one a single transaction with its audit row.

Versions, publications, runs' results, objections and their events are appended, never overwritten;
the only updates are a run's progress and a session's end.
"""
from __future__ import annotations

import hashlib
import json
import secrets
import threading
from datetime import datetime, timedelta, timezone
from typing import Any

from ..errors import InterbudgetError
from .. import patch
from .db import Database, IntegrityError, Tx, connect
from .migrations import migrate

ROLES = ("analyst", "akimat", "commission")
OBJECTION_KINDS = ("objection", "correction")
RESOLUTIONS = ("resolved", "rejected")
SESSION_HOURS = 8
MAX_TEXT = 10_000  # characters of an objection's text, a comment or a decision
MAX_NOTE = 1_000   # characters of a version's note


def _text(text: str, what: str, limit: int = MAX_TEXT) -> str:
    if not isinstance(text, str):
        raise InterbudgetError(f"the {what} must be text, not {type(text).__name__}")
    if len(text) > limit:
        raise InterbudgetError(f"the {what} has {len(text):,} characters: at most {limit:,}")
    return text


class Conflict(InterbudgetError):
    """Someone else saved first: the caller shows whose version is newer, nothing is overwritten."""


class NotFound(InterbudgetError):
    pass


class TooManyAttempts(InterbudgetError):
    """Logins of one name are refused for a while after repeated failures."""


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def as_stored(doc: dict) -> dict:
    """DOC as the store keeps it: JSON, so year keys are strings ({2027: x} -> {"2027": x}; the scenario model reads
    both) and nulls are gone. Compare documents in this form."""
    return json.loads(json.dumps(strip_nulls(doc), ensure_ascii=False))


def strip_nulls(doc: Any) -> Any:
    if isinstance(doc, dict):
        return {k: strip_nulls(v) for k, v in doc.items() if v is not None}
    if isinstance(doc, list):
        return [strip_nulls(v) for v in doc]
    return doc


class Store:
    def __init__(self, db: Database):
        self.db = db
        migrate(db)
        self._contents: dict[tuple[int, int], dict] = {}  # versions never change: materialized once
        self._lock = threading.Lock()
        self._meta_cache: tuple[float, int, dict[str, dict]] | None = None
        self._generation = 0  # bumped by every change of this process: a query begun before it is not cached
        from argon2 import PasswordHasher

        self._hasher = PasswordHasher()

    @classmethod
    def open(cls, where) -> "Store":
        return cls(connect(where))

    def close(self) -> None:
        self.db.close()

    # ---- audit -------------------------------------------------------------------------------------
    @staticmethod
    def _audit(tx: Tx, actor: str, action: str, target: str, details: dict | None = None) -> None:
        tx.execute("INSERT INTO audit_log (happened_at, actor, action, target, details) VALUES (?, ?, ?, ?, ?)",
                   (now(), actor, action, target, json.dumps(details or {}, ensure_ascii=False, sort_keys=True)))

    def audit_log(self, limit: int = 200, actor: str | None = None) -> list[dict]:
        with self.db.transaction() as tx:
            if actor:
                return tx.all("SELECT * FROM audit_log WHERE actor = ? ORDER BY id DESC LIMIT ?", (actor, limit))
            return tx.all("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (limit,))

    # ---- users and sessions ------------------------------------------------------------------------
    def add_user(self, username: str, password: str, role: str, region: str | None = None,
                 display_name: str | None = None, actor: str = "admin") -> int:
        if role not in ROLES:
            raise InterbudgetError(f"unknown role '{role}': choose {', '.join(ROLES)}")
        if (role == "akimat") != bool(region):
            raise InterbudgetError("an akimat user needs --region (its region's code); other roles have none")
        if len(password) < 8:
            raise InterbudgetError("the password must have at least 8 characters")
        if not username or not username.replace("-", "").replace("_", "").replace(".", "").isalnum():
            raise InterbudgetError(f"user name '{username}': use letters, digits, '-', '_' or '.'")
        try:
            with self.db.transaction() as tx:
                uid = tx.value("INSERT INTO users (username, password_hash, role, region, display_name, created_at) "
                               "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                               (username, self._hasher.hash(password), role, region, display_name or username, now()))
                self._audit(tx, actor, "user.add", username, {"role": role, "region": region})
                return uid
        except IntegrityError:
            raise Conflict(f"user '{username}' exists already") from None

    def users(self) -> list[dict]:
        with self.db.transaction() as tx:
            return tx.all("SELECT id, username, role, region, display_name, created_at FROM users ORDER BY username")

    #: failed logins of one user name within LOCK_MINUTES after which its logins are refused for that long
    MAX_FAILURES, LOCK_MINUTES = 10, 15

    def authenticate(self, username: str, password: str, client: str = "") -> dict | None:
        """The user when the password is right; a wrong name costs the same hashing time as a wrong password.
        Each attempt of a name from one CLIENT address is counted before its password is checked, by one statement
        that increments and reads (`_attempt`): after MAX_FAILURES in LOCK_MINUTES, TooManyAttempts, however many
        arrive at once. Counted per address, so that nobody can lock another person out; a success resets it."""
        from argon2.exceptions import InvalidHashError, VerificationError

        name = username[:200]
        if self._attempt(name, client) > self.MAX_FAILURES:
            raise TooManyAttempts(f"too many failed logins for '{username}': try again in {self.LOCK_MINUTES} minutes")
        with self.db.transaction() as tx:
            user = tx.one("SELECT * FROM users WHERE username = ?", (username,))
        try:
            if user is None:
                self._hasher.hash(password)
                raise VerificationError
            self._hasher.verify(user["password_hash"], password)
        except (VerificationError, InvalidHashError):
            with self.db.transaction() as tx:
                self._audit(tx, "anonymous", "login.failed", name, {"client": client})
            return None
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM login_attempts WHERE username = ? AND client = ?", (name, client))
        return user

    _ATTEMPT = """INSERT INTO login_attempts (username, client, window_start, attempts) VALUES (?, ?, ?, 1)
        ON CONFLICT (username, client) DO UPDATE SET
          attempts = CASE WHEN login_attempts.window_start <= ? THEN 1 ELSE login_attempts.attempts + 1 END,
          window_start = CASE WHEN login_attempts.window_start <= ? THEN excluded.window_start
                              ELSE login_attempts.window_start END
        RETURNING attempts"""

    def _attempt(self, username: str, client: str) -> int:
        """Count one login attempt of USERNAME from CLIENT in the current window; the count including it. DuckDB
        refuses a transaction that updated the same row as a concurrent one: it is counted again."""
        import time

        t = now()
        expired = t - timedelta(minutes=self.LOCK_MINUTES)
        for i in range(200):
            try:
                with self.db.transaction() as tx:
                    return int(tx.value(self._ATTEMPT, (username, client, t, expired, expired)))
            except IntegrityError:
                time.sleep(0.001 * (1 + i % 10))
        return self.MAX_FAILURES + 1  # could not count it: refused, never let through uncounted

    def open_session(self, user: dict) -> tuple[str, str]:
        """A new session: (token for the cookie, CSRF token for the forms). Only the token's hash is kept."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM sessions WHERE expires_at < ?", (now(),))
            tx.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)",
                       (_hash_token(token), user["id"], csrf, now(), now() + timedelta(hours=SESSION_HOURS)))
            self._audit(tx, user["username"], "login", user["username"])
        return token, csrf

    def session(self, token: str) -> dict | None:
        """The user of a live session, with its CSRF token."""
        with self.db.transaction() as tx:
            return tx.one("SELECT u.id, u.username, u.role, u.region, u.display_name, s.csrf FROM sessions s "
                          "JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?",
                          (_hash_token(token), now()))

    def close_session(self, token: str, actor: str) -> None:
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM sessions WHERE token_hash = ?", (_hash_token(token),))
            self._audit(tx, actor, "logout", actor)

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
        if not rows or rows[-1]["version"] != version:
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

    # ---- runs --------------------------------------------------------------------------------------
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

    # ---- objections --------------------------------------------------------------------------------
    def file_objection(self, scenario: str, version: int, unit_code: str, region: str, year: int, kind: str,
                       text: str, author: str, attachments: list[tuple[str, str, bytes]] = ()) -> int:
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
