"""Lint and types in `make test` (issue 18 item 8), and the bugs mypy found on the way."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from interbudget.errors import InterbudgetError, Problem
from interbudget.functions.criteria import check_assignments
from interbudget.functions.registry import load_registry

ROOT = Path(__file__).resolve().parent.parent
CORE = ["interbudget.errors", "interbudget.hierarchy", "interbudget.grid", "interbudget.patch",
        "interbudget.engine", "interbudget.rules", "interbudget.rules.*"]
STRICT_FLAGS = ["disallow_untyped_defs", "disallow_incomplete_defs", "disallow_untyped_calls",
                "disallow_untyped_decorators", "disallow_any_generics", "disallow_subclassing_any",
                "check_untyped_defs", "warn_return_any", "no_implicit_reexport", "strict_equality", "extra_checks"]


def test_every_problem_of_an_error_is_a_problem_even_when_given_as_text():
    exc = InterbudgetError(["a plain message", Problem("units.csv", "bad code", "line 3", "code")])
    assert [p.message for p in exc.problems] == ["a plain message", "bad code"]
    assert str(exc) == "a plain message\nunits.csv, line 3, column 'code': bad code"
    assert [p.message for p in InterbudgetError("one").problems] == ["one"]


def test_refused_assignments_carry_problems_a_caller_can_read():
    # criteria collected messages as text: exc.problems held str, so p.message / p.column raised AttributeError
    reg = load_registry(ROOT / "registry" / "kz")
    with pytest.raises(InterbudgetError) as info:
        check_assignments(reg, {"no_such_function": "region", next(iter(reg.functions)): "nowhere"})
    problems = info.value.problems
    assert len(problems) == 2 and all(isinstance(p, Problem) and p.column is None for p in problems)
    assert "unknown function 'no_such_function'" in problems[0].message
    assert "unknown level 'nowhere'" in problems[1].message


def test_make_test_runs_ruff_and_mypy_before_the_suite():
    make = (ROOT / "Makefile").read_text()
    assert re.search(r"^test: [^\n]*\blint\b", make, re.MULTILINE), "make test must depend on lint"
    lint = re.search(r"^lint:[^\n]*\n((?:\t[^\n]*\n)+)", make, re.MULTILINE)
    assert lint is not None
    assert lint.group(1).split("\n")[:2] == ["\t$(BIN)/ruff check src tests benchmarks scripts", "\t$(BIN)/mypy"]


def test_the_core_is_strict_in_the_mypy_configuration():
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text())
    mypy = conf["tool"]["mypy"]
    assert mypy["files"] == ["src/interbudget"] and "pydantic.mypy" in mypy["plugins"]
    strict = [o for o in mypy["overrides"] if o.get("disallow_untyped_defs")]
    assert len(strict) == 1 and strict[0]["module"][:len(CORE)] == CORE
    assert all(strict[0].get(flag) is True for flag in STRICT_FLAGS)
    ruff = conf["tool"]["ruff"]
    assert ruff["line-length"] == 120 and {"E", "F", "W", "I", "B", "UP"} <= set(ruff["lint"]["select"])
