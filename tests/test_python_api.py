"""The public Python API: the README's snippet runs; a light import; a frozen Scenario whose changes are validated
with the YAML file's messages; Result.frame equals budgets.csv with the project's status rule."""
from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

import interbudget as ib
from helpers import write_scenario
from interbudget.output import budgets_table
from interbudget.rules.status import budget_status

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "example"
SCEN = EXAMPLE / "scenarios"


def test_the_readme_snippet_runs_and_prints_what_it_says(tmp_path, monkeypatch):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"<!-- python: from-python -->\s*```python\n(.*?)```", text, re.DOTALL)
    assert len(blocks) == 1
    monkeypatch.chdir(tmp_path)  # bundled: paths work from any directory
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(compile(blocks[0], "README.md", "exec"), {})
    out = buf.getvalue()
    assert "changes, key 'option': unknown option 9: choose 1, 2, 3 or 4" in out
    assert "subvention_received" in out and "status" in out and "Name: subvention_received" in out  # both prints ran


def test_import_interbudget_is_light():
    probe = ("import sys, interbudget as ib; heavy = [m for m in ('numpy', 'pandas', 'scipy', 'fastapi', 'pyarrow', 'pydantic') "
             "if m in sys.modules]; print(heavy, ib.__version__, sorted(ib.__all__))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.startswith("[] 0.1.0"), out
    for name in ("load_dataset", "load_scenario", "run", "Scenario", "InterbudgetError", "Result"):
        assert name in out
    assert ib.Scenario is __import__("interbudget.scenario", fromlist=["Scenario"]).Scenario
    with pytest.raises(AttributeError):
        ib.nothing_here  # noqa: B018


@pytest.fixture(scope="module")
def law():
    return ib.load_scenario(SCEN / "current-law.yaml")


@pytest.mark.parametrize("diff, yaml_text", [
    ({"option": 9}, "option: 9\n"),
    ({"sharing": {"vat": {"region": 1.5}}}, "sharing:\n  vat: {region: 1.5}\n"),
    ({"withdrawl_rate": 0.5}, "withdrawl_rate: 0.5\n"),
])
def test_with_changes_refuses_what_a_yaml_file_would_with_the_same_message(tmp_path, law, diff, yaml_text):
    (tmp_path / "d.yaml").write_text(f"extends: {SCEN / 'current-law.yaml'}\n{yaml_text}", encoding="utf-8")
    with pytest.raises(ib.InterbudgetError) as from_file:
        ib.load_scenario(tmp_path / "d.yaml")
    with pytest.raises(ib.InterbudgetError) as from_diff:
        law.with_changes(diff)
    strip = lambda e: [str(p).split(", ", 1)[1] for p in e.value.problems]  # noqa: E731 — all but the source
    assert strip(from_diff) == strip(from_file) and strip(from_diff)
    assert str(from_diff.value.problems[0]).startswith("changes, key '")


def test_with_changes_merges_as_extends_does(tmp_path, law):
    diff = {"option": 2, "sharing": {"cit_sme": None, "vat": {"region": 0.1}}, "withdrawal_rate": 0.8}
    import yaml

    (tmp_path / "d.yaml").write_text(f"extends: {SCEN / 'current-law.yaml'}\n" + yaml.safe_dump(diff), encoding="utf-8")
    assert law.with_changes(diff) == ib.load_scenario(tmp_path / "d.yaml")
    assert "cit_sme" not in law.with_changes(diff).sharing and "cit_sme" in law.sharing  # the original is unchanged


def test_a_scenario_is_frozen_and_model_copy_validates(law):
    with pytest.raises(ValidationError):
        law.option = 3
    with pytest.raises(ib.InterbudgetError, match="model_copy, key 'option': unknown option 9"):
        law.model_copy(update={"option": 9, "withdrawal_rate": 7})
    with pytest.raises(ib.InterbudgetError, match=r"withdrawal_rate 7\.0 is outside"):
        law.model_copy(update={"withdrawal_rate": 7})
    assert law.model_copy(update={"name": "x"}).name == "x" and law.model_copy() == law


@pytest.fixture(scope="module")
def res():
    return ib.run(EXAMPLE, SCEN / "option-2.yaml")


def test_the_frame_is_budgets_csv_with_names_regions_population_and_status(res):
    f = res.frame()
    assert list(f.columns) == ["code", "name", "level", "region", "year", "population", "needs", "revenue",
                               "subvention_received", "withdrawal_paid", "subventions_paid", "withdrawals_received",
                               "balance", "status"]
    bt = budgets_table(res).to_pandas()
    plan = bt[bt.track == "plan"].reset_index(drop=True)
    assert len(f) == len(plan) == res.hierarchy.nb * len(res.years)
    for c in ("code", "level", "year", "needs", "revenue", "subvention_received", "withdrawal_paid", "subventions_paid",
              "withdrawals_received", "balance"):
        assert (f[c].to_numpy() == plan[c].to_numpy()).all(), c
    assert list(f.status) == [budget_status(s, w) for s, w in zip(f.subvention_received, f.withdrawal_paid, strict=True)]
    assert {"subvention", "neutral"} <= set(f.status)  # the republic is neutral, some region gets a subvention
    h = res.hierarchy
    rep = f[f.level == "republic"]
    assert (rep.region == "").all() and (rep.population == h.population[h.republic]).all()
    regions = f[f.level == "region"]
    assert (regions.region == regions.code).all()
    districts = f[f.level == "district"]
    idx = h.unit_index()
    for code, region in zip(districts.code, districts.region, strict=True):
        assert h.codes[h.parent[idx[code]]] == region  # a district's region is its parent
    assert f.name[f.code == "110000000"].iloc[0] == h.name(idx["110000000"], "en")
    assert res.frame(lang="kk").name[f.code == "110000000"].iloc[0] == h.name(idx["110000000"], "kk")


def test_the_actual_track_and_bad_requests(res):
    a = res.frame(track="actual")
    assert set(a.year) == {res.years[k] for k in res.actual.year_pos}
    np.testing.assert_array_equal(res.table("actual").column("balance").to_numpy(), a.balance.to_numpy())
    with pytest.raises(ib.InterbudgetError, match="track 'revised' is not in this result: choose plan, actual"):
        res.frame(track="revised")
    with pytest.raises(ib.InterbudgetError, match="unknown language 'de'"):
        res.frame(lang="de")


def test_run_takes_objects_or_paths_and_every_bad_input_is_the_one_error(tmp_path, law):
    ds = ib.load_dataset(EXAMPLE)
    assert ib.run(ds, law).frame().equals(ib.run(EXAMPLE, SCEN / "current-law.yaml").frame())
    with pytest.raises(ib.InterbudgetError, match="dataset folder not found"):
        ib.load_dataset(tmp_path / "nope")
    with pytest.raises(ib.InterbudgetError, match="no such bundled file"):
        ib.load_dataset("bundled:data/nope")
    bad = write_scenario(tmp_path / "t.yaml", {"name": "t", "years": [2026], "sharing": {"vta": {"region": 0.5}}})
    with pytest.raises(ib.InterbudgetError, match=r"key 'sharing\.vta': tax 'vta' is not in the dataset's tax list"):
        ib.run(ds, bad)
    assert any("vta" in w for w in ib.run(ds, bad, allow_unknown_taxes=True).warnings)


def test_load_dataset_reads_one_needs_basis_when_asked_and_refuses_another():
    one = ib.load_dataset("bundled:data/kz", needs_basis="law")
    every = ib.load_dataset("bundled:data/kz")
    law = ib.load_scenario("bundled:scenarios/current-law.yaml")
    assert law.needs_basis == "law"
    a, b = ib.run(one, law).frame(), ib.run(every, law).frame()
    assert a.to_dict() == b.to_dict()
    with pytest.raises(ib.InterbudgetError, match="needs basis 'normative' was not read"):
        ib.run(one, "bundled:scenarios/normative-needs.yaml")
