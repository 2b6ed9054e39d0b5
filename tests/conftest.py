import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from pgserver import PostgresNotInstalled, find_bindir, postgres_server


def _postgres_required() -> bool:
    """CI (CI set) or INTERBUDGET_REQUIRE_POSTGRES=1: a missing PostgreSQL fails the tests instead of skipping them."""
    ci = os.environ.get("CI", "").strip().lower()
    return ci not in ("", "0", "false", "no") or os.environ.get("INTERBUDGET_REQUIRE_POSTGRES") == "1"


@pytest.fixture(scope="session")
def postgres_url():
    """URL of a throw-away PostgreSQL database `interbudget` on 127.0.0.1, one server for the session."""
    missing = None
    try:
        find_bindir()
    except PostgresNotInstalled as exc:
        missing = str(exc)
    if missing is not None:
        if _postgres_required():
            pytest.fail(missing, pytrace=False)
        pytest.skip(missing)
    with postgres_server() as url:
        yield url
