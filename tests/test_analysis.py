"""Metrics and comparisons on hand-computed inputs (concept §3.3.2)."""
import json
import math
from pathlib import Path

import numpy as np
import pytest

from helpers import make_dataset, simulate, write_scenario
from interbudget.analysis.inequality import weighted_stats
from interbudget.analysis.metrics import metrics
from test_errors import run_cli

ROOT = Path(__file__).resolve().parents[1]
Y = 2026


def test_an_equal_country_has_no_inequality():
    st = weighted_stats(np.array([0.8, 0.8, 0.8]), np.array([1.0, 5.0, 2.0]))
    assert st["gini"] == pytest.approx(0) and st["cv"] == pytest.approx(0) and st["theil"] == pytest.approx(0)
    assert st["max_min"] == pytest.approx(1)


def test_one_rich_region_gives_the_known_values():
    st = weighted_stats(np.array([0.0, 0.0, 0.0, 1.0]), np.ones(4))
    assert st["gini"] == pytest.approx(3 / 4) and st["cv"] == pytest.approx(math.sqrt(3)) and st["theil"] == pytest.approx(math.log(4))
    assert st["max_min"] == math.inf
    # population weights count people, not regions: the rich region with 3 of 4 people
    assert weighted_stats(np.array([0.0, 1.0]), np.array([1.0, 3.0]))["gini"] == pytest.approx(1 / 4)


def two_regions(tmp_path, rate):
    units = [("0", None, "republic", 100), ("1", "0", "region", 50), ("11", "1", "district", 50), ("2", "0", "region", 50)]
    ds = make_dataset(tmp_path, units, receipts=[("11", Y, "loc", 100), ("2", Y, "loc", 10), ("0", Y, "vat", 500)],
                      needs=[("11", Y, "edu", 30), ("1", Y, "health", 10), ("2", Y, "health", 60)])
    return simulate(ds, {"name": "m", "years": [Y], "sharing": {"loc": {"region": 0.3, "district": 0.5}}, "withdrawal_rate": rate})[2]


def test_retention_is_zero_under_full_re_equalization_and_the_local_share_within_the_medium_term(tmp_path):
    m = metrics(two_regions(tmp_path, 1.0))
    ret = {r["code"]: r for r in m.retention}  # one row per region and year (one year here)
    assert ret["1"]["this_year"] == pytest.approx(0.8)  # region 0.3 + district 0.5 of an extra tenge, amounts fixed
    assert ret["1"]["after_reset"] == pytest.approx(0.0, abs=1e-12)  # the next law takes it all back
    # withdrawal_rate 0.5, both tiers donors: of an extra tenge the district keeps 0.5 x 0.5 = 0.25 and passes
    # 0.25 up; the region gets 0.3 + 0.25 and keeps half of it, 0.275: 0.525 in all
    m = metrics(two_regions(tmp_path / "half", 0.5))
    assert {r["code"]: r for r in m.retention}["1"]["after_reset"] == pytest.approx(0.525)
    assert m.to_dict()["retention"][0]["after_reset"] == [pytest.approx(0.525)]  # metrics.json: a list over the years


def test_counts_dependence_and_capacity(tmp_path):
    m = metrics(two_regions(tmp_path, 1.0))
    levels = {r["level"]: r for r in m.levels}
    assert levels["region"]["subvention_budgets"] == 1 and levels["region"]["withdrawal_budgets"] == 1
    # region 2 books 10 on itself and keeps 0.3 + 0.5 (no district below): 8; need 60 -> subvention 52 of the 70 spent
    assert levels["region"]["dependence"] == pytest.approx(52 / 70)
    rows = {r["code"]: r for r in m.regions}
    assert rows["1"]["capacity_before"] == pytest.approx(80 / 40) and rows["1"]["capacity_after"] == pytest.approx(1.0)
    assert m.stats("regions", "after")["gini"] == pytest.approx(0, abs=1e-12)
    assert m.to_dict()["regions"]["after"] == m.stats("regions", "after")


