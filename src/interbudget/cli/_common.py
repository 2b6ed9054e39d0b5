"""The CLI's shared pieces: the Typer app, consoles, the one error idiom, bundled-data paths.

Errors of the project's own type are printed as plain lines naming file,
row and problem, and the command exits with status 2; never a traceback.
"""
from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from .. import bundled
from .._version import __version__
from ..errors import InterbudgetError


def bundled_path(value: Path | None) -> Path | None:
    """Typer callback for every path argument: `bundled:data/kz` names the data shipped with interbudget."""
    try:
        return bundled.resolve(value)
    except InterbudgetError as exc:
        raise typer.BadParameter(str(exc)) from None


# arguments every command shares
AllowDuplicates = Annotated[bool, typer.Option("--allow-duplicates", help="Keep rows repeated exactly in a dataset table "
                                               "(each counts), with a warning, instead of refusing them.")]
AllowUnknownTaxes = Annotated[bool, typer.Option("--allow-unknown-taxes", help="Accept a tax in sharing, sharing_base, child_shares "
                                                 "or regulated_taxes that the dataset's tax list lacks, with a warning.")]
DatasetArg = Annotated[Path, typer.Argument(help="Dataset folder (units.csv, receipts.csv, ...), or bundled:data/NAME.",
                                            callback=bundled_path)]
ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file (bundled:scenarios/NAME.yaml for a shipped one).",
                                             callback=bundled_path)]

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Inter-budgetary relations workbench.")
out = Console(width=None if sys.stdout.isatty() else 140)
err = Console(stderr=True)


def fail(exc: InterbudgetError) -> NoReturn:
    for p in exc.problems:
        err.print(f"[red]error:[/red] {escape(str(p))}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


@contextmanager
def reported(where: Path | None = None):
    """Bad input and unwritable folders end the command with one line each and status 2."""
    try:
        yield
    except InterbudgetError as exc:
        fail(exc)
    except OSError as exc:
        fail(InterbudgetError(f"{where}: {exc.strerror}" if where else str(exc.strerror)))


def fmt(x: float, digits: int = 1) -> str:
    return f"{round(x, digits) + 0.0:,.{digits}f}".replace(",", " ")  # + 0.0: no "-0.000"


def warn(lines: list[str]) -> None:
    for w in lines:
        err.print(f"[yellow]warning:[/yellow] {escape(w)}", highlight=False, soft_wrap=True)


def dataset_of(dataset: Path, allow_duplicates: bool = False, needs_basis: str | None = None):
    """The dataset, its warnings (what --allow-duplicates accepted, receipts summed) printed once; with
    `needs_basis`, only that needs basis read (load_dataset)."""
    from ..dataset import load_dataset

    ds = load_dataset(dataset, allow_duplicates=allow_duplicates, needs_basis=needs_basis)
    warn(ds.warnings)
    return ds


def run_on(ds, scenario: Path, allow_unknown_taxes: bool = False, loaded=None):
    """SCENARIO run on DS, the run's own warnings printed; (result, scenario files). LOADED: the scenario and its
    files as load_scenario gave them, when the caller has read it already."""
    from ..engine import run
    from ..scenario import load_scenario

    s, files = loaded or load_scenario(scenario)
    res = run(ds, s, scenario.name, allow_unknown_taxes=allow_unknown_taxes)
    warn(res.warnings[len(ds.warnings):])
    return res, files


def load(dataset: Path, scenario: Path, allow_duplicates: bool = False, allow_unknown_taxes: bool = False):
    from ..scenario import load_scenario

    loaded = load_scenario(scenario)  # a bad scenario is reported before the dataset is read
    ds = dataset_of(dataset, allow_duplicates, loaded[0].needs_basis)  # its needs basis only
    return run_on(ds, scenario, allow_unknown_taxes, loaded)


@app.callback(invoke_without_command=True)
def root(version: bool = typer.Option(False, "--version", help="Print the version and exit.")) -> None:
    if version:
        out.print(__version__)
        raise typer.Exit



def main() -> None:
    """Entry point: a bug still ends in one readable line (INTERBUDGET_DEBUG=1 shows the traceback)."""
    try:
        app()
    except ModuleNotFoundError as exc:
        extra = EXTRAS.get((exc.name or "").split(".")[0])
        if extra is None or os.environ.get("INTERBUDGET_DEBUG"):
            raise
        err.print("[red]error:[/red] " + escape(f"this command needs {exc.name}, which the core install leaves out: "
                                                 f"pip install 'interbudget[{extra}]'"), highlight=False, soft_wrap=True)
        sys.exit(2)
    except Exception as exc:  # the last line of defence, not error handling
        if os.environ.get("INTERBUDGET_DEBUG"):
            raise
        err.print(f"[red]internal error:[/red] {type(exc).__name__}: {escape(str(exc))}. This is a bug in interbudget; please report it "
                  "with the command you ran (INTERBUDGET_DEBUG=1 shows the traceback).", highlight=False)
        sys.exit(3)



def year_pos(res, year: int) -> int:
    if year not in res.years:
        raise InterbudgetError(f"year {year} is not among the scenario's years {res.years}")
    return res.years.index(year)


def write_json(folder: Path, name: str, data: dict) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{name}.tmp"
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=float) + "\n", encoding="utf-8")
        os.replace(tmp, folder / name)
    except OSError as exc:
        raise InterbudgetError(f"{folder}: cannot write {name} ({exc.strerror})") from None


BUNDLED_KZ = bundled.path("data/kz")
BUNDLED_REGISTRY = bundled.path("registry/kz")
# optional dependencies -> the extra that installs them (pyproject.toml)
EXTRAS = {"plotly": "reports", "xlsxwriter": "reports", "openpyxl": "reports", "highspy": "optimize",
          "fastapi": "web", "uvicorn": "web", "jinja2": "web", "starlette": "web", "argon2": "web", "multipart": "web",
          "duckdb": "web", "psycopg": "postgres", "psycopg_pool": "postgres", "ibis": "scale", "pyspark": "scale",
          "pandas": "scale", "sqlglot": "scale"}
DEFAULT_STORE = Path("out/workbench.duckdb")
STORE_HELP = "The store: a DuckDB file (default out/workbench.duckdb) or a postgresql:// URL."
