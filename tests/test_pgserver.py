"""The throw-away PostgreSQL server the database tests run against (tests/pgserver.py)."""
import re

import psycopg


def test_create_insert_read_back(postgres_url):
    with psycopg.connect(postgres_url) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        assert re.match(r"^\d+(\.\d+)+", version), version
        assert conn.execute("SELECT current_database(), current_user").fetchone() == ("interbudget", "interbudget")
        conn.execute("CREATE TABLE pg_smoke (code text PRIMARY KEY, name text NOT NULL, amount numeric(18, 2))")
        conn.execute("INSERT INTO pg_smoke VALUES (%s, %s, %s)", ("430000000", "Алматы", 1234.5))
        row = conn.execute("SELECT code, name, amount FROM pg_smoke").fetchone()
        conn.execute("DROP TABLE pg_smoke")
    assert row[0] == "430000000" and row[1] == "Алматы" and float(row[2]) == 1234.5


def test_two_connections_see_committed_rows(postgres_url):
    with psycopg.connect(postgres_url, autocommit=True) as a, psycopg.connect(postgres_url) as b:
        a.execute("CREATE TABLE pg_shared (n int)")
        try:
            with b.transaction():
                b.execute("INSERT INTO pg_shared VALUES (1)")
                # not committed yet: the other connection does not see it
                assert a.execute("SELECT count(*) FROM pg_shared").fetchone()[0] == 0
            assert a.execute("SELECT n FROM pg_shared").fetchall() == [(1,)]
            a.execute("INSERT INTO pg_shared VALUES (2)")
            with b.transaction():
                assert b.execute("SELECT n FROM pg_shared ORDER BY n").fetchall() == [(1,), (2,)]
        finally:
            a.execute("DROP TABLE pg_shared")
