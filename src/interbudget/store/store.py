"""The store's operations: what the workbench saves, each one a single transaction with its audit row.

Versions, publications, runs' results, objections and their events are appended, never overwritten;
the only updates are a run's progress and a session's end.
"""
from __future__ import annotations

import threading

from .base import (
    MAX_NOTE,
    MAX_TEXT,
    OBJECTION_KINDS,
    RESOLUTIONS,
    ROLES,
    SESSION_HOURS,
    Conflict,
    NotFound,
    TooManyAttempts,
    _hash_token,
    _text,
    as_stored,
    now,
    strip_nulls,
)
from .db import Database, connect
from .migrations import migrate
from .objections import ObjectionsMixin
from .runs import RunsMixin
from .scenarios import ScenariosMixin
from .users import UsersMixin

__all__ = ["MAX_NOTE", "MAX_TEXT", "OBJECTION_KINDS", "RESOLUTIONS", "ROLES", "SESSION_HOURS", "Conflict", "NotFound", "Store",
           "TooManyAttempts", "_hash_token", "_text", "as_stored", "now", "strip_nulls"]


class Store(UsersMixin, ScenariosMixin, RunsMixin, ObjectionsMixin):
    """The workbench's store: users and sessions, scenarios and versions, runs, objections (one mixin each)."""

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
    def open(cls, where) -> Store:
        return cls(connect(where))

    def close(self) -> None:
        self.db.close()
