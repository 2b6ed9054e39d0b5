"""Hand-computed examples of the district methods M1-M4 at both tiers (METHOD.md, concept §1.6)."""
import pytest

from helpers import make_dataset, simulate, write_scenario
from test_errors import run_cli

Y = 2026
IIT = {"region": 0.4, "district": 0.4, "rural": 0.2}


def three_tier(tmp_path, receipts, needs=()):
    # republic 0; region 1 (district 11 with rural 111, 112; district 12); region 2 (district 21)
    units = [("0", None, "republic", 100), ("1", "0", "region", 60), ("11", "1", "district", 40),
             ("111", "11", "rural", 10), ("112", "11", "rural", 10), ("12", "1", "district", 20),
             ("2", "0", "region", 40), ("21", "2", "district", 40)]
    return make_dataset(tmp_path, units, receipts=receipts, needs=list(needs))


def revenue(rows, code, year=Y):
    return rows["plan", code, year]["revenue"]


def test_m1_region_to_district(tmp_path):
    ds = three_tier(tmp_path, [("111", Y, "iit_source", 100), ("12", Y, "iit_source", 100),
                               ("21", Y, "iit_source", 100), ("1", Y, "iit_source", 50)])
    rows, shares, _ = simulate(ds, {"name": "m1", "years": [Y], "sharing": {"iit_source": IIT},
                                    "district_method": "M1", "child_shares": {"11": {"iit_source": 0.6}}})
    # 111: local part 0.8, district 11 takes 0.6 -> region 0.2 (20); rural keeps its M3 0.2 (20); district 0.6 (60)
    assert revenue(rows, "111") == pytest.approx(20) and revenue(rows, "11") == pytest.approx(60)
    # 12 is missing from the table: d = 0 -> the region keeps 0.8 (80); the rural share goes to 12 (20)
    assert revenue(rows, "12") == pytest.approx(20)
    # booked at region 1 itself: no child, the region gets the whole local part and the rural share (50)
    assert revenue(rows, "1") == pytest.approx(20 + 80 + 50)
    assert revenue(rows, "21") == pytest.approx(20) and revenue(rows, "2") == pytest.approx(80)
    assert shares == []  # M1 shares are given, not computed


def test_m1_district_to_rural(tmp_path):
    ds = three_tier(tmp_path, [("111", Y, "iit_source", 100), ("112", Y, "iit_source", 100)])
    rows, _, _ = simulate(ds, {"name": "m1r", "years": [Y], "sharing": {"iit_source": IIT},
                               "rural_method": "M1", "child_shares": {"111": {"iit_source": 0.5}}})
    # local part at the district→rural tier = 0.4 + 0.2 = 0.6: 111 takes 0.5, 112 (absent) 0
    assert revenue(rows, "111") == pytest.approx(50) and revenue(rows, "112") == 0
    assert revenue(rows, "11") == pytest.approx(10 + 60)
    assert revenue(rows, "1") == pytest.approx(80)


def test_m4_both_tiers_and_a_receipt_booked_at_the_region(tmp_path):
    ds = three_tier(tmp_path, [("111", Y, "iit_source", 100), ("11", Y, "iit_source", 100), ("1", Y, "iit_source", 50)])
    rows, _, _ = simulate(ds, {"name": "m4", "years": [Y], "sharing": {"iit_source": IIT},
                               "district_method": "M4", "rural_method": "M4"})
    # 111: the district takes the whole 0.8, then the rural okrug takes the whole 0.8 + 0.2
    assert revenue(rows, "111") == pytest.approx(100)
    # booked at district 11 itself: all local revenue to the district
    assert revenue(rows, "11") == pytest.approx(100)
    # booked at region 1 itself: no child to give it to, the region keeps the whole local part
    assert revenue(rows, "1") == pytest.approx(50)
    assert revenue(rows, "0") == 0


def test_per_region_method_map(tmp_path):
    ds = three_tier(tmp_path, [("11", Y, "iit_source", 100), ("21", Y, "iit_source", 100)])
    rows, _, _ = simulate(ds, {"name": "map", "years": [Y], "sharing": {"iit_source": IIT},
                               "district_method": {"1": "M4"}})  # region 2 is not in the map: M3
    assert revenue(rows, "11") == pytest.approx(100) and revenue(rows, "1") == 0
    assert revenue(rows, "21") == pytest.approx(60) and revenue(rows, "2") == pytest.approx(40)


