"""Hand-computed examples of the interbudget extensions: payer categories, fourth-level
budgets on and off, the capacity basis and the mid-term revision (docs/METHOD.md)."""
from pathlib import Path

import numpy as np
import pytest

from helpers import make_dataset, simulate, write_scenario
from interbudget.hierarchy import DISTRICT, REGION
from test_errors import run_cli
from test_properties import build

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "example"
EX_SCEN = EXAMPLE / "scenarios"
Y = 2026
UNITS = [("0", None, "republic", 100), ("1", "0", "region", 60), ("11", "1", "district", 40),
         ("111", "11", "rural", 10), ("112", "11", "rural", 10)]


def test_capacity_basis_lets_a_budget_keep_what_it_collects_above_capacity(tmp_path):
    ds = make_dataset(tmp_path, UNITS, receipts=[("11", Y, "iit_source", 150), ("0", Y, "vat", 500)],
                      needs=[("11", Y, "edu", 120)], bases=[["11", Y, "iit_source", 1000]])
    base = {"name": "c", "years": [Y], "sharing": {"iit_source": {"district": 1.0}}}
    rows, _, _ = simulate(ds, base)
    assert rows["plan", "11", Y]["withdrawal_paid"] == pytest.approx(30) and rows["plan", "11", Y]["balance"] == 0
    rows, _, res = simulate(ds, {**base, "capacity": {"iit_source": 0.1}})
    d = rows["plan", "11", Y]
    # capacity 1000 x 0.1 = 100: gap 120 - 100 = 20 is a subvention; the budget collects 150 and keeps 50
    assert d["revenue"] == 150 and d["subvention_received"] == pytest.approx(20)
    assert d["balance"] == pytest.approx(50)
    assert res.plan.basis[res.hierarchy.budget_index_of_unit[2], 0] == pytest.approx(100)
    # money is still conserved: balances add up to receipts - needs
    assert sum(r["balance"] for r in rows.values()) == pytest.approx(650 - 120)


def test_revision_refixes_amounts_from_a_later_year(tmp_path):
    ds = make_dataset(tmp_path, UNITS, receipts=[("11", y, "iit_source", 100) for y in (2026, 2027, 2028)],
                      needs=[("11", y, "edu", 130) for y in (2026, 2027, 2028)],
                      revised=[("11", 2026, "iit_source", 100), ("11", 2027, "iit_source", 80), ("11", 2028, "iit_source", 120)])
    rows, _, _ = simulate(ds, {"name": "r", "years": [2026, 2027, 2028], "sharing": {"iit_source": {"district": 1.0}},
                               "revision": {"from_year": 2027}})
    assert rows["plan", "11", 2027]["subvention_received"] == pytest.approx(30)  # the plan is unchanged
    assert ("revised", "11", 2026) not in rows
    assert rows["revised", "11", 2027]["subvention_received"] == pytest.approx(50)
    assert rows["revised", "11", 2028]["subvention_received"] == pytest.approx(10)
    assert rows["revised", "1", 2027]["subventions_paid"] == pytest.approx(50)
    assert rows["revised", "11", 2027]["balance"] == pytest.approx(0)


def test_fourth_level_budgets_on_and_off(tmp_path):
    ds = make_dataset(tmp_path, UNITS, receipts=[("111", Y, "land", 10), ("112", Y, "land", 4)],
                      needs=[("111", Y, "culture", 6), ("112", Y, "culture", 9), ("11", Y, "edu", 20)])
    sc = {"name": "4", "years": [Y], "sharing": {"land": {"rural": 1.0}}}
    rows, _, _ = simulate(ds, sc)
    assert rows["plan", "111", Y]["withdrawal_paid"] == 4 and rows["plan", "112", Y]["subvention_received"] == 5
    assert rows["plan", "11", Y]["subvention_received"] == pytest.approx(20 + 5 - 4)
    rows, _, _ = simulate(ds, {**sc, "rural_budgets": False})
    assert ("plan", "111", Y) not in rows  # folded into the district
    d = rows["plan", "11", Y]
    assert d["revenue"] == 14 and d["needs"] == 35 and d["subvention_received"] == pytest.approx(21)


