"""Needs bases (docs/METHOD.md "Needs bases"): a dataset may hold observed (needs.csv), law
(needs_law.csv) and normative (needs_normative.csv) needs; a scenario's `needs_basis:` picks one."""
from __future__ import annotations

import csv
import json
import shutil
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from helpers import make_dataset, write_csv, write_scenario
from interbudget.dataset import load_dataset
from interbudget.engine import run
from interbudget.errors import InterbudgetError
from interbudget.explain import explain, render
from interbudget.scenario import load_scenario, validate_scenario
from test_errors import run_cli

ROOT = Path(__file__).resolve().parents[1]
Y = 2026
UNITS = [("0", None, "republic", 100), ("1", "0", "region", 60), ("11", "1", "district", 40)]
SC = {"name": "b", "years": [Y], "sharing": {"iit_source": {"region": 0.5, "district": 0.5}}}
NEEDS_COLS = ["code", "year", "function", "priority", "amount"]


def dataset(tmp_path: Path, law: bool = True) -> Path:
    ds = make_dataset(tmp_path / "ds", UNITS, receipts=[("11", Y, "iit_source", 100)], needs=[("11", Y, "edu", 10)])
    if law:  # the law's needs: district 80, region 30
        write_csv(ds / "needs_law.csv", NEEDS_COLS, [["11", Y, "edu", "mandatory", 80], ["1", Y, "roads", "basic", 30]])
    return ds


def region_net(res, code: str) -> float:
    h = res.hierarchy
    b = h.budget_index_of_unit[h.unit_index()[code]]
    return float(res.transfers.subvention[b, 0] - res.transfers.withdrawal[b, 0])


def test_default_is_observed_and_a_second_basis_changes_nothing(tmp_path):
    """METHOD.md unchanged: with or without needs_law.csv beside it, a scenario without the key gives the same numbers."""
    s = validate_scenario(SC, "s.yaml")
    assert s.needs_basis == "observed"
    plain = run(load_dataset(dataset(tmp_path / "a", law=False)), s)
    both = run(load_dataset(dataset(tmp_path / "b")), s)
    assert np.array_equal(plain.needs, both.needs) and np.array_equal(plain.transfers.subvention, both.transfers.subvention)
    # hand-checked: district need 10 - revenue 50 -> withdrawal 40; region 0 - 50 + (-40) -> withdrawal 90
    assert region_net(both, "11") == pytest.approx(-40) and region_net(both, "1") == pytest.approx(-90)


def test_the_law_basis_reads_needs_law(tmp_path):
    res = run(load_dataset(dataset(tmp_path)), validate_scenario({**SC, "needs_basis": "law"}, "s.yaml"))
    # district 80 - 50 = 30 subvention; region 30 - 50 + 30 = 10 subvention
    assert region_net(res, "11") == pytest.approx(30) and region_net(res, "1") == pytest.approx(10)
    assert res.dataset.needs_basis == "law"


def test_an_unknown_basis_is_a_clear_error(tmp_path):
    with pytest.raises(InterbudgetError, match="unknown needs_basis 'planned': choose observed, law or normative"):
        validate_scenario({**SC, "needs_basis": "planned"}, "s.yaml")
    scen = write_scenario(tmp_path / "s.yaml", {**SC, "needs_basis": "planned"})
    code, out = run_cli("simulate", dataset(tmp_path), scen, "--out", tmp_path / "out")
    assert code == 2 and "needs_basis" in out and "planned" in out


def test_a_basis_the_dataset_lacks_is_a_clear_error(tmp_path):
    ds = load_dataset(dataset(tmp_path))
    with pytest.raises(InterbudgetError, match=r"needs basis 'normative' is not in the dataset .*needs_normative\.csv .*law, observed"):
        run(ds, validate_scenario({**SC, "needs_basis": "normative"}, "n.yaml"))
    scen = write_scenario(tmp_path / "n.yaml", {**SC, "needs_basis": "normative"})
    code, out = run_cli("simulate", dataset(tmp_path), scen, "--out", tmp_path / "out")
    assert code == 2 and "needs_normative.csv" in out


def test_a_bad_row_in_a_basis_file_names_the_file_and_line(tmp_path):
    ds = dataset(tmp_path)
    write_csv(ds / "needs_law.csv", NEEDS_COLS, [["11", Y, "edu", "mandatory", -5]])
    with pytest.raises(InterbudgetError) as e:
        load_dataset(ds)
    assert "needs_law.csv" in str(e.value) and "line 2" in str(e.value)


def test_explain_and_the_manifest_name_the_basis(tmp_path):
    ds = dataset(tmp_path)
    res = run(load_dataset(ds), validate_scenario({**SC, "needs_basis": "law"}, "s.yaml"))
    ex = explain(res, "11", Y)
    assert ex["needs"]["basis"] == "law" and ex["needs"]["file"] == "needs_law.csv"
    assert ex["needs"]["items"][0]["source"] == "needs_law.csv"
    words = {"en": "Needs basis: law (needs_law.csv)", "ru": "База потребностей: по закону (needs_law.csv)",
             "kk": "Қажеттіліктер базасы: заң бойынша (needs_law.csv)"}
    for lang, w in words.items():
        text = render(explain(res, "11", Y, lang=lang), lang)
        assert w in text and "from needs.csv" not in text
    scen = write_scenario(tmp_path / "s.yaml", {**SC, "needs_basis": "law"})
    code, _ = run_cli("simulate", ds, scen, "--out", tmp_path / "out")
    assert code == 0
    m = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert m["needs_basis"] == {"basis": "law", "file": "needs_law.csv"} and m["scenario"]["needs_basis"] == "law"


