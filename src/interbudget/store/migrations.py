"""Versioned migrations: `migrations/NNNN_name.sql`, applied in order, each in its own transaction with
its row in `schema_migrations`, so a store is always at one known version."""
from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources

from .db import Database


def available() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every migration shipped with the package, in order."""
    out = []
    for f in resources.files(__package__).joinpath("migrations").iterdir():
        if f.name.endswith(".sql"):
            num, _, name = f.name[:-4].partition("_")
            out.append((int(num), name, f.read_text(encoding="utf-8")))
    return sorted(out)


def current(db: Database) -> int:
    with db.transaction() as tx:
        tx.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                   "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL)")
        return tx.value("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")


def migrate(db: Database, target: int | None = None) -> list[int]:
    """Apply what is missing up to TARGET (all by default); the versions applied."""
    current(db)  # creates schema_migrations where it is missing
    with db.transaction() as tx:
        done = {int(r["version"]) for r in tx.all("SELECT version FROM schema_migrations")}
    applied = []
    for version, name, sql in available():  # every missing version, even one numbered below the newest applied
        if version in done or (target is not None and version > target):
            continue
        with db.transaction() as tx:
            for statement in _statements(sql):
                tx.execute(statement)
            tx.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (version, name, datetime.now(UTC).replace(tzinfo=None)))
        applied.append(version)
    return applied


def _statements(sql: str) -> list[str]:
    """The file's statements, comments dropped (no migration has a ';' inside a literal)."""
    text = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    return [s.strip() for s in text.split(";") if s.strip()]
