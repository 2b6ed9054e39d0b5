"""Start-up: a command imports only its own module (cli.COMMANDS), `--help` still lists every command, and the
core commands never import pandas (cli.NO_PANDAS), while pandas conversions later in the same process still work."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

import interbudget.cli as cli

ROOT = Path(__file__).resolve().parent.parent


def _defining_modules() -> dict[str, set[str]]:
    """Every command and command group of the full app -> the cli modules its callbacks live in."""
    app = cli.app  # every module registered
    found: dict[str, set[str]] = {}
    for c in app.registered_commands:
        name = c.name or c.callback.__name__.replace("_", "-")
        found.setdefault(name, set()).add(c.callback.__module__.rpartition(".")[2])
    for g in app.registered_groups:
        mods = {c.callback.__module__.rpartition(".")[2] for c in g.typer_instance.registered_commands}
        found.setdefault(g.name, set()).update(mods)
    return found


def test_the_command_map_names_every_command_and_the_module_that_defines_it():
    found = _defining_modules()
    assert {"simulate", "explain", "serve", "functions", "users"} <= found.keys()  # the reader sees commands and groups
    assert found == {name: {mod} for name, mod in cli.COMMANDS.items()}
    assert set(cli.COMMANDS.values()) <= set(cli.MODULES)


def _run(args: list[str], probe: str = "") -> subprocess.CompletedProcess:
    code = ("import sys, json\n"
            f"sys.argv = ['interbudget'] + {args!r}\n"
            "from interbudget.cli import main\n"
            "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\nelse:\n    code = 0\n"
            "mods = sorted(m for m in sys.modules if m.split('.')[0] in ('pandas', 'scipy', 'fastapi', 'plotly', 'duckdb')"
            " or m.startswith('interbudget.cli.'))\n"
            f"{probe}\n"
            "print(json.dumps({'code': code, 'mods': mods}))\n")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_simulate_imports_its_own_module_and_no_pandas_and_writes_what_the_full_app_writes(tmp_path):
    res = _run(["simulate", "data/kz", "scenarios/current-law.yaml", "--out", str(tmp_path / "lean")])
    got = json.loads(res.stdout.strip().splitlines()[-1])
    assert got["code"] == 0, res.stderr
    assert got["mods"] == ["interbudget.cli._common", "interbudget.cli.run"]
    full = CliRunner().invoke(cli.app, ["simulate", str(ROOT / "data/kz"), str(ROOT / "scenarios/current-law.yaml"),
                                        "--out", str(tmp_path / "full")])
    assert full.exit_code == 0, full.output
    for name in ("budgets.csv", "shares.csv"):
        assert (tmp_path / "lean" / name).read_bytes() == (tmp_path / "full" / name).read_bytes()


def test_pandas_still_converts_after_a_lean_command(tmp_path):
    probe = ("import pyarrow as pa, pandas as pd\n"
             "assert type(pa.table({'a': [1, 2]}).to_pandas()).__name__ == 'DataFrame'\n"
             "assert pa.types.is_dictionary(pa.array(pd.Series(pd.Categorical(['x', 'y', 'x']))).type)\n")
    res = _run(["validate", "data/kz"], probe)
    assert json.loads(res.stdout.strip().splitlines()[-1])["code"] == 0, res.stderr


def test_a_bad_scenario_still_fails_with_the_one_error_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nyears: [2026]\noption: 9\nwithdrawal_rate: 0.5\n", encoding="utf-8")
    res = _run(["simulate", "data/kz", str(bad), "--out", str(tmp_path / "o")])
    got = json.loads(res.stdout.strip().splitlines()[-1])
    assert got["code"] == 2 and "error:" in res.stderr and "Traceback" not in res.stderr


def test_help_lists_every_command_and_a_mistyped_one_is_refused():
    res = _run(["--help"])
    assert json.loads(res.stdout.strip().splitlines()[-1])["code"] == 0
    for name in cli.COMMANDS:
        assert name in res.stdout
    typo = _run(["simulat"])
    assert json.loads(typo.stdout.strip().splitlines()[-1])["code"] == 2 and "simulat" in typo.stderr


def test_help_imports_no_library_that_computes():
    """`--help` lists every command without numpy, pyarrow, pydantic or yaml (and typer builds no pydantic adapters)."""
    probe = ("heavy = sorted(m for m in ('numpy', 'pyarrow', 'pydantic', 'yaml', 'typer._adapters') if m in sys.modules)\n"
             "assert not heavy, heavy\n")
    res = _run(["--help"], probe)
    assert res.returncode == 0 and json.loads(res.stdout.strip().splitlines()[-1])["code"] == 0, res.stderr


def _script(args: list[str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """The console script's path (cli.script) in a fresh process, with an atexit hook that says whether the
    interpreter was torn down."""
    code = ("import atexit, sys\n"
            "atexit.register(lambda: print('torn down', file=sys.stderr))\n"
            f"sys.argv = ['interbudget'] + {args!r}\n"
            "from interbudget.cli import script\n"
            "script()\n")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_a_fast_exit_command_ends_at_once_with_its_output_complete_and_its_status(tmp_path):
    res = _script(["simulate", "data/kz", "scenarios/current-law.yaml", "--out", str(tmp_path / "fast")])
    assert res.returncode == 0, res.stderr
    assert "torn down" not in res.stderr  # the process ended without tearing the interpreter down
    assert res.stdout.rstrip().splitlines()[-1].startswith("results: ")  # everything printed reached the pipe
    full = CliRunner().invoke(cli.app, ["simulate", str(ROOT / "data/kz"), str(ROOT / "scenarios/current-law.yaml"),
                                        "--out", str(tmp_path / "full")])
    assert full.exit_code == 0, full.output
    for name in ("budgets.csv", "shares.csv"):
        assert (tmp_path / "fast" / name).read_bytes() == (tmp_path / "full" / name).read_bytes()
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nyears: [2026]\noption: 9\n", encoding="utf-8")
    res = _script(["simulate", "data/kz", str(bad), "--out", str(tmp_path / "o")])
    assert res.returncode == 2 and "error:" in res.stderr and "Traceback" not in res.stderr
    assert _script(["validate", "data/kz"]).returncode == 0


def test_other_commands_end_as_usual_and_the_root_help_at_once():
    res = _script(["bundled"])
    assert res.returncode == 0 and "torn down" in res.stderr
    res = _script(["--help"])
    assert res.returncode == 0 and "torn down" not in res.stderr and "simulate" in res.stdout
