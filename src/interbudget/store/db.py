"""One small database interface over DuckDB (one file, the default) and PostgreSQL (given a URL).

SQL is written once with `?` placeholders in the subset both speak; PostgreSQL's driver gets `%s`.
Every write goes through `transaction()`: it commits whole or not at all, so an interrupted save
leaves what was saved before untouched.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import InterbudgetError


class IntegrityError(Exception):
    """A unique key was taken (two saves of the same version): the store turns it into a conflict."""


class Tx:
    """A transaction's cursor: rows come back as dicts."""

    def __init__(self, cur, paramstyle: str):
        self._cur, self._pg = cur, paramstyle == "format"

    def execute(self, sql: str, params: tuple | list = ()) -> Tx:
        if self._pg:
            sql = sql.replace("?", "%s")
        self._cur.execute(sql, tuple(params) if params else None)
        return self

    def all(self, sql: str, params: tuple | list = ()) -> list[dict[str, Any]]:
        self.execute(sql, params)
        names = [d[0] for d in self._cur.description]
        return [dict(zip(names, row, strict=True)) for row in self._cur.fetchall()]

    def one(self, sql: str, params: tuple | list = ()) -> dict[str, Any] | None:
        rows = self.all(sql, params)
        return rows[0] if rows else None

    def value(self, sql: str, params: tuple | list = ()) -> Any:
        row = self.one(sql, params)
        return None if row is None else next(iter(row.values()))


class Database:
    kind: str

    @contextmanager
    def transaction(self) -> Iterator[Tx]:  # pragma: no cover - overridden
        raise NotImplementedError
        yield

    def close(self) -> None:
        pass


class DuckDatabase(Database):
    """One DuckDB file; each transaction runs on its own cursor so threads do not share one."""

    kind = "duckdb"

    def __init__(self, path: Path):
        import duckdb

        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._con = duckdb.connect(str(self.path))
        except (duckdb.Error, OSError) as exc:
            raise InterbudgetError(f"{self.path}: cannot open the store ({exc})") from None
        self._errors = (duckdb.ConstraintException, duckdb.TransactionException)

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        cur = self._con.cursor()
        try:
            cur.execute("BEGIN TRANSACTION")
            try:
                yield Tx(cur, "qmark")
            except BaseException as exc:
                self._rollback(cur)
                if isinstance(exc, self._errors):
                    raise IntegrityError(str(exc)) from None
                raise
            try:
                cur.execute("COMMIT")
            except self._errors as exc:  # another transaction wrote the same rows first: DuckDB refuses ours whole
                self._rollback(cur)
                raise IntegrityError(str(exc)) from None
        finally:
            cur.close()

    def _rollback(self, cur) -> None:
        import duckdb

        try:
            cur.execute("ROLLBACK")
        except duckdb.TransactionException:  # a failed COMMIT has rolled back already
            pass

    def close(self) -> None:
        self._con.close()


class PostgresDatabase(Database):
    """A PostgreSQL server by URL, through a bounded connection pool (psycopg_pool): the web's many threads
    share a few connections instead of opening one each."""

    kind = "postgresql"

    def __init__(self, url: str, max_size: int = 8):
        import psycopg
        from psycopg_pool import ConnectionPool

        self.url, self._psycopg = url, psycopg
        try:
            self._pool = ConnectionPool(url, min_size=1, max_size=max_size, kwargs={"autocommit": True}, open=True,
                                        timeout=30, name="interbudget")
            self._pool.wait(timeout=10)
        except psycopg.Error as exc:  # the pool wraps connection failures in its own PoolTimeout, a psycopg.Error
            raise InterbudgetError(f"{_redact(url)}: cannot connect to PostgreSQL ({str(exc).strip()})") from None

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        psycopg = self._psycopg
        with self._pool.connection() as con:
            try:
                with con.transaction(), con.cursor() as cur:
                    yield Tx(cur, "format")
            except psycopg.errors.UniqueViolation as exc:
                raise IntegrityError(str(exc)) from None

    def close(self) -> None:
        self._pool.close()


def _redact(url: str) -> str:
    """The URL without its password, for messages."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def connect(where: str | Path) -> Database:
    """`postgresql://...` opens PostgreSQL; anything else is a DuckDB file path."""
    text = str(where)
    if text.startswith(("postgresql://", "postgres://")):
        return PostgresDatabase(text)
    return DuckDatabase(Path(text))