def test_payer_categories_are_data(tmp_path):
    ds = make_dataset(tmp_path, UNITS, receipts=[("11", Y, "vat", 100, "oil"), ("11", Y, "vat", 50, "sme"),
                                                 ("11", Y, "vat", 30, "regional")],
                      needs=[("1", Y, "health", 16)], payers=[["oil", "true"], ["sme", "false"]])
    sc = {"name": "o4", "years": [Y], "option": 4, "sharing": {"vat": {"region": 0.5}}}
    rows, shares, _ = simulate(ds, sc)
    # oil is base: to the republic; sme and regional count: Q = 80, G0 = 16 -> s = 0.2
    assert [s["share"] for s in shares if s["tax"] == "vat"] == [pytest.approx(0.2)]
    assert rows["plan", "1", Y]["revenue"] == pytest.approx(16)
    rows, shares, _ = simulate(ds, {**sc, "base_payers": ["oil", "sme"]})  # the scenario says which are base
    assert [s["share"] for s in shares if s["tax"] == "vat"] == [pytest.approx(16 / 30)]


def test_unknown_payer_category_and_base_payers(tmp_path):
    ds = make_dataset(tmp_path / "ds", UNITS, receipts=[("11", Y, "vat", 100, "gas")], payers=[["oil", "true"]])
    f = write_scenario(tmp_path / "s.yaml", {"name": "x", "years": [Y]})
    code, out = run_cli("simulate", ds, f, "--out", tmp_path / "o")
    assert code == 2 and "receipts.csv" in out and "'gas' is not one of regional, base, oil" in out
    ds = make_dataset(tmp_path / "ds2", UNITS, receipts=[("11", Y, "vat", 100, "oil")], payers=[["oil", "true"]])
    f = write_scenario(tmp_path / "s.yaml", {"name": "x", "years": [Y], "base_payers": ["coal"]})
    code, out = run_cli("simulate", ds, f, "--out", tmp_path / "o")
    assert code == 2 and "base_payers" in out and "unknown payer category coal" in out


@pytest.mark.parametrize("sc, message", [
    ({"capacity": {"iit_source": 0.1}}, "a capacity basis needs bases.csv"),
    ({"revision": {"from_year": 2026}}, "revision.from_year 2026 must be a later year of the medium term"),
])
def test_mechanism_inputs_are_checked(tmp_path, sc, message):
    ds = make_dataset(tmp_path / "ds", UNITS, receipts=[("11", Y, "iit_source", 100), ("11", 2027, "iit_source", 1)])
    f = write_scenario(tmp_path / "s.yaml", {"name": "x", "years": [2026, 2027], **sc})
    code, out = run_cli("simulate", ds, f, "--out", tmp_path / "o")
    assert code == 2 and message in out, out


def test_under_m4_a_region_keeps_nothing_of_what_is_booked_in_its_districts(tmp_path):
    for seed in range(15):
        folder = tmp_path / str(seed)
        sc = build(seed, folder)
        sc.update(district_method="M4", child_shares={})
        _, _, res = simulate(folder, sc)
        h, rec = res.hierarchy, res.dataset.receipts.classify(res.base_mask)
        dist = h.anc[DISTRICT][rec.unit]
        in_district_budget = (dist >= 0) & h.has_budget[np.maximum(dist, 0)]
        region = h.anc[REGION][rec.unit]
        under_budget_region = (region >= 0) & h.has_budget[np.maximum(region, 0)]
        frac = res.tables[REGION].fractions(rec)
        assert not frac[in_district_budget & under_budget_region].any()


@pytest.mark.parametrize("scenario, args, words", [
    ("capacity-basis", ["--code", "111000000"], ["revenue capacity", "§1.6"]),
    ("revision-2027", ["--code", "470000000", "--year", "2028", "--track", "revised"], ["Revised track", "receipts_revised.csv"]),
    ("methods-2002-diversity", ["--code", "111000000"], ["M1: child_shares['111000000'].iit_source"]),
    ("methods-2002-diversity", ["--code", "470000000"], ["region→district M4 (all local revenue to the child)"]),
    ("methods-2002-diversity", ["--code", "471000000"], ["M4: the whole local part to the child"]),
    ("methods-uniform-m2", ["--code", "116600000"], ["Computed share of iit_source, social_tax at the district level (M2"]),
    ("option-4", ["--code", "000000000"], ["option 4: base enterprise to the republic"]),
    ("no-fourth-level", ["--code", "116600000"], ["Tselinograd"]),
])
def test_explain_covers_every_mechanism(scenario, args, words):
    if "--year" not in args:
        args = args + ["--year", "2026"]
    code, out = run_cli("explain", EXAMPLE, EX_SCEN / f"{scenario}.yaml", *args)
    assert code == 0, out
    for w in words:
        assert w in out, (w, out)
