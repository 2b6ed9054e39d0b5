"""The scorecard (§3.3.2): every indicator hand-computed on a small dataset with a hidden withdrawal and a residue
below half a tiyn; the CLI's three files agree; the oil elasticities per region are data."""
from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from helpers import make_dataset, write_csv, write_scenario
from interbudget.analysis.scorecard import scorecard
from interbudget.analysis.stress import Shocks
from interbudget.cli import app
from interbudget.dataset import load_dataset
from interbudget.engine import run
from interbudget.errors import InterbudgetError
from interbudget.scenario import Scenario

ROOT = Path(__file__).resolve().parents[1]
YEARS = [2026, 2027]
RESIDUE = 3e-6  # thousand tenge: below half a tiyn (0.000005)


def small(folder: Path) -> Path:
    """Regions A (a donor: revenue 100, need 40), B (subvention 30), C (need = revenue + 3e-6: no transfer)."""
    units = [("0", None, "republic", 0), ("A", "0", "region", 100), ("A1", "A", "district", 100), ("B", "0", "region", 200),
             ("B1", "B", "district", 200), ("C", "0", "region", 50), ("C1", "C", "district", 50)]
    receipts = [r for y in YEARS for r in [("A1", y, "iit_source", 200), ("A1", y, "vat", 1000), ("B1", y, "iit_source", 100),
                                          ("B1", y, "vat", 500), ("C1", y, "iit_source", 100)]]
    needs = [n for y in YEARS for n in [("A", y, "edu", 40), ("B", y, "edu", 80), ("C", y, "edu", 50 + RESIDUE)]]
    make_dataset(folder, units, receipts, needs)
    write_csv(folder / "taxes.csv", ["tax", "oil_elasticity"], [["iit_source", 0.0], ["vat", 1.0]])
    write_csv(folder / "oil_elasticity.csv", ["code", "tax", "oil_elasticity", "basis"], [["A", "iit_source", 0.5, "ASSUMED: test"]])
    return folder


def scenario(option: int, **kw) -> Scenario:
    sc = {"name": f"option-{option}", "years": YEARS, "option": option, "regulated_taxes": ["iit_source"],
          "sharing": {"iit_source": {"region": 0.5}}, "withdrawal_rate": 1.0, **kw}
    return Scenario.model_validate(sc)


SHOCKS = Shocks(draws=1, seed=7, oil_sd=0.3, common_sd=0.0, region_sd=0.0)
OIL = float(np.random.default_rng(7).spawn(3)[0].normal(0.0, 0.3, 1)[0])  # the one draw of the stress test's oil stream


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    return load_dataset(small(tmp_path_factory.mktemp("sc")))


def value(rows, indicator, year=2026, level=None, code=""):
    got = [r["value"] for r in rows if r["indicator"] == indicator and r["year"] == year and r["code"] == code
           and (level is None or r["level"] == level)]
    assert len(got) == 1, (indicator, year, level, code, got)
    return got[0]


def test_option_1_by_hand(ds):
    rows = scorecard(run(ds, scenario(1)), shocks=SHOCKS)
    assert value(rows, "subvention_budgets", level="region") == 1  # B; C's 3e-6 is no subvention
    assert value(rows, "withdrawal_budgets", level="region") == 1  # A
    assert value(rows, "subventions", level="region") == pytest.approx(30)
    assert value(rows, "withdrawals", level="region") == pytest.approx(60)
    assert value(rows, "subvention_budgets", level="district") == 0
    assert value(rows, "hidden_withdrawal", level="region") == 0
    assert all(value(rows, "hidden_withdrawal", code=c) == 0 for c in "ABC")
    assert value(rows, "distinct_norms", level="region") == 1 and value(rows, "norm_spread", level="region") == 0
    # the republic keeps 0.5 of 400 of IIT and all 1500 of VAT, and pays B's 30
    assert value(rows, "fixed_transfers_share_of_republic_revenue") == pytest.approx(30 / 1700)
    # own revenue share of regions: (min(100, 40) + min(50, 80) + min(50, 50.000003)) / 170.000003
    assert value(rows, "own_revenue_share", level="region") == pytest.approx(140 / (170 + RESIDUE))
    # oil: VAT (elasticity 1) all at the republic; A's IIT elasticity 0.5 (oil_elasticity.csv), half of it to region A
    assert value(rows, "republic_shortfall_oil_p5") == pytest.approx(1500 * (1 - math.exp(OIL)) + 100 * (1 - math.exp(0.5 * OIL)))
    assert value(rows, "local_shortfall_oil_p5") == pytest.approx(100 * (1 - math.exp(0.5 * OIL)))
    # one extra tenge in A (receipts +1%: 12): region A keeps 0.5 x 2 this year, nothing after the reset
    assert value(rows, "retention_this_year", code="A") == pytest.approx(1 / 12)
    assert value(rows, "retention_after_reset", code="A") == pytest.approx(0, abs=1e-9)
    assert value(rows, "retention_this_year", code="C") == pytest.approx(0.5)
    assert value(rows, "retention_this_year", level="region") == pytest.approx((1 / 12 + 1 / 12 + 0.5) / 3)
    assert value(rows, "year_to_year_change", year=2027, level="region") == pytest.approx(0)
    assert not [r for r in rows if r["section"] == "enterprise_split"]
    assert all(r["value"] >= 0 for r in rows if r["indicator"] in ("subventions", "withdrawals", "hidden_withdrawal"))