def test_metrics_and_compare_on_the_kazakhstan_data(tmp_path):
    code, out = run_cli("metrics", ROOT / "data" / "kz", ROOT / "scenarios" / "current-law.yaml", "--out", tmp_path)
    assert code == 0 and "needs-adjusted fiscal capacity" in out and "oil price −10%" in out
    m = json.loads((tmp_path / "metrics.json").read_text())
    assert m["levels"][0]["subvention_budgets"] == 17
    sc = ROOT / "scenarios"
    code, out = run_cli("compare", ROOT / "data" / "kz", sc / "current-law.yaml", sc / "option-2.yaml", sc / "option-3.yaml",
                        "--out", tmp_path)
    assert code == 0 and "current-law → option-2" in out and "option-2 → option-3" in out
    c = json.loads((tmp_path / "compare.json").read_text())
    assert c["scenarios"] == ["current-law", "option-2", "option-3"] and len(c["comparisons"]) == 3
    almaty = next(r for r in c["regions"] if r["code"] == "750000000")
    assert almaty["net_transfer[current-law]"] == pytest.approx(-491887501, rel=1e-6)


def test_compare_finds_status_changes_and_budgets_that_enter_or_leave(tmp_path):
    units = [("0", None, "republic", 100), ("1", "0", "region", 50), ("11", "1", "district", 50), ("111", "11", "rural", 5)]
    ds = make_dataset(tmp_path / "ds", units, receipts=[("11", Y, "loc", 100), ("0", Y, "vat", 500)], needs=[("1", Y, "h", 90)])
    base = write_scenario(tmp_path / "a.yaml", {"name": "a", "years": [Y], "sharing": {"loc": {"district": 1.0}}})
    draft = write_scenario(tmp_path / "b.yaml", {"name": "b", "years": [Y], "sharing": {"loc": {"region": 1.0}},
                                                 "rural_budgets": False})
    code, _ = run_cli("compare", ds, base, draft, "--out", tmp_path / "o")
    assert code == 0
    c = json.loads((tmp_path / "o" / "compare.json").read_text())["comparisons"][0]
    assert c["transitions"]["stopped_donor"] == ["11"] and c["transitions"]["left"] == ["111"]


def test_compare_needs_a_common_year(tmp_path):
    ds = make_dataset(tmp_path / "ds", [("0", None, "republic", 1)], receipts=[("0", 2026, "vat", 1), ("0", 2027, "vat", 1)])
    a = write_scenario(tmp_path / "a.yaml", {"name": "a", "years": [2026]})
    b = write_scenario(tmp_path / "b.yaml", {"name": "b", "years": [2027]})
    code, out = run_cli("compare", ds, a, b)
    assert code == 2 and "scenario 'b' has no year 2026" in out


def test_stress_is_reproducible_and_zero_variance_is_the_deterministic_run(tmp_path):
    from interbudget.analysis.stress import Shocks, stress
    from interbudget.dataset import load_dataset
    from interbudget.engine import run
    from interbudget.scenario import load_scenario

    res = run(load_dataset(ROOT / "data" / "kz"), load_scenario(ROOT / "scenarios" / "option-3.yaml")[0])
    a, b = stress(res, Shocks(draws=300, seed=7, chunk=128)), stress(res, Shocks(draws=300, seed=7, chunk=300))
    assert a.levels["level"].tolist() == b.levels["level"].tolist()  # the seed fixes the draws, whatever the chunking
    for key in ("p_any_deficit", "mean_budgets_in_deficit", "expected_deficit", "balance_p5", "balance_p50", "balance_p95"):
        assert a.levels[key] == pytest.approx(b.levels[key], rel=1e-9, abs=1e-3), key  # (BLAS may round apart)
    flat = stress(res, Shocks(draws=5, oil_sd=0, common_sd=0, region_sd=0))
    for lv in flat.levels:  # one row per level and year
        assert lv["balance_p50"] == pytest.approx(lv["deterministic_balance"], rel=1e-9, abs=1e-3)
        assert lv["p_any_deficit"] == 0.0 or lv["level"] == "republic"
    assert [lv["p_any_deficit"] for lv in flat.to_dict()["levels"] if lv["level"] == "district"] == [[0.0, 0.0, 0.0]]
    # an oil shock alone moves the republic (the risk the concept names for option 3), not the local budgets' receipts
    oil = stress(res, Shocks(draws=200, oil_sd=0.3, common_sd=0, region_sd=0))
    rep = next(lv for lv in oil.levels if lv["level"] == "republic" and lv["year"] == res.years[0])
    assert rep["balance_p5"] < rep["deterministic_balance"] < rep["balance_p95"]


