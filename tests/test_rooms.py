"""The scenario, the store and the proposals split along their seams: each module a reader can hold in mind
(at most 300 lines), every public name still importable from where it was."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "src" / "interbudget"
SPLIT = ["scenario", "store", "functions/proposals.py", "functions/proposal_check.py", "analysis"]


@pytest.mark.parametrize("where", SPLIT)
def test_each_module_is_at_most_300_lines(where):
    files = sorted((PKG / where).rglob("*.py")) if (PKG / where).is_dir() else [PKG / where]
    assert files
    long = {str(f.relative_to(PKG)): n for f in files if (n := len(f.read_text(encoding="utf-8").splitlines())) > 300}
    assert long == {}


@pytest.mark.parametrize("module, names", [
    ("interbudget.scenario", ["Scenario", "load_scenario", "read_scenario_data", "validate_scenario", "scenario_dict", "OPTIONS",
                              "METHODS", "SHARE_LEVELS", "NEEDS_BASES", "Borrowing", "Sequestration", "TaxShares", "Envelope",
                              "Mandate", "Targeted", "CapacityRate", "Revision", "ActualShock", "DEFAULT_ORDER", "SEQUESTRABLE"]),
    ("interbudget.store", ["Store", "Conflict", "NotFound", "TooManyAttempts", "ROLES", "connect"]),
    ("interbudget.store.store", ["Store", "Conflict", "NotFound", "TooManyAttempts", "ROLES", "MAX_TEXT", "MAX_NOTE", "as_stored",
                                 "strip_nulls", "now", "OBJECTION_KINDS", "RESOLUTIONS", "SESSION_HOURS"]),
    ("interbudget.functions.proposals", ["apply", "load_proposal", "check_proposal", "move_needs", "structure", "with_moves",
                                         "base_lines", "proposal_kinds", "OUT_OF_STATE"]),
    ("interbudget.analysis.compare", ["compare", "movers", "budget_view", "BANDS"]),
])
def test_public_names_are_where_they_were(module, names):
    mod = __import__(module, fromlist=names)
    missing = [n for n in names if not hasattr(mod, n)]
    assert missing == []


def test_the_store_is_its_parts():
    from interbudget.store.objections import ObjectionsMixin
    from interbudget.store.runs import RunsMixin
    from interbudget.store.scenarios import ScenariosMixin
    from interbudget.store.store import Store
    from interbudget.store.users import UsersMixin

    assert Store.__mro__[1:5] == (UsersMixin, ScenariosMixin, RunsMixin, ObjectionsMixin)
    # every operation is defined once: no method of one part shadows another's
    seen: dict[str, str] = {}
    for part in Store.__mro__[1:5]:
        for name in vars(part):
            if not name.startswith("__"):
                assert name not in seen, f"{name} in {seen.get(name)} and {part.__name__}"
                seen[name] = part.__name__


def test_module_docstrings_say_what_the_module_does():
    import re

    stray = re.compile(r"\b(issue|round|assignment|engineer)s? ?#?\d+", re.IGNORECASE)
    bad = []
    for f in PKG.rglob("*.py"):
        doc = ast.get_docstring(ast.parse(f.read_text(encoding="utf-8"))) or ""
        if stray.search(doc):
            bad.append(f"{f.relative_to(PKG)}: {stray.search(doc).group(0)}")
    assert bad == []