def test_option_2_hides_the_withdrawal_in_a_low_norm(ds):
    res = run(ds, scenario(2))
    rows = scorecard(res, shocks=SHOCKS)
    # share A = 40 / 200 = 0.2 (no withdrawal); the republic keeps (0.5 - 0.2) x 200 = 60 of A's IIT beyond the law's norm
    assert value(rows, "withdrawal_budgets", level="region") == 0
    assert value(rows, "hidden_withdrawal", code="A") == pytest.approx(60)
    assert value(rows, "hidden_withdrawal", code="B") == 0  # B's norm 0.8 is above the law's: nothing kept
    assert value(rows, "hidden_withdrawal", level="region") == pytest.approx(60)
    # norms 0.2, 0.8 and 0.50000003
    assert value(rows, "distinct_norms", level="region") == 3
    assert value(rows, "norm_spread", level="region") == pytest.approx(0.6)
    assert value(rows, "republic_shortfall_oil_p5") == pytest.approx(1500 * (1 - math.exp(OIL)) + 160 * (1 - math.exp(0.5 * OIL)))
    assert value(rows, "retention_this_year", code="A") == pytest.approx(0.2 * 2 / 12)


def test_option_4_says_a_district_split_is_impossible(ds):
    rows = scorecard(run(ds, scenario(4, regulated_taxes=["iit_source", "vat"])), shocks=SHOCKS, with_retention=False)
    assert value(rows, "enterprise_split_taxes") == 2
    assert value(rows, "district_split_possible", level="district") == 0
    assert not [r for r in rows if r["section"] == "incentive"]


def test_the_residue_is_no_transfer_anywhere(ds, tmp_path):
    from interbudget.output import budgets_table
    from interbudget.rules.status import budget_status

    res = run(ds, scenario(1))
    c = res.hierarchy.b_codes.tolist().index("C")
    assert res.transfers.gap[c, 0] == pytest.approx(RESIDUE)  # the gap is there ...
    assert res.transfers.subvention[c, 0] == 0.0  # ... but it is no subvention
    assert budget_status(res.transfers.subvention[c, 0], res.transfers.withdrawal[c, 0]) == "neutral"
    row = next(r for r in budgets_table(res).to_pylist() if r["code"] == "C" and r["year"] == 2026)
    assert row["subvention_received"] == 0.0 and row["withdrawal_paid"] == 0.0
    # the withdrawal side: a surplus of 3e-6 is no withdrawal either
    res = run(ds, scenario(1, sharing={"iit_source": {"region": 0.5 + 2 * RESIDUE / 100}}))
    assert res.transfers.withdrawal[c, 0] == 0.0 and res.transfers.gap[c, 0] == pytest.approx(-RESIDUE)


