"""FastAPI application: server-rendered pages (Jinja) and a JSON API with OpenAPI docs at /docs.

`create_app` builds the workbench and registers the routers, one module per page group, each with
`register(app, site)`: the read API (api_budgets), downloads, the budget pages (pages_budgets), compare, functions
(functions_pages), and the workbench's state-changing side (work: auth, scenarios, runs, audit), objections and the
rest. Every route asks `access.py` what the viewer may see.
"""
from __future__ import annotations

import json
from pathlib import Path

from fastapi import FastAPI

from ..store import Store
from .budget_rows import budget_rows, year_pos  # noqa: F401 — the API of this module before the split into routers
from .common import TEMPLATES, lang_ok, no_nan, plain  # noqa: F401 — also used by the page modules, from .common
from .compare import MAX_AMENDMENTS, restrict_compare  # noqa: F401
from .site import Site, numbers  # noqa: F401
from .workbench import Workbench


def create_app(dataset: Path, scenarios: Path | None = None, registry: Path | None = None, store: Store | str | Path | None = None,
               secure_cookies: bool = True, trusted_proxies: list[str] | tuple[str, ...] = (), recover_runs: bool = True,
               programme: Path | None = None) -> FastAPI:
    """The workbench on DATASET; scenarios of the folder SCENARIOS are imported into STORE (a DuckDB file, a
    PostgreSQL URL or an open Store; an in-memory DuckDB when None) and published. RECOVER_RUNS: runs a previous
    server left queued or running are marked failed (interrupted) (off in the worker processes of `serve --workers`,
    whose parent did it once). PROGRAMME: the reform's programme folder shown at /programme (default programme/kz)."""
    from ..functions.registry import load_registry

    if not isinstance(store, Store):
        store = Store.open(store if store is not None else ":memory:")
    reg = load_registry(registry) if registry else None
    wb = Workbench(dataset, store, scenarios, reg)
    from .security import trusted_networks

    site = Site(wb, secure_cookies, trusted_networks(trusted_proxies))
    app = FastAPI(title="interbudget", description="Inter-budgetary relations: budgets, transfers, scenarios, runs and "
                  "objections. Reading published scenarios needs no login; POST /api/login opens a session (cookie) "
                  "and returns the CSRF token that every state-changing call sends as X-CSRF-Token.", docs_url=None, redoc_url=None)
    app.state.workbench = wb
    if recover_runs:
        wb.recover_runs()
    app.router.on_shutdown.append(wb.close)  # a clean stop ends the run workers too
    from .guard import RequestGuard

    app.add_middleware(RequestGuard)

    from . import (
        api_budgets,
        apidocs,
        assets,
        commission,
        compare,
        downloads,
        errors,
        functions_pages,
        objections,
        pages_budgets,
        programme as programme_pages,
        proposals,
        reconcile,
        scorecard,
        work,
    )

    assets.register(app, site)
    api_budgets.register(app, site)
    downloads.register(app, site)
    pages_budgets.register(app, site)
    compare.register(app, site)
    functions_pages.register(app, site, reg)
    apidocs.register(app)
    errors.register(app, site)
    work.register(app, site)
    scorecard.register(app, site)
    from . import report_pages  # the report inside the workbench, and the plotly bundle (issue 19)

    report_pages.register(app, site)
    objections.register(app, site)
    reconcile.register(app, site)
    proposals.register(app, site, registry, reg)
    programme_pages.register(app, site, registry, reg, programme)
    commission.register(app, site)
    from . import requests as soft_requests  # §1.7: requests that soften the budget constraint

    soft_requests.register(app, site)
    from . import language, search

    search.register(app, site)
    language.install(app)  # ?lang= > cookie > the referring page > Accept-Language > en, for every page
    return app


def from_environment() -> FastAPI:
    """The app of `serve --workers N`: each uvicorn worker process builds it from INTERBUDGET_SERVE, without importing
    the scenarios folder again (the parent imported and checked it against the same dataset just before)."""
    import os

    cfg = json.loads(os.environ["INTERBUDGET_SERVE"])
    return create_app(Path(cfg["dataset"]), None, Path(cfg["registry"]), cfg["store"], cfg["secure"],
                      cfg.get("trusted_proxies", ()), recover_runs=False,
                      programme=Path(cfg["programme"]) if cfg.get("programme") else None)