def test_m2_region_to_district(tmp_path):
    ds = three_tier(tmp_path, [("11", 2026, "iit_source", 100), ("11", 2027, "iit_source", 200),
                               ("12", 2026, "iit_source", 100), ("12", 2027, "iit_source", 100)],
                    needs=[("11", 2026, "edu", 50), ("11", 2027, "edu", 50), ("12", 2026, "edu", 10), ("12", 2027, "edu", 10)])
    split = {"region": 0.5, "district": 0.3}
    rows, shares, _res = simulate(ds, {"name": "m2", "years": [2026, 2027], "district_method": "M2",
                                      "sharing": {"iit_source": split, "social_tax": split}})
    # with d = 0: G0(11) = 50, 50; Q(11) = 100, 200 -> min(0.5, 0.25) = 0.25 (bound: local part 0.8)
    # G0(12) = 10; Q(12) = 100 -> 0.1; district 21 has no regulated receipts -> 0
    got = {(r["code"], r["tax"]): r["share"] for r in shares}
    assert got == {("11", "iit_source"): pytest.approx(0.25), ("11", "social_tax"): pytest.approx(0.25),
                   ("12", "iit_source"): pytest.approx(0.1), ("12", "social_tax"): pytest.approx(0.1),
                   ("21", "iit_source"): 0.0, ("21", "social_tax"): 0.0}
    assert all(r["level"] == "district" for r in shares)
    assert revenue(rows, "11", 2026) == pytest.approx(25) and rows["plan", "11", 2026]["subvention_received"] == pytest.approx(25)
    assert revenue(rows, "11", 2027) == pytest.approx(50) and rows["plan", "11", 2027]["withdrawal_paid"] == pytest.approx(0, abs=1e-9)
    assert revenue(rows, "1", 2026) == pytest.approx(0.55 * 100 + 0.7 * 100)
    assert revenue(rows, "1", 2027) == pytest.approx(0.55 * 200 + 0.7 * 100)


def test_m2_bound_is_the_smallest_local_part_of_the_regulated_taxes(tmp_path):
    ds = three_tier(tmp_path, [("11", Y, "iit_source", 100)], needs=[("11", Y, "edu", 50)])
    rows, shares, _ = simulate(ds, {"name": "m2", "years": [Y], "district_method": "M2",
                                    "sharing": {"iit_source": {"region": 0.5, "district": 0.3}}})
    # social_tax (regulated) has no local part in this scenario: the bound, and so the share, is 0
    assert {r["share"] for r in shares} == {0.0}
    assert rows["plan", "11", Y]["subvention_received"] == pytest.approx(50)


def test_m2_district_to_rural(tmp_path):
    ds = three_tier(tmp_path, [("111", Y, "iit_source", 100)], needs=[("111", Y, "culture", 30)])
    rows, shares, _ = simulate(ds, {"name": "m2r", "years": [Y], "rural_method": "M2",
                                    "sharing": {"iit_source": IIT, "social_tax": IIT}})
    # local part 0.4 + 0.2 = 0.6; G0(111) = 30, Q = 100 -> 0.3; 112 has no regulated receipts -> 0
    got = {(r["code"], r["tax"]): r["share"] for r in shares if r["tax"] == "iit_source"}
    assert got == {("111", "iit_source"): pytest.approx(0.3), ("112", "iit_source"): 0.0}
    assert revenue(rows, "111") == pytest.approx(30) and rows["plan", "111", Y]["subvention_received"] == pytest.approx(0, abs=1e-9)
    assert revenue(rows, "11") == pytest.approx(30)


def test_m1_share_above_the_local_part_is_an_error(tmp_path):
    ds = three_tier(tmp_path / "ds", [("11", Y, "iit_source", 100)])
    sc = write_scenario(tmp_path / "m1.yaml", {"name": "bad", "years": [Y], "sharing": {"iit_source": IIT},
                                               "district_method": "M1", "child_shares": {"11": {"iit_source": 0.9}}})
    code, out = run_cli("simulate", ds, sc, "--out", tmp_path / "out")
    assert code == 2
    assert "m1.yaml" in out and "child_shares.11.iit_source" in out
    assert "share 0.9 of 'iit_source' for '11' is above the local part 0.8" in out


@pytest.mark.parametrize("sc, message", [
    ({"district_method": {"9": "M1"}}, "'9' is not a region code in units.csv"),
    ({"district_method": {"11": "M1"}}, "'11' is not a region code in units.csv"),
    ({"child_shares": {"77": {"iit_source": 0.1}}}, "unknown unit code '77'"),
    ({"child_shares": {"1": {"iit_source": 0.1}}}, "'1' is a region; child shares are for districts and rural units"),
])
def test_method_map_and_child_share_codes_are_checked(tmp_path, sc, message):
    ds = three_tier(tmp_path / "ds", [("11", Y, "iit_source", 100)])
    f = write_scenario(tmp_path / "s.yaml", {"name": "x", "years": [Y], "sharing": {"iit_source": IIT}, **sc})
    code, out = run_cli("simulate", ds, f, "--out", tmp_path / "out")
    assert code == 2 and message in out, out


def test_explain_names_the_method(tmp_path):
    ds = three_tier(tmp_path / "ds", [("111", Y, "iit_source", 100)], needs=[("111", Y, "culture", 30)])
    f = write_scenario(tmp_path / "s.yaml", {"name": "x", "years": [Y], "sharing": {"iit_source": IIT, "social_tax": IIT},
                                             "rural_method": "M2"})
    # social_tax is shared but has no receipts here: accepted on request (an unknown tax is an error otherwise)
    code, out = run_cli("explain", ds, f, "--code", "111", "--year", Y, "--allow-unknown-taxes")
    assert code == 0 and "M2: child-specific share (shares.csv)" in out and "(M2, §3.3.2)" in out
    code, out = run_cli("explain", ds, f, "--code", "11", "--year", Y, "--allow-unknown-taxes")
    assert "M2: the local part minus the share of '111'" in out
