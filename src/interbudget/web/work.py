"""The workbench's state-changing side, one router each: login and logout (auth.py), the scenario editor with
versions, publication and sharing (scenarios.py), runs with their progress (runs.py), the audit log (audit.py).
Every POST checks the session's CSRF token."""
from __future__ import annotations

from fastapi import FastAPI

from . import audit, auth, runs, scenarios


def register(app: FastAPI, site) -> None:
    auth.register(app, site)
    scenarios.register(app, site)
    runs.register(app, site)
    audit.register(app, site)
