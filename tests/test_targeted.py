"""Targeted subventions in two categories (§3.3.3), by hand, and the pool's properties."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from helpers import make_dataset, simulate, write_csv
from interbudget.rules.targeted import allocate_pool
from test_errors import run_cli, write_scenario

Y = 2026
UNITS = [("0", None, "republic", 100), ("1", "0", "region", 60), ("11", "1", "district", 30), ("12", "1", "district", 30),
         ("2", "0", "region", 40), ("21", "2", "district", 40)]
NEEDS = [("11", Y, "edu", 60, "mandatory"), ("11", Y, "roads", 30, "basic"), ("11", Y, "culture", 30, "additional"),
         ("12", Y, "edu", 80, "mandatory"), ("12", Y, "roads", 10, "basic"), ("1", Y, "health", 20, "mandatory")]
PROGRAMS = [["A", "1", Y, 40, 9], ["B", "2", Y, 50, 7], ["C", "1", Y, 30, 5]]


def dataset(tmp_path):
    return make_dataset(tmp_path, UNITS, receipts=[("11", Y, "loc", 100), ("12", Y, "loc", 50), ("0", Y, "vat", 1000)],
                        needs=NEEDS, programs=PROGRAMS)


def test_category_1_and_what_revenue_leaves(tmp_path):
    sc = {"name": "t", "years": [Y], "sharing": {"loc": {"district": 1.0}}, "transfer_model": "targeted",
          "targeted": {"pool": 200, "region_cap": 0.25}}
    rows, _, res = simulate(dataset(tmp_path), sc)
    r = lambda c, k: rows["plan", c, Y][k]  # noqa: E731
    # district 11: revenue 100 - mandatory 60 leaves 40: basic 30 covered, additional 10 of 30; nothing withdrawn
    assert r("11", "subvention_received") == 0 and r("11", "withdrawal_paid") == 0 and r("11", "balance") == pytest.approx(-20)
    # district 12: mandatory 80 > revenue 50: category 1 = 30; basic 10 not covered
    assert r("12", "subvention_received") == pytest.approx(30) and r("12", "balance") == pytest.approx(-10)
    # region 1: mandatory 20 + 30 paid to district 12: category 1 = 50, plus category 2
    # pool 200, cap 50 a region: A 40 (region 1 has 10 left), B 50 (region 2), C 10 (the cap binds)
    assert r("1", "subvention_received") == pytest.approx(50 + 50) and r("1", "needs") == pytest.approx(20 + 50)
    assert r("2", "subvention_received") == pytest.approx(50) and r("2", "balance") == pytest.approx(0)
    funded = {p["program"]: (p["funded"], p["capped"]) for p in res.programs.rows}
    assert funded == {"A": (40, False), "B": (50, False), "C": (10, True)}
    cv = res.coverage
    b11 = res.hierarchy.budget_index_of_unit[res.hierarchy.unit_index()["11"]]
    assert (cv.basic_covered[b11, 0], cv.additional_covered[b11, 0]) == (30, 10)


def test_a_pool_too_small_for_all_programs(tmp_path):
    sc = {"name": "t", "years": [Y], "sharing": {"loc": {"district": 1.0}}, "transfer_model": "targeted", "targeted": {"pool": 60}}
    _, _, res = simulate(dataset(tmp_path), sc)
    funded = {p["program"]: p["funded"] for p in res.programs.rows}
    assert funded == {"A": 40, "B": 20, "C": 0}  # the last program that does not fit is partly funded


def test_a_surplus_above_all_needs_is_withdrawn(tmp_path):
    ds = make_dataset(tmp_path, UNITS, receipts=[("11", Y, "loc", 500)], needs=NEEDS)
    rows, _, _ = simulate(ds, {"name": "t", "years": [Y], "sharing": {"loc": {"district": 1.0}}, "transfer_model": "targeted",
                               "withdrawal_rate": 0.5})
    assert rows["plan", "11", Y]["withdrawal_paid"] == pytest.approx((500 - 120) * 0.5)


def test_coverage_file_and_explain(tmp_path):
    ds = dataset(tmp_path / "ds")
    sc = write_scenario(tmp_path / "s.yaml", {"name": "t", "years": [Y], "sharing": {"loc": {"district": 1.0}},
                                              "transfer_model": "targeted", "targeted": {"pool": 200, "region_cap": 0.25}})
    code, out = run_cli("simulate", ds, sc, "--out", tmp_path / "o")
    assert code == 0
    text = (tmp_path / "o" / "coverage.csv").read_text()
    assert text.splitlines()[0].startswith("code,year,level,mandatory,basic,additional,mandatory_from_revenue,category1")
    assert "11,2026,district,60,30,30,60,0,30,10,0,20,0,0" in text
    assert (tmp_path / "o" / "programs_funded.csv").exists()
    code, out = run_cli("explain", ds, sc, "--code", "1", "--year", Y)
    assert "category 1 subvention 50.0" in out and "program A (cost 40.0, priority 9) funded 40.0" in out
    code, out = run_cli("explain", ds, sc, "--code", "11", "--year", Y, "--lang", "ru")
    assert "дополнительные 30,0: покрыто 10,0, не покрыто 20,0" in out


@pytest.mark.parametrize("sc, message", [
    ({"transfer_model": "tageted"}, "unknown transfer_model 'tageted'"),
    ({"targeted": {"pool": 5}}, "'targeted' settings are given but transfer_model is not 'targeted'"),
    ({"transfer_model": "targeted", "targeted": {"pool": -1}}, "pool -1.0 is negative"),
    ({"transfer_model": "targeted", "targeted": {"region_cap": 2}}, "region_cap 2.0 is outside [0, 1]"),
])
def test_bad_targeted_settings(tmp_path, sc, message):
    f = write_scenario(tmp_path / "s.yaml", {"name": "x", "years": [Y], **sc})
    code, out = run_cli("simulate", dataset(tmp_path / "ds"), f, "--out", tmp_path / "o")
    assert code == 2 and message in out, out


def test_a_program_outside_a_region_is_an_error(tmp_path):
    ds = dataset(tmp_path / "ds")
    write_csv(ds / "programs.csv", ["program", "code", "year", "cost", "score"], [["A", "11", Y, 5, 1]])
    code, out = run_cli("validate", ds)
    assert code == 2 and "programs.csv" in out and "'11' is not a region with a budget" in out


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 100), st.integers(0, 9), st.integers(0, 3)), min_size=1, max_size=12),
       st.integers(0, 500), st.integers(0, 300), st.sampled_from([None, 0.2, 0.5, 1.0]))
def test_raising_the_pool_never_lowers_a_regions_allocation(programs, pool, more, cap):
    cost = np.array([p[0] for p in programs], float)
    score = np.array([p[1] for p in programs], float)
    region = np.array([p[2] for p in programs])
    key = np.arange(len(programs))
    a = allocate_pool(cost, score, key, region, float(pool), cap).funded
    b = allocate_pool(cost, score, key, region, float(pool + more), cap).funded
    assert a.sum() <= pool + 1e-9 and (a <= cost + 1e-9).all()
    for r in set(region.tolist()):
        assert b[region == r].sum() >= a[region == r].sum() - 1e-9
