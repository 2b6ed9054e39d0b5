"""serve and users: the web workbench and its accounts."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import typer

from ..errors import InterbudgetError
from ._common import BUNDLED_REGISTRY, DEFAULT_STORE, STORE_HELP, app, bundled_path, out, reported as _reported


@app.command()
def serve(
    dataset: Path = typer.Argument(Path("bundled:data/kz"), help="Dataset folder to serve.", callback=bundled_path),
    scenarios: Path = typer.Option(Path("bundled:scenarios"), "--scenarios", callback=bundled_path,
                                   help="Folder of scenario YAML files, imported and published."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on (localhost by default)."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    registry: Path = typer.Option(None, "--registry", help="Functions registry to show (default: bundled:registry/kz).",
                                   callback=bundled_path),
    store: str = typer.Option(str(DEFAULT_STORE), "--store", help=STORE_HELP),
    insecure_cookies: bool = typer.Option(None, "--insecure-cookies/--secure-cookies",
                                          help="Session cookies without (or with) the Secure flag. Default: without on a "
                                          "loopback --host and no --trusted-proxy (plain http://127.0.0.1, where API clients "
                                          "such as httpx drop Secure cookies), with everywhere else."),
    trusted_proxy: list[str] = typer.Option([], "--trusted-proxy", help="A reverse proxy (address or network) whose "
                                            "X-Forwarded-For names the real client; repeat for several. Without it the "
                                            "header is ignored (lock-out and audit log use the connection's address)."),
    demo_users: bool = typer.Option(False, "--demo-users", help="Create an analyst, a commission member and one akimat user "
                                    "per region when missing, with random passwords printed once."),
    workers: int = typer.Option(1, "--workers", help="uvicorn worker processes (PostgreSQL store only: a DuckDB file has one writer)."),
    programme: Path = typer.Option(None, "--programme", help="The reform's programme shown at /programme (default programme/kz)."),
) -> None:
    """The web workbench: budgets with drill-down and a map, each budget's explanation and history in kk/ru/en,
    scenarios edited, run, compared and published, objections filed and resolved; a JSON API (docs at /docs)."""
    import uvicorn

    from ..store import Store
    from ..web.app import create_app

    with _reported():
        if workers > 1 and not store.startswith(("postgresql://", "postgres://")):
            raise InterbudgetError("--workers above 1 needs a PostgreSQL store (a DuckDB file has one writer process)")
        from ..web.security import trusted_networks

        trusted_networks(trusted_proxy)  # a bad address fails before anything starts
        secure = _secure_cookies(insecure_cookies, host, trusted_proxy)
        st = Store.open(store)
        web = create_app(dataset, scenarios, registry or BUNDLED_REGISTRY, st, secure_cookies=secure,
                         trusted_proxies=trusted_proxy, programme=programme)
        if demo_users:
            for line in _demo_users(st, web.state.workbench):
                out.print(line, highlight=False)
    out.print(f"interbudget serves {dataset} ({len(list(scenarios.glob('*.yaml')))} scenarios, store {store}) "
              f"at http://{host}:{port}/", highlight=False)
    if workers > 1:  # each worker process builds its own app from the same arguments
        os.environ["INTERBUDGET_SERVE"] = json.dumps({"dataset": str(dataset), "scenarios": str(scenarios), "store": store,
                                                      "registry": str(registry or BUNDLED_REGISTRY),
                                                      "secure": secure, "trusted_proxies": trusted_proxy,
                                                      "programme": str(programme) if programme else None})
        st.close()
        uvicorn.run("interbudget.web.app:from_environment", factory=True, host=host, port=port, workers=workers,
                    log_level="warning", proxy_headers=False)
    else:  # forwarded headers are read by the app, from --trusted-proxy only (uvicorn's own trusts 127.0.0.1)
        uvicorn.run(web, host=host, port=port, log_level="warning", proxy_headers=False)


def _secure_cookies(insecure: bool | None, host: str, trusted_proxy: list[str]) -> bool:
    """Secure session cookies unless asked otherwise; by default not on loopback without a proxy in front."""
    import ipaddress

    if insecure is not None:
        return not insecure
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    return not (loopback and not trusted_proxy)


def _demo_users(st, wb) -> list[str]:
    import secrets

    have = {u["username"] for u in st.users()}
    wanted = [("analyst", "analyst", None), ("commission", "commission", None)]
    wanted += [(f"akimat-{code}", "akimat", code) for code, _ in wb.regions()]
    lines = []
    for name, role, region in wanted:
        if name in have:
            continue
        pw = secrets.token_urlsafe(9)
        st.add_user(name, pw, role, region, actor="serve --demo-users")
        lines.append(f"demo user {name} ({role}{' ' + region if region else ''}): password {pw}")
    return lines


users_app = typer.Typer(no_args_is_help=True, help="Workbench users: ministry analysts, akimat users, commission members.")
app.add_typer(users_app, name="users")


@users_app.command("add")
def users_add(
    username: str = typer.Argument(..., help="Login name."),
    role: str = typer.Option(..., "--role", help="analyst, akimat or commission."),
    region: str = typer.Option(None, "--region", help="An akimat user's region code (KATO)."),
    name: str = typer.Option(None, "--name", help="The name shown on pages."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
    store: str = typer.Option(str(DEFAULT_STORE), "--store", help=STORE_HELP),
) -> None:
    """Add a user; the password is asked for (or read from stdin) and stored as an argon2 hash."""
    from ..store import Store

    with _reported():
        pw = sys.stdin.readline().rstrip("\n") if password_stdin else typer.prompt("password", hide_input=True,
                                                                                    confirmation_prompt=True)
        st = Store.open(store)
        try:
            st.add_user(username, pw, role, region, name, actor="cli")
        finally:
            st.close()
    out.print(f"user {username} ({role}{' ' + region if region else ''}) added to {store}", highlight=False)


@users_app.command("list")
def users_list(store: str = typer.Option(str(DEFAULT_STORE), "--store", help=STORE_HELP)) -> None:
    """The store's users and roles."""
    from ..store import Store

    with _reported():
        st = Store.open(store)
        rows = st.users()
        st.close()
    for u in rows:
        out.print(f"{u['username']}\t{u['role']}\t{u['region'] or ''}\t{u['display_name'] or ''}", highlight=False)
