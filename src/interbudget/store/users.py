"""Users, logins and sessions, and the audit log every operation of the store writes to."""
from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any

from ..errors import InterbudgetError
from .base import ROLES, SESSION_HOURS, Conflict, TooManyAttempts, _hash_token, now
from .db import Database, IntegrityError, Tx


class UsersMixin:
    """The store's users and sessions (Store's part); every change with its audit row."""

    db: Database
    _hasher: Any

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
