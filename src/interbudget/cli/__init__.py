"""Command line (Typer + rich), one module per command group.

Errors of the project's own type are printed as plain lines naming file,
row and problem, and the command exits with status 2; never a traceback.
"""
from __future__ import annotations

from . import analysis, functions, info, receipts, reports, run, web  # noqa: F401 — each registers its commands
from ._common import app, main

__all__ = ["app", "main"]