def test_stress_cli(tmp_path):
    sc = ROOT / "scenarios"
    code, out = run_cli("stress", ROOT / "data" / "kz", sc / "current-law.yaml", sc / "option-3.yaml", "--draws", 200, "--out", tmp_path)
    assert code == 0 and "200 draws (seed 1)" in out
    data = json.loads((tmp_path / "stress.json").read_text())
    assert [r["scenario"] for r in data["results"]] == ["current-law", "option-3"]


def test_the_seven_criteria_recommend_a_level_with_data_and_expert_scores(tmp_path):
    units = [("0", None, "republic", 100), ("1", "0", "region", 50), ("2", "0", "region", 50)]
    ds = make_dataset(tmp_path / "ds", units, receipts=[("1", 2026, "oil_rent", 1000), ("2", 2026, "oil_rent", 0),
                                                        ("1", 2026, "land", 10), ("2", 2026, "land", 10)])
    (ds / "taxes.csv").write_text("tax,oil_elasticity\noil_rent,1.0\nland,0\n")
    rows = [("oil_rent", "mobility", 0.9), ("oil_rent", "exporting", 1.0), ("oil_rent", "efficiency", 0.1),
            ("land", "mobility", 0.0), ("land", "exporting", 0.0), ("land", "efficiency", 0.9), ("land", "benefit", 1.0)]
    (ds / "tax_criteria.csv").write_text("tax,criterion,score,basis,rationale\n" + "".join(f"{t},{c},{v},expert,\n" for t, c, v in rows))
    sc = write_scenario(tmp_path / "s.yaml", {"name": "x", "years": [2026], "sharing": {"land": {"region": 1.0}}})
    code, _ = run_cli("taxes", ds, sc, "--out", tmp_path / "o")
    assert code == 0
    got = {r["tax"]: r for r in json.loads((tmp_path / "o" / "tax_criteria.json").read_text())["taxes"]}
    # oil rent: cyclical (elasticity 1 -> stability 1, data), all in one region (evenness 1, data), mobile, exported
    assert got["oil_rent"]["scores"]["stability"] == {"score": 1.0, "basis": "data", "rationale": "oil elasticity 1, swing of yearly growth 0.000"}
    assert got["oil_rent"]["scores"]["evenness"]["score"] == pytest.approx(1.0)
    assert got["oil_rent"]["recommended"] == "republic" and got["oil_rent"]["today"] == "republic"
    # land: even, immobile, a benefit tax: the lowest level, unlike today's region
    assert got["land"]["scores"]["evenness"]["score"] == pytest.approx(0.0)
    assert got["land"]["recommended"] == "rural" and got["land"]["differs"] is True


def test_bad_expert_scores(tmp_path):
    ds = make_dataset(tmp_path / "ds", [("0", None, "republic", 1)], receipts=[("0", 2026, "vat", 1)])
    (ds / "tax_criteria.csv").write_text("tax,criterion,score\nvat,charm,0.5\n")
    sc = write_scenario(tmp_path / "s.yaml", {"name": "x", "years": [2026]})
    code, out = run_cli("taxes", ds, sc)
    assert code == 2 and "tax_criteria.csv, line 2" in out and "unknown criterion 'charm'" in out
