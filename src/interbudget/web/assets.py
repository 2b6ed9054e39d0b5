"""The workbench's own static files, served from the package at /static: Pico CSS (vendored, MIT, see
PICO-LICENSE.md and scripts/vendor_css.sh), the workbench's stylesheet and the sortable-table script. No CDN."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

STATIC = Path(__file__).parent / "static"


def register(app: FastAPI, site) -> None:
    from fastapi.staticfiles import StaticFiles

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
