"""The wheel as a user installs it: only the core dependencies, the bundled data inside the package, and
`simulate` / `explain` run from another directory on `bundled:` paths (issue 18, light installs)."""
from __future__ import annotations

import csv
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(args, cwd, **kw):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=900, **kw)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    built = _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp / "dist"), str(ROOT)], tmp)
    assert built.returncode == 0, built.stderr
    wheel = next((tmp / "dist").glob("interbudget-*.whl"))
    venv.create(tmp / "env", with_pip=True)
    py = tmp / "env" / "bin" / "python"
    inst = _run([str(py), "-m", "pip", "install", "--quiet", str(wheel)], tmp)
    assert inst.returncode == 0, inst.stderr
    return tmp / "env" / "bin"


def test_the_core_install_leaves_out_the_heavy_extras(installed):
    probe = _run([str(installed / "python"), "-c", ("import importlib.util as u; print([m for m in "
                  "('pyspark', 'psycopg', 'fastapi', 'duckdb', 'ibis', 'pandas', 'plotly') if u.find_spec(m)])")],
                 installed)
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip() == "[]"


def test_simulate_and_explain_run_from_another_directory_on_bundled_data(installed, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    cli = str(installed / "interbudget")
    sim = _run([cli, "simulate", "bundled:data/kz", "bundled:scenarios/current-law.yaml", "--out", "out"], tmp_path, env=env)
    assert sim.returncode == 0, sim.stderr
    with (tmp_path / "out" / "budgets.csv").open(encoding="utf-8") as fh:
        levels = {r["level"] for r in csv.DictReader(fh)}
    assert levels == {"republic", "region", "district", "rural"}
    # the same bytes as the checkout computes
    here = _run([sys.executable, "-m", "interbudget", "simulate", str(ROOT / "data" / "kz"),
                 str(ROOT / "scenarios" / "current-law.yaml"), "--out", "checkout"], tmp_path)
    assert here.returncode == 0, here.stderr
    assert (tmp_path / "out" / "budgets.csv").read_bytes() == (tmp_path / "checkout" / "budgets.csv").read_bytes()
    ex = _run([cli, "explain", "bundled:data/kz", "bundled:scenarios/current-law.yaml", "--code", "430000000",
               "--year", "2026", "--lang", "kk"], tmp_path, env=env)
    assert ex.returncode == 0, ex.stderr
    assert "430000000" in ex.stdout
    listing = _run([cli, "bundled"], tmp_path, env=env)
    assert "bundled:data/kz" in listing.stdout and str(ROOT) not in listing.stdout


def test_a_command_that_needs_an_extra_says_which(installed, tmp_path):
    cli = str(installed / "interbudget")
    rep = _run([cli, "report", "bundled:data/example", "bundled:data/example/scenarios/current-law.yaml", "--out", "r"], tmp_path)
    assert rep.returncode == 2, rep.stdout + rep.stderr
    assert "interbudget[reports]" in rep.stderr and "Traceback" not in rep.stderr


def test_the_wheel_carries_the_web_assets(installed):
    """The workbench's CSS framework, stylesheet and table script are package data: served without a CDN."""
    probe = _run([str(installed / "python"), "-c", ("import importlib.util as u, pathlib; "
                  "p = pathlib.Path(u.find_spec('interbudget').origin).parent / 'web' / 'static'; "
                  "print(sorted(f.name for f in p.iterdir()))")], installed)
    assert probe.returncode == 0, probe.stderr
    for name in ("pico.min.css", "PICO-LICENSE.md", "interbudget.css", "tables.js"):
        assert name in probe.stdout
