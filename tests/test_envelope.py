"""A fixed envelope distributed by need with floors and ceilings against last period (by hand)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from helpers import make_dataset, simulate, write_csv
from interbudget.rules.envelope import distribute
from test_errors import run_cli, write_scenario

Y = 2026
UNITS = [("0", None, "republic", 100), ("1", "0", "region", 10), ("2", "0", "region", 20), ("3", "0", "region", 30)]


def dataset(tmp_path, last=(("1", 50), ("2", 150), ("3", 300))):
    ds = make_dataset(tmp_path, UNITS, receipts=[("0", Y, "vat", 5000)],
                      needs=[("1", Y, "edu", 100), ("2", Y, "edu", 200), ("3", Y, "edu", 300)])
    write_csv(ds / "last_transfers.csv", ["code", "amount"], [list(x) for x in last])
    return ds


def test_an_envelope_spent_to_the_tenge_with_a_floor_and_a_ceiling_binding(tmp_path):
    sc = {"name": "e", "years": [Y], "envelope": {"total": 480, "floor": 0.9, "ceiling": 1.1}}
    rows, _, res = simulate(dataset(tmp_path), sc)
    # floors 45, 135, 270 and ceilings 55, 165, 330: the scale 0.775 gives 55 (ceiling), 155, 270 (floor)
    got = [rows["plan", c, Y]["subvention_received"] for c in ("1", "2", "3")]
    assert got == pytest.approx([55, 155, 270])
    assert sum(got) == pytest.approx(480, abs=1e-6)
    assert rows["plan", "0", Y]["subventions_paid"] == pytest.approx(480)
    assert [r["bound"] for r in res.envelope.rows] == ["ceiling", "scaled", "floor"]
    assert res.envelope.rows[0]["scale"] == pytest.approx(0.775)
    assert rows["plan", "1", Y]["balance"] == pytest.approx(55 - 100)


def test_floors_above_the_envelope_name_both_sums(tmp_path):
    f = write_scenario(tmp_path / "s.yaml", {"name": "e", "years": [Y], "envelope": {"total": 400, "floor": 0.9}})
    code, out = run_cli("simulate", dataset(tmp_path / "ds"), f, "--out", tmp_path / "o")
    assert code == 2 and "envelope 2026: the floors add up to 450.0, more than the envelope 400.0" in out


def test_an_official_scale_is_used_as_given(tmp_path):
    rows, _, _ = simulate(dataset(tmp_path), {"name": "e", "years": [Y],
                                              "envelope": {"total": 480, "floor": 0.9, "ceiling": 1.1, "scale": 1.0}})
    assert [rows["plan", c, Y]["subvention_received"] for c in ("1", "2", "3")] == pytest.approx([55, 165, 300])


def test_envelope_file_and_explain(tmp_path):
    ds = dataset(tmp_path / "ds")
    f = write_scenario(tmp_path / "s.yaml", {"name": "e", "years": [Y], "envelope": {"total": 480, "floor": 0.9, "ceiling": 1.1}})
    code, _ = run_cli("simulate", ds, f, "--out", tmp_path / "o")
    assert code == 0
    lines = (tmp_path / "o" / "envelope.csv").read_text().splitlines()
    assert lines[0] == "year,code,need,last,floor,ceiling,allocated,bound,scale" and len(lines) == 4
    code, out = run_cli("explain", ds, f, "--code", "1", "--year", Y)
    assert "Envelope (general): need 100.0 → allocated 55.0, at its ceiling" in out


@pytest.mark.parametrize("env, message", [
    ({"total": 480, "floor": 1.2, "ceiling": 1.1}, "floor 1.2 is above ceiling 1.1"),
    ({"total": {2027: 5}}, "the envelope has no total for 2026"),
    ({"total": 5, "applies_to": "category2"}, "an envelope for category2 needs transfer_model: targeted"),
    ({"total": 5, "applies_to": "loans"}, "unknown envelope target 'loans'"),
])
def test_bad_envelopes(tmp_path, env, message):
    f = write_scenario(tmp_path / "s.yaml", {"name": "e", "years": [Y], "envelope": env})
    code, out = run_cli("simulate", dataset(tmp_path / "ds"), f, "--out", tmp_path / "o")
    assert code == 2 and message in out, out


def test_category_2_under_an_envelope(tmp_path):
    ds = dataset(tmp_path)
    write_csv(ds / "programs.csv", ["program", "code", "year", "cost", "score"],
              [["A", "1", Y, 60, 9], ["B", "1", Y, 40, 3], ["C", "2", Y, 100, 5]])
    write_csv(ds / "last_transfers.csv", ["code", "amount", "kind"], [["1", 50, "category2"], ["2", 100, "category2"]])
    sc = {"name": "e", "years": [Y], "transfer_model": "targeted", "envelope": {"applies_to": "category2", "total": 120, "floor": 0.5}}
    _, _, res = simulate(ds, sc)
    # needs by program cost: region 1 100, region 2 100; floors 25, 50; scale 0.6 -> 60 each
    funded = {p["program"]: p["funded"] for p in res.programs.rows}
    assert funded == pytest.approx({"A": 60, "B": 0, "C": 60})


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1000), st.floats(0, 500)), min_size=1, max_size=10), st.floats(0.0, 1.0),
       st.floats(1.0, 2.0), st.floats(0, 1))
def test_the_envelope_is_spent_exactly_within_its_guarantees(units, floor, ceiling, where):
    need = np.array([u[0] for u in units])
    last = np.array([u[1] for u in units])
    lo, hi = floor * last, ceiling * last + need  # ceilings that can reach any need
    total = lo.sum() + where * (np.minimum(hi, np.maximum(lo, need * 10)).sum() - lo.sum())
    if need.sum() == 0 and total > lo.sum():
        return
    res = distribute(need, float(total), lo, hi)
    assert res.allocation.sum() == pytest.approx(total, rel=1e-9, abs=1e-6)
    assert (res.allocation >= lo - 1e-6).all() and (res.allocation <= hi + 1e-6).all()
