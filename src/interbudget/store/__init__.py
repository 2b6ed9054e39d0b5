"""The workbench's store: DuckDB (one file) by default, PostgreSQL given a URL; versioned migrations."""
from .db import connect
from .store import ROLES, Conflict, NotFound, Store, TooManyAttempts

__all__ = ["ROLES", "Conflict", "NotFound", "Store", "TooManyAttempts", "connect"]
