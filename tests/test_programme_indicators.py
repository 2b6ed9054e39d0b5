"""Each indicator of the programme on a hand-made dataset and registry, checked against figures worked out by hand
(concept §3.4's 78 % baseline, §1.6 withdrawals, §3.3.1 unfunded mandates, §3.3.3 dependence, §3.4 conditions,
§1.2 / §3.1 from the registry)."""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers import make_dataset, write_csv
from interbudget.analysis.programme import indicators, registry_indicators, run_indicators
from interbudget.dataset import load_dataset
from interbudget.engine import run
from interbudget.functions.registry import load_registry
from interbudget.scenario import Scenario

# a region (10) with districts 11 and 12; 11 has okrugs 111 (own budget) and 112 (none), 12 has okrug 121.
# 2026: 111 R 50 N 80 -> S 30; 121 R 100 N 60 -> W 40; 11 R 100 N 200 -> S 200-100+30 = 130;
#       12 R 500 N 300 -> W 240 (300-500-40); the region: 130-240 -> W 110.
# 2027: 111 R 90 -> W 10; 11 -> S 200-100-10 = 90; the region: 90-240 -> W 150.
UNITS = [("00", None, "republic", 1000), ("10", "00", "region", 600), ("11", "10", "district", 300),
         ("12", "10", "district", 300), ("111", "11", "rural", 100, True), ("112", "11", "rural", 100, False),
         ("121", "12", "rural", 100, True)]
RECEIPTS = [("111", 2026, "local", 50), ("111", 2027, "local", 90), ("121", 2026, "local", 100), ("121", 2027, "local", 100),
            ("11", 2026, "dtax", 100), ("11", 2027, "dtax", 100), ("12", 2026, "dtax", 500), ("12", 2027, "dtax", 500),
            ("00", 2026, "vat", 1000), ("00", 2027, "vat", 1000)]
NEEDS = [(c, y, "services", n) for c, n in (("111", 80), ("121", 60), ("11", 200), ("12", 300), ("00", 100)) for y in (2026, 2027)]
SCENARIO = {"name": "hand", "years": [2026, 2027], "option": 1, "withdrawal_rate": 1.0,
            "sharing": {"local": {"rural": 1.0}, "dtax": {"district": 1.0}, "vat": {}}}


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    return load_dataset(make_dataset(tmp_path_factory.mktemp("hand"), UNITS, RECEIPTS, NEEDS))


def _by(rows):
    return {(r["indicator"], r["level"], r["year"]): r["value"] for r in rows}


def test_run_indicators_match_the_hand_figures(ds):
    res = run(ds, Scenario.model_validate(SCENARIO))
    v = _by(run_indicators(res))
    assert v[("subvention_share", "region", 2026)] == 0.0 and v[("subvention_share", "district", 2026)] == 0.5
    assert v[("subvention_share", "rural", 2026)] == 0.5 and v[("subvention_share", "rural", 2027)] == 0.0
    assert v[("withdrawal_budgets", "", 2026)] == 3 and v[("withdrawal_volume", "", 2026)] == pytest.approx(390)
    assert v[("withdrawal_budgets", "", 2027)] == 4 and v[("withdrawal_volume", "", 2027)] == pytest.approx(440)
    assert v[("dependence", "district", 2026)] == pytest.approx(130 / 500) and v[("dependence", "district", 2027)] == pytest.approx(90 / 500)
    assert v[("dependence", "rural", 2026)] == pytest.approx(30 / 140) and v[("dependence", "region", 2026)] is None  # no need
    # two own okrug budgets of three okrugs; two budget cycles are reached in 2027, both closed
    assert v[("okrugs_meeting_conditions", "", 2026)] == 0.0 and v[("okrugs_meeting_conditions", "", 2027)] == pytest.approx(2 / 3)
    assert v[("unfunded_mandate_budgets", "", 2027)] == 0 and v[("unfunded_mandate_volume", "", 2027)] == 0
    base = [r["baseline"] for r in run_indicators(res) if r["indicator"] == "subvention_share" and r["level"] == "district"]
    assert base == [pytest.approx(153 / 195)] * 2 and round(153 / 195, 2) == 0.78