def test_the_shipped_current_law_is_on_the_law_basis_and_observed_needs_differ_by_region():
    """data/kz: observed needs per person differ by region as the executed 2024 spending per person does."""
    kz = ROOT / "data" / "kz"
    s, _ = load_scenario(ROOT / "scenarios" / "current-law.yaml")
    assert s.needs_basis == "law"
    need = defaultdict(float)
    with (kz / "needs.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["year"] == "2026" and r["code"] != "000000000":
                need[r["code"][:2]] += float(r["amount"])
    units = {r["code"][:2]: r for r in csv.DictReader((kz / "units.csv").open(encoding="utf-8")) if r["level"] == "region"}
    execd = defaultdict(float)
    pop24 = {}
    shared = ROOT.parent / "shared" / "data" / "kz"
    if not (shared / "execution" / "execution.csv").is_file():
        pytest.skip("the shared sources are not beside the project")
    for r in csv.DictReader((shared / "execution" / "execution.csv").open(encoding="utf-8")):
        if r["date_in_source"] == "2024-12-01" and r["kato2"] in units and r["item_code"] in ("EXP", "EXP.15"):
            execd[r["kato2"]] += float(r["value_thousand_kzt"]) * (1 if r["item_code"] == "EXP" else -1)
    for r in csv.DictReader((shared / "drivers" / "population_avg_by_region.csv").open(encoding="utf-8")):
        if r["year"] == "2024" and r["item_code"] == "ALL" and r["kato2"] in units:
            pop24[r["kato2"]] = float(r["value_persons"])
    k2s = sorted(units)
    per_person = np.array([need[k] / float(units[k]["population"]) for k in k2s])
    executed = np.array([execd[k] / pop24[k] for k in k2s])
    assert per_person.std() / per_person.mean() > 0.15  # not one number
    assert np.corrcoef(per_person, executed)[0, 1] > 0.95
    law = load_dataset(kz).needs_bases
    assert set(law) == {"observed", "law", "normative"}


def test_a_copy_of_the_example_dataset_is_unchanged_by_the_key(tmp_path):
    """The bundled example (METHOD.md dataset) gives the same numbers with needs_basis: observed written out."""
    ex = ROOT / "data" / "example"
    s, _ = load_scenario(ex / "scenarios" / "current-law.yaml")
    a = run(load_dataset(ex), s)
    b = run(load_dataset(ex), s.model_copy(update={"needs_basis": "observed"}))
    assert np.array_equal(a.plan.balance, b.plan.balance) and np.array_equal(a.transfers.subvention, b.transfers.subvention)
    shutil.copytree(ex, tmp_path / "ex")
    assert load_dataset(tmp_path / "ex").needs_basis == "observed"


from hypothesis import (  # noqa: E402
    HealthCheck,
    given,
    settings,
    strategies as st,
)

amounts = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(obs=st.lists(amounts, min_size=3, max_size=3), law=st.lists(amounts, min_size=3, max_size=3), rec=amounts)
def test_a_basis_gives_exactly_the_numbers_of_a_dataset_whose_needs_csv_holds_it(tmp_path_factory, obs, law, rec):
    """Property: running basis `law` equals running `observed` on a copy whose needs.csv is needs_law.csv; and the
    observed run is not touched by the other file."""
    tmp = tmp_path_factory.mktemp("p")
    codes = ["0", "1", "11"]
    ds = make_dataset(tmp / "ds", UNITS, receipts=[("11", Y, "iit_source", rec)],
                      needs=[(c, Y, "edu", a) for c, a in zip(codes, obs, strict=True)])
    write_csv(ds / "needs_law.csv", NEEDS_COLS, [[c, Y, "edu", "mandatory", a] for c, a in zip(codes, law, strict=True)])
    swapped = make_dataset(tmp / "sw", UNITS, receipts=[("11", Y, "iit_source", rec)],
                           needs=[(c, Y, "edu", a) for c, a in zip(codes, law, strict=True)])
    plain = make_dataset(tmp / "plain", UNITS, receipts=[("11", Y, "iit_source", rec)],
                         needs=[(c, Y, "edu", a) for c, a in zip(codes, obs, strict=True)])
    s = validate_scenario(SC, "s.yaml")
    on_law = run(load_dataset(ds), validate_scenario({**SC, "needs_basis": "law"}, "s.yaml"))
    ref = run(load_dataset(swapped), s)
    assert np.array_equal(on_law.plan.balance, ref.plan.balance) and np.array_equal(on_law.transfers.gap, ref.transfers.gap)
    a, b = run(load_dataset(ds), s), run(load_dataset(plain), s)
    assert np.array_equal(a.plan.balance, b.plan.balance) and np.array_equal(a.needs, b.needs)
