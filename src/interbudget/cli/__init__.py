"""Command line (Typer + rich), one module per command group.

Errors of the project's own type are printed as plain lines naming file,
row and problem, and the command exits with status 2; never a traceback.

A command's module is imported when the command runs: `main` reads the
command's name and imports only the module that defines it (`COMMANDS`), so
`interbudget simulate` does not pay for the web, the reports or the
analyses; `--help`, an unknown name and `interbudget.cli.app` import them all.
"""
from __future__ import annotations

import os
import sys
from importlib import import_module
from typing import Any

# each module registers its commands on `app` when imported; a new module goes in this tuple
MODULES = ("analysis", "functions", "info", "needs", "programme", "receipts", "reconcile", "reports", "run", "scorecard",
           "web")
# command (or command group) -> the module that defines it; a name missing here only costs importing them all
COMMANDS = {
    "simulate": "run", "validate": "run", "explain": "run",
    "metrics": "analysis", "compare": "analysis", "stress": "analysis", "taxes": "analysis", "optimize": "analysis",
    "functions": "functions", "proposal": "functions", "bundled": "info", "needs": "needs", "programme": "programme",
    "receipts": "receipts", "reconcile": "reconcile", "report": "reports", "import-excel": "reports",
    "scorecard": "scorecard", "serve": "web", "users": "web",
}
# commands that convert nothing to or from pandas (see `_no_pandas_probe`)
NO_PANDAS = {"simulate", "validate", "explain"}
# commands whose process ends as soon as they are done (see `script`): their files are written and closed by then
FAST_EXIT = {"simulate", "validate", "explain"}
__all__ = ["COMMANDS", "FAST_EXIT", "MODULES", "NO_PANDAS", "app", "main", "register", "script"]


def register(args: list[str] | None = None) -> None:
    """Import the module of the command ARGS name (its first word), or every command module."""
    args = args or []
    name = next((a for a in args if not a.startswith("-")), None)
    # `interbudget --help simulate` is the root's help: every command
    wanted = [COMMANDS[name]] if name in COMMANDS and "--help" not in args[:1] else MODULES
    for mod in wanted:
        import_module(f"{__name__}.{mod}")


class _NoPandas:
    """An import finder that refuses pandas (only while pyarrow's first probe runs)."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError("pandas is not used by this command", name=name)
        return None


def _no_pandas_probe() -> None:
    """pyarrow asks once per process whether pandas can be imported, on its first `pa.array` (pandas takes 0.4 s to
    import, a third of a `simulate`), and imports it again when a conversion really needs pandas (`to_pandas`,
    `from_pandas`). For a command of NO_PANDAS the first question is answered "no"; nothing else changes."""
    if "pandas" in sys.modules:
        return
    import pyarrow as pa

    finder = _NoPandas()
    sys.meta_path.insert(0, finder)
    try:
        pa.array([0])
    finally:
        sys.meta_path.remove(finder)


def _command(args: list[str]) -> str | None:
    return next((a for a in args if not a.startswith("-")), None)


def main() -> None:
    """Entry point: the command's module only, then the app (cli/_common.py `main`)."""
    from . import _common

    args = sys.argv[1:]
    register(args)
    if _command(args) in NO_PANDAS:
        _no_pandas_probe()
    _common.main()


def script() -> None:
    """The console script and `python -m interbudget`: `main`; then the process of a FAST_EXIT command (and of the
    root's --help and --version) ends at once, its output flushed, without tearing the interpreter down (freeing every
    module and object of numpy, pyarrow, pydantic and typer costs about 0.1 s, a tenth of a `simulate`; mypy ends its
    runs so for the same reason). Any other command, and `main` called from Python, end as usual."""
    cmd = _command(sys.argv[1:])
    if cmd is not None and cmd not in FAST_EXIT:  # None: the root's --help or --version, which end as fast
        main()
        return
    try:
        main()
        code: Any = 0
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message"): said on stderr, status 1, as Python does
        print(code, file=sys.stderr)  # noqa: T201
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said on it
            code = code or 1
    os._exit(code)


def __getattr__(name: str) -> Any:
    if name == "app":  # the whole command line, every command registered (tests, `python -m interbudget`)
        register()
        from ._common import app

        globals()["app"] = app
        return app
    raise AttributeError(f"module '{__name__}' has no attribute '{name}'")
