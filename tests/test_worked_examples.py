"""Hand-computed examples of METHOD.md; every expected number is worked out in the comments."""
import numpy as np
import pytest

from helpers import make_dataset, simulate

Y = 2026


def test_method_worked_example_withdrawal_rate_half(tmp_path):
    # region: own need - revenue = -180; district A: -1000; district B: +850; rate 0.5
    ds = make_dataset(tmp_path, [("0", None, "republic", 1000), ("1", "0", "region", 600),
                                 ("11", "1", "district", 300), ("12", "1", "district", 300)],
                      receipts=[("1", Y, "loc", 180), ("11", Y, "loc", 1000), ("0", Y, "cit", 5000)],
                      needs=[("12", Y, "education", 850), ("0", Y, "defence", 100)])
    rows, shares, _ = simulate(ds, {"name": "w", "years": [Y], "sharing": {"loc": {"district": 1.0}}, "withdrawal_rate": 0.5})
    a, b, r, rep = (rows["plan", c, Y] for c in ("11", "12", "1", "0"))
    assert a["withdrawal_paid"] == 500 and a["balance"] == 500  # A pays 1000 x 0.5 and keeps 500
    assert b["subvention_received"] == 850 and b["balance"] == 0
    assert r["subvention_received"] == 170 and r["balance"] == 0  # -180 + 850 - 500
    assert r["subventions_paid"] == 850 and r["withdrawals_received"] == 500
    assert rep["subventions_paid"] == 170 and rep["balance"] == 5000 - 100 - 170
    assert rep["subvention_received"] == 0 and rep["withdrawal_paid"] == 0
    assert shares == []


def _three_tier(tmp_path, **kw):
    # republic 0; region 1 (districts 11 with rural 111, 112; 12); region 2 (district 21)
    units = [("0", None, "republic", 100), ("1", "0", "region", 60), ("11", "1", "district", 40),
             ("111", "11", "rural", 10), ("112", "11", "rural", 10), ("12", "1", "district", 20),
             ("2", "0", "region", 40), ("21", "2", "district", 40)]
    return make_dataset(tmp_path, units, **kw)


def test_option1_rate_one_three_tiers_and_non_leaf_receipt(tmp_path):
    ds = _three_tier(tmp_path, receipts=[
        ("111", Y, "iit_source", 100),  # region 40, district 40, rural 20
        ("11", Y, "iit_source", 50),    # booked at the district itself: its rural share goes to the district
        ("2", Y, "iit_source", 200),    # booked at a region: district and rural shares go to the region
        ("0", Y, "cit", 1000),
    ], needs=[("111", Y, "culture", 30), ("112", Y, "culture", 5), ("11", Y, "education", 100),
              ("12", Y, "education", 10), ("1", Y, "health", 20), ("2", Y, "health", 300), ("21", Y, "roads", 7)])
    sc = {"name": "o1", "years": [Y], "sharing": {"iit_source": {"region": 0.4, "district": 0.4, "rural": 0.2}}}
    rows, _, _ = simulate(ds, sc)
    r = lambda c, k: rows["plan", c, Y][k]  # noqa: E731
    assert r("111", "revenue") == pytest.approx(20) and r("112", "revenue") == 0
    assert r("11", "revenue") == pytest.approx(40 + 0.6 * 50)  # 70
    assert r("1", "revenue") == pytest.approx(40 + 0.4 * 50)  # 60
    assert r("2", "revenue") == pytest.approx(200)
    assert r("0", "revenue") == pytest.approx(1000)
    # rural: 111 gap 30-20=10 -> S 10; 112 gap 5 -> S 5
    assert r("111", "subvention_received") == pytest.approx(10) and r("112", "subvention_received") == 5
    # district 11: 100 - 70 + 15 = 45 -> S 45; district 12: 10 -> S 10
    assert r("11", "subvention_received") == pytest.approx(45) and r("11", "subventions_paid") == pytest.approx(15)
    # region 1: 20 - 60 + 55 = 15 -> S 15; region 2: 300 - 200 + 7 = 107
    assert r("1", "subvention_received") == pytest.approx(15)
    assert r("2", "subvention_received") == pytest.approx(107)
    assert r("0", "balance") == pytest.approx(1000 - 122)
    for c in ("1", "11", "111", "112", "12", "2", "21"):
        assert r(c, "balance") == pytest.approx(0, abs=1e-9)


def test_unit_without_budget_is_part_of_the_budget_above(tmp_path):
    # city 75 (a region) with districts 751, 752 without budgets
    units = [("0", None, "republic", 100), ("75", "0", "region", 50, True),
             ("751", "75", "district", 25, False), ("752", "75", "district", 25, False)]
    ds = make_dataset(tmp_path, units, receipts=[("751", Y, "iit_source", 100), ("752", Y, "iit_source", 300)],
                      needs=[("751", Y, "education", 150), ("75", Y, "health", 20)])
    sc = {"name": "city", "years": [Y], "sharing": {"iit_source": {"region": 0.5, "district": 0.3, "rural": 0.1}}}
    rows, _, _ = simulate(ds, sc)
    assert {k[1] for k in rows} == {"0", "75"}  # no rows for units without a budget
    city = rows["plan", "75", Y]
    assert city["revenue"] == pytest.approx(0.9 * 400)  # region, district and rural shares all go to the city
    assert city["needs"] == pytest.approx(170)
    assert city["withdrawal_paid"] == pytest.approx(360 - 170)
    assert rows["plan", "0", Y]["revenue"] == pytest.approx(40)