def test_cli_writes_three_files_that_agree(tmp_path):
    from interbudget.reports.scorecard import read_xlsx

    folder = small(tmp_path / "ds")
    files = []
    for opt in (1, 2):
        sc = scenario(opt).model_dump(exclude_none=True, exclude_defaults=True)
        files.append(write_scenario(tmp_path / f"o{opt}.yaml", {**sc, "name": f"option-{opt}", "years": YEARS, "option": opt}))
    res = CliRunner().invoke(app, ["scorecard", str(folder), *map(str, files), "--out", str(tmp_path / "out"), "--draws", "200"])
    assert res.exit_code == 0, res.output
    assert "hidden withdrawal" in res.output
    with (tmp_path / "out" / "scorecard.csv").open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == ["scenario", "year", "level", "code", "indicator", "value", "unit", "section"]
        rows = list(reader)
    assert {r["scenario"] for r in rows} == {"option-1", "option-2"}
    hw = {(r["scenario"], r["code"]): float(r["value"]) for r in rows if r["indicator"] == "hidden_withdrawal" and r["year"] == "2026"}
    assert hw[("option-1", "")] == 0 and hw[("option-2", "A")] == pytest.approx(60)
    key = lambda r: (r["scenario"], int(r["year"]), r["level"], r["code"], r["indicator"])  # noqa: E731
    csv_values = {key(r): float(r["value"]) for r in rows}
    xlsx_values = {key(r): r["value"] for r in read_xlsx(tmp_path / "out" / "scorecard.xlsx")}
    assert xlsx_values.keys() == csv_values.keys()
    assert all(xlsx_values[k] == pytest.approx(v, rel=1e-12, abs=1e-12) for k, v in csv_values.items())
    page = (tmp_path / "out" / "scorecard.html").read_text(encoding="utf-8")
    assert "withdrawals remain and look arbitrary" in page and '<script src="http' not in page  # plotly inlined: offline


def test_cli_bad_input_is_one_line(tmp_path):
    folder = small(tmp_path / "ds")
    write_csv(folder / "oil_elasticity.csv", ["code", "tax", "oil_elasticity"], [["A1", "iit_source", 0.5], ["B", "nope", 0.1]])
    sc = write_scenario(tmp_path / "s.yaml", {"name": "s", "years": YEARS, "option": 1})
    res = CliRunner().invoke(app, ["scorecard", str(folder), str(sc), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2 and "Traceback" not in res.output
    text = " ".join(res.output.split())
    assert "oil_elasticity.csv" in text and "'A1' is not a region" in text and "unknown tax 'nope'" in text
    with pytest.raises(InterbudgetError):
        load_dataset(folder)


def test_kz_oil_regions_have_iit_and_social_tax_elasticities():
    ds = load_dataset(ROOT / "data" / "kz")
    unit, tax, e = ds.oil_elasticity_regions
    h = ds.hierarchy
    got = {(h.codes[u], ds.taxes[t]) for u, t in zip(unit.tolist(), tax.tolist(), strict=True)}
    for code in ("230000000", "470000000"):  # Atyrau, Mangystau
        assert {(code, "iit_source"), (code, "social_tax")} <= got
    assert (e > 0).all()
    with (ROOT / "data" / "kz" / "oil_elasticity.csv").open(encoding="utf-8") as fh:
        assert all(r["basis"].startswith("ASSUMED") for r in csv.DictReader(fh))  # no source: marked as an assumption


@pytest.mark.parametrize("lang", ["en", "kk"])
def test_the_kz_scorecard_html_renders_in_chromium(tmp_path, lang):
    """The four options on data/kz; the page renders with no console errors (screenshot in test-artifacts/)."""
    from browser import chromium

    options = [ROOT / "scenarios" / f for f in ("current-law.yaml", "option-2.yaml", "option-3.yaml", "option-4.yaml")]
    res = CliRunner().invoke(app, ["scorecard", str(ROOT / "data" / "kz"), *map(str, options), "--out", str(tmp_path),
                                   "--draws", "500", "--no-retention", "--lang", lang])
    assert res.exit_code == 0, res.output
    assert "§3.3.2" in res.output and "(§3.3.2)" in res.output  # option 4: the district split is refused, in words
    errors: list[str] = []
    shots = ROOT / "test-artifacts"
    shots.mkdir(exist_ok=True)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1300, "height": 2400})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((tmp_path / "scorecard.html").as_uri())
        page.wait_for_selector(".js-plotly-plot .main-svg")
        page.wait_for_timeout(800)
        plots = page.locator(".js-plotly-plot").count()
        sections = page.locator("section blockquote").count()
        page.screenshot(path=str(shots / f"scorecard-{lang}.png"), full_page=True)
    assert errors == []
    assert plots == 4 and sections == 7  # every argument but incentive (no retention asked) with the concept's words
    assert (shots / f"scorecard-{lang}.png").stat().st_size > 20_000


def test_option_4_warns_that_its_district_shares_are_no_enterprise_split(ds):
    res = run(ds, scenario(4, regulated_taxes=["iit_source", "vat"], sharing={"iit_source": {"region": 0.5, "district": 0.2}}))
    assert any("cannot be made between districts (§3.3.2)" in w and "iit_source" in w for w in res.warnings)
    assert not any("§3.3.2" in w for w in run(ds, scenario(4, regulated_taxes=["iit_source"])).warnings)  # no district share
