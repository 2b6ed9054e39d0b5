"""Unfunded mandates and their compensation (§3.3.1), by hand."""
import pytest

from helpers import make_dataset, simulate, write_csv
from test_errors import run_cli, write_scenario

UNITS = [("0", None, "republic", 600), ("1", "0", "region", 600), ("11", "1", "district", 300), ("12", "1", "district", 300)]
YEARS = [2026, 2027]
MEALS = {"name": "school-meals", "function": "education", "level": "district", "decided_by": "republic",
         "from_year": 2027, "per_capita": 2.0}


def dataset(tmp_path):
    return make_dataset(tmp_path, UNITS, receipts=[("0", y, "vat", 5000) for y in YEARS] + [("11", y, "loc", 100) for y in YEARS],
                        needs=[("11", y, "edu", 100) for y in YEARS])


def test_an_unfunded_mandate_is_flagged_with_budgets_and_amounts(tmp_path):
    sc = {"name": "m", "years": YEARS, "sharing": {"loc": {"district": 1.0}}, "mandates": [MEALS]}
    rows, _, res = simulate(dataset(tmp_path), sc)
    # 2 x 300 people = 600 a district from 2027, after the amounts were fixed: nothing pays for it
    assert rows["plan", "11", 2026]["balance"] == 0
    assert rows["plan", "11", 2027]["needs"] == pytest.approx(700) and rows["plan", "11", 2027]["balance"] == pytest.approx(-600)
    assert rows["plan", "11", 2027]["subvention_received"] == 0
    flagged = {(r["code"], r["year"]): r["unfunded"] for r in res.mandates}
    assert flagged == {("11", 2027): 600, ("12", 2027): 600}


def test_compensation_adds_the_cost_down_the_chain_from_the_decider(tmp_path):
    sc = {"name": "m", "years": YEARS, "sharing": {"loc": {"district": 1.0}}, "mandates": [{**MEALS, "compensate": True}]}
    rows, _, res = simulate(dataset(tmp_path), sc)
    assert rows["plan", "11", 2027]["subvention_received"] == pytest.approx(600) and rows["plan", "11", 2027]["balance"] == 0
    assert rows["plan", "1", 2027]["subvention_received"] == pytest.approx(1200) and rows["plan", "1", 2027]["balance"] == 0
    assert rows["plan", "0", 2027]["subventions_paid"] == pytest.approx(1200)
    assert all(r["unfunded"] == 0 and r["compensated"] for r in res.mandates)


def test_a_region_decision_is_paid_by_the_region(tmp_path):
    m = {**MEALS, "decided_by": "region", "compensate": True}
    rows, _, _ = simulate(dataset(tmp_path), {"name": "m", "years": YEARS, "sharing": {"loc": {"district": 1.0}}, "mandates": [m]})
    assert rows["plan", "11", 2027]["subvention_received"] == pytest.approx(600)
    assert rows["plan", "1", 2027]["subvention_received"] == 0 and rows["plan", "1", 2027]["balance"] == pytest.approx(-1200)


def test_costs_from_mandates_csv_and_the_cli_report(tmp_path):
    ds = dataset(tmp_path / "ds")
    write_csv(ds / "mandates.csv", ["mandate", "code", "year", "amount"], [["clinics", "12", 2027, 75]])
    m = {"name": "clinics", "function": "health", "level": "district", "decided_by": "region", "from_year": 2027}
    f = write_scenario(tmp_path / "s.yaml", {"name": "m", "years": YEARS, "sharing": {"loc": {"district": 1.0}}, "mandates": [m]})
    code, out = run_cli("simulate", ds, f, "--out", tmp_path / "o")
    assert code == 0 and "unfunded mandates (§3.3.1)" in out and "clinics" in out
    assert "clinics,12,2027,region,75,false,75" in (tmp_path / "o" / "mandates.csv").read_text()
    code, out = run_cli("explain", ds, f, "--code", "12", "--year", 2027)
    assert "Mandate clinics decided by the region level: cost 75.0, not compensated; unfunded 75.0" in out


@pytest.mark.parametrize("m, message", [
    ({**MEALS, "decided_by": "rural"}, "decided_by 'rural' must be a level above 'district'"),
    ({**MEALS, "level": "republic"}, "level 'republic' must be region, district or rural"),
    ({**MEALS, "per_capita": None}, "mandate 'school-meals' has no cost"),
])
def test_bad_mandates(tmp_path, m, message):
    f = write_scenario(tmp_path / "s.yaml", {"name": "m", "years": YEARS, "mandates": [m]})
    code, out = run_cli("simulate", dataset(tmp_path / "ds"), f, "--out", tmp_path / "o")
    assert code == 2 and message in out, out