def test_option2_region_shares_fixed_for_the_medium_term(tmp_path):
    years = [2026, 2027]
    ds = _three_tier(tmp_path, receipts=[
        ("11", 2026, "iit_source", 100), ("11", 2027, "iit_source", 200),
        ("12", 2026, "social_tax", 100), ("12", 2027, "social_tax", 0),
        ("21", 2026, "iit_source", 50), ("21", 2027, "iit_source", 50),
        ("0", 2026, "cit", 1000), ("0", 2027, "cit", 1000)],
        needs=[("1", 2026, "health", 120), ("1", 2027, "health", 120), ("2", 2026, "health", 10), ("2", 2027, "health", 30)])
    sc = {"name": "o2", "years": years, "option": 2,
          "sharing": {"iit_source": {"region": 0.5, "district": 0.2}, "social_tax": {"region": 0.5, "district": 0.1}}}
    rows, shares, _res = simulate(ds, sc)
    # Districts keep 0.2 / 0.1 and have no needs: district 11 is withdrawn 20 (2026), 40 (2027); 12: 10, 0; 21: 10, 10.
    # Region 1 with s = 0: G0 = 120 - 0 + (-20 - 10) = 90 (2026); 120 - 40 = 80 (2027)
    # Q(1) = 200 (2026), 200 (2027) -> ratios 0.45, 0.4 -> s = 0.4 (cap 1 - 0.2 = 0.8)
    # Region 2: G0 = 10 - 10 = 0 (2026), 30 - 10 = 20 (2027); Q = 50, 50 -> s = min(0, 0.4) = 0
    got = {(r["code"], r["tax"]): r["share"] for r in shares}
    assert got == {("1", "iit_source"): pytest.approx(0.4), ("1", "social_tax"): pytest.approx(0.4),
                   ("2", "iit_source"): 0.0, ("2", "social_tax"): 0.0}
    assert all(r["first_year"] == 2026 and r["last_year"] == 2027 and r["level"] == "region" for r in shares)
    r1 = lambda y, k: rows["plan", "1", y][k]  # noqa: E731
    assert r1(2026, "revenue") == pytest.approx(80) and r1(2026, "subvention_received") == pytest.approx(10)
    assert r1(2027, "revenue") == pytest.approx(80) and r1(2027, "subvention_received") == pytest.approx(0, abs=1e-9)
    assert r1(2027, "withdrawal_paid") == pytest.approx(0, abs=1e-9)
    assert rows["plan", "2", 2027]["subvention_received"] == pytest.approx(20)


def test_option2_negative_gap_keeps_a_withdrawal_and_cap(tmp_path):
    ds = _three_tier(tmp_path, receipts=[("11", Y, "iit_source", 100), ("21", Y, "iit_source", 1000)],
                     needs=[("1", Y, "health", 500), ("2", Y, "health", 0)])
    sc = {"name": "o2", "years": [Y], "option": 2, "sharing": {"iit_source": {"region": 0.2, "district": 0.5, "rural": 0.25}}}
    rows, shares, _ = simulate(ds, sc)
    got = {r["code"]: r["share"] for r in shares if r["tax"] == "iit_source"}
    # cap = 1 - (0.5 + 0.25) = 0.25; region 1: G0 = 500 - 50 (withdrawn from district 11: 75 - 25 rural need... )
    # district 11 keeps 0.5*100 = 50, rural share 25 goes to district 11 (no rural unit on the path): 75 withdrawn
    # G0(1) = 500 - 0 - 75 = 425, Q = 100 -> 4.25 -> clamp to cap 0.25
    assert got["1"] == pytest.approx(0.25)
    # region 2: district 21 withdrawn 750; G0 = 0 - 750 < 0 -> s = 0, a withdrawal remains
    assert got["2"] == 0.0
    assert rows["plan", "2", Y]["withdrawal_paid"] == pytest.approx(750)


def test_option3_centralizes_regulated_taxes_at_every_level(tmp_path):
    ds = _three_tier(tmp_path, receipts=[("111", Y, "iit_source", 100), ("111", Y, "land", 10), ("0", Y, "cit", 10)],
                     needs=[("111", Y, "culture", 30)])
    sc = {"name": "o3", "years": [Y], "option": 3,
          "sharing": {"iit_source": {"region": 0.4, "district": 0.4, "rural": 0.2}, "land": {"rural": 1.0}}}
    rows, shares, _ = simulate(ds, sc)
    assert rows["plan", "111", Y]["revenue"] == 10  # land only
    assert rows["plan", "111", Y]["subvention_received"] == 20
    assert rows["plan", "0", Y]["revenue"] == 110
    assert shares == []