def test_an_okrug_that_cannot_close_its_budget_does_not_meet_the_conditions(tmp_path):
    # a duty handed to the rural level in 2027, after the amounts were fixed, and not compensated
    folder = make_dataset(tmp_path / "d", UNITS, RECEIPTS, NEEDS)
    sc = dict(SCENARIO, mandates=[{"name": "new-duty", "function": "services", "level": "rural", "decided_by": "republic",
                                   "from_year": 2027, "per_capita": 1.0, "compensate": False}])
    res = run(load_dataset(folder), Scenario.model_validate(sc))
    v = _by(run_indicators(res))
    # each own okrug (population 100) must pay 100 in 2027 with its transfers fixed: 111 (W 10, balance 0) and 121
    # (balance 0) both fall short by 100: unfunded, and neither closes its 2027 budget
    assert v[("unfunded_mandate_budgets", "", 2027)] == 2 and v[("unfunded_mandate_volume", "", 2027)] == pytest.approx(200)
    assert v[("unfunded_mandate_budgets", "", 2026)] == 0
    assert v[("okrugs_meeting_conditions", "", 2027)] == 0.0


def test_without_fourth_level_budgets_no_okrug_meets_them(ds):
    res = run(ds, Scenario.model_validate(dict(SCENARIO, rural_budgets=False)))
    v = _by(run_indicators(res))
    assert v[("okrugs_meeting_conditions", "", 2027)] == 0.0 and ("subvention_share", "rural", 2026) not in v


def _registry(folder: Path) -> Path:
    folder.mkdir()
    write_csv(folder / "bodies.csv", ["id", "name_kk", "name_ru", "name_en", "kind", "level"],
              [["mof", "", "", "Ministry", "central", "republic"], ["obl", "", "", "Oblast akimat", "akimat", "region"],
               ["dist", "", "", "District akimat", "akimat", "district"], ["dist2", "", "", "District unit", "other", "district"]])
    attrs = ["0.5"] * 6
    cols = ["id", "name_kk", "name_ru", "name_en", "group", "type", "priority", "legal_basis", "inherent", "bodies", "finances",
            "executes", "national", "local", "scale", "spillover", "proximity", "uniform"]
    write_csv(folder / "functions.csv", cols, [
        ["f_vert", "", "", "vertical", "01", "service", "basic", "Law on X, art. 12", "true", "mof;obl", "region", "region", *attrs],
        ["f_horiz", "", "", "horizontal", "01", "service", "basic", "", "true", "dist;dist2", "district", "district", *attrs],
        ["f_ok", "", "", "fine", "01", "service", "basic", "Закон о Y, ст. 5", "true", "dist", "district", "district", *attrs],
        ["f_unfunded", "", "", "unfunded", "01", "service", "basic", "Law on Z", "true", "dist", "", "district", *attrs]])
    return folder


def test_registry_indicators_match_the_hand_registry(tmp_path):
    v = {r["indicator"]: r for r in registry_indicators(load_registry(_registry(tmp_path / "reg")))}
    assert v["duplicated_functions"]["functions"] == ["f_horiz", "f_vert"] and v["duplicated_functions"]["value"] == 0.5
    assert v["article_legal_basis"]["functions"] == ["f_ok", "f_vert"] and v["article_legal_basis"]["value"] == 0.5
    assert v["unfunded_mandate_functions"]["functions"] == ["f_unfunded"] and v["unfunded_mandate_functions"]["count"] == 1


def test_trends_run_from_the_first_to_the_last_year(ds, tmp_path):
    res = run(ds, Scenario.model_validate(SCENARIO))
    out = indicators({"hand": res}, load_registry(_registry(tmp_path / "reg")))
    t = {(x["indicator"], x["level"]): x for x in out["scenarios"]["hand"]}
    w = t[("withdrawal_volume", "")]
    assert (w["first_year"], w["last_year"], w["change"], w["trend"]) == (2026, 2027, pytest.approx(50), "↑")
    assert t[("dependence", "district")]["trend"] == "↓" and t[("subvention_share", "district")]["trend"] == "="
    assert out["baseline"]["value"] == pytest.approx(0.7846, abs=1e-4) and len(out["registry"]) == 3