def test_option4_base_payers_to_the_republic(tmp_path):
    ds = _three_tier(tmp_path, receipts=[("11", Y, "vat", 100, "regional"), ("11", Y, "vat", 500, "base"),
                                         ("11", Y, "cit", 40, "base")],
                     needs=[("1", Y, "health", 30)])
    sc = {"name": "o4", "years": [Y], "option": 4, "sharing": {"vat": {"region": 0.5}, "cit": {"district": 0.5}}}
    rows, shares, _ = simulate(ds, sc)
    # regional VAT: Q = 100, G0 = 30 -> s = 0.3; base VAT and base CIT go wholly to the republic
    assert [r["share"] for r in shares if r["code"] == "1"] == pytest.approx([0.3, 0.3, 0.3])  # iit_source, social_tax, vat
    assert rows["plan", "1", Y]["revenue"] == pytest.approx(30)
    assert rows["plan", "11", Y]["revenue"] == 0
    assert rows["plan", "0", Y]["revenue"] == pytest.approx(640 - 30)


def test_actual_track_keeps_plan_transfers(tmp_path):
    units = [("0", None, "republic", 100), ("1", "0", "region", 50), ("2", "0", "region", 50)]
    ds = make_dataset(tmp_path, units,
                      receipts=[("1", 2026, "iit_source", 100), ("2", 2026, "iit_source", 100),
                                ("1", 2027, "iit_source", 100), ("2", 2027, "iit_source", 100)],
                      needs=[("1", 2026, "h", 80), ("2", 2026, "h", 80)],
                      actual=[("1", 2026, "iit_source", 70), ("2", 2026, "iit_source", 100)])
    sc = {"name": "a", "years": [2026, 2027], "sharing": {"iit_source": {"region": 1.0}}}
    rows, _, _ = simulate(ds, sc)
    # plan: each region withdrawn 20; actual 2026: region 1 collects 70, still pays 20 -> balance -30
    assert rows["actual", "1", 2026]["withdrawal_paid"] == 20
    assert rows["actual", "1", 2026]["balance"] == pytest.approx(-30)
    assert rows["actual", "2", 2026]["balance"] == pytest.approx(0)
    assert rows["actual", "0", 2026]["revenue"] == 0 and rows["actual", "0", 2026]["balance"] == 40
    assert ("actual", "1", 2027) not in rows  # no actual receipts for 2027


def test_needs_from_norms_drivers_and_coefficients(tmp_path):
    ds = _three_tier(tmp_path, receipts=[("0", Y, "cit", 1)],
                     needs=[("11", Y, "education", 5, "basic")],
                     norms=[["education", "district", "mandatory", "pupils", 2.5], ["roads", "district", "basic", "road_km", 10]],
                     drivers=[["11", Y, "pupils", 100], ["11", Y, "road_km", 3], ["12", Y, "pupils", 10], ["11", 2030, "pupils", 999]],
                     coefficients=[["11", "education", 1.2]])
    rows, _, _res = simulate(ds, {"name": "n", "years": [Y]})
    assert rows["plan", "11", Y]["needs"] == pytest.approx(5 + 2.5 * 100 * 1.2 + 10 * 3)
    assert rows["plan", "12", Y]["needs"] == pytest.approx(25)


def test_hierarchy_subtree_sums_level_by_level(tmp_path):
    from interbudget.dataset import load_dataset

    h = load_dataset(_three_tier(tmp_path, receipts=[("0", Y, "cit", 1)])).hierarchy
    ones = np.ones(h.n)
    got = dict(zip(h.codes.tolist(), h.subtree_sum(ones).tolist(), strict=True))
    assert got == {"0": 8, "1": 5, "11": 3, "111": 1, "112": 1, "12": 1, "2": 2, "21": 1}
    two = h.subtree_sum(np.stack([ones, 2 * ones], axis=1))  # several columns at once
    assert two[h.unit_index()["1"]].tolist() == [5, 10]


def test_option3_reports_the_withdrawals_that_remain(tmp_path):
    from test_errors import run_cli, write_scenario

    ds = _three_tier(tmp_path / "ds", receipts=[("111", Y, "iit_source", 100), ("111", Y, "land", 50)])
    sc = write_scenario(tmp_path / "s.yaml", {"name": "o3", "years": [Y], "option": 3,
                                              "sharing": {"iit_source": {"region": 0.5, "district": 0.5}, "land": {"rural": 1.0}}})
    code, out = run_cli("simulate", ds, sc, "--out", tmp_path / "o")
    # land stays local: the rural okrug (no needs) still pays a withdrawal of 50, which goes up the chain
    assert code == 0 and "option 3, withdrawals that remain: 1 region budget(s)" in out
    assert "1 district budget(s)" in out and "1 rural budget(s)" in out
