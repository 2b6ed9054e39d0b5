"""Truthful tables (issue 15, items 3-5): simulate shows the territory beside its transfer, rule-filled figures are
marked in the CLI, the web and Excel, compare separates transfer gains from balance gains and writes compare.xlsx and
compare.html, a run that leaves needs unfunded or budgets in deficit says how much and where (and the manifest
records it), and the scorecard page shows the four options side by side in kk/ru/en."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from helpers import make_dataset, write_csv, write_scenario
from interbudget.analysis.compare import compare
from interbudget.basis import rule_filled
from interbudget.dataset import load_dataset
from interbudget.engine import run
from interbudget.review import review
from interbudget.scenario import Scenario, load_scenario
from interbudget.summary import region_summary
from test_errors import run_cli

ROOT = Path(__file__).resolve().parents[1]
KZ = ROOT / "data" / "kz"
SC = ROOT / "scenarios"


def tiny(folder: Path) -> Path:
    """Region R (need 10, revenue 30 of 60 IIT at share 0.5) with district D (need 50, revenue 0): R receives 30
    for its district; the territory needs 60 and raises 60 of revenue: subvention / territory needs = 0.5."""
    units = [("0", None, "republic", 0), ("R", "0", "region", 100), ("D", "R", "district", 100)]
    make_dataset(folder, units, [("D", 2026, "iit", 60), ("0", 2026, "vat", 100)], [("R", 2026, "edu", 10), ("D", 2026, "edu", 50)])
    write_csv(folder / "transfers_2026.csv", ["year", "code", "type", "amount", "basis"],
              [[2026, "R", "subvention", 30, "RULE: the test's rule"]])
    return folder


def test_simulate_shows_the_territory_beside_the_transfer_and_marks_rule_filled_rows(tmp_path):
    ds = tiny(tmp_path / "ds")
    sc = write_scenario(tmp_path / "s.yaml", {"name": "s", "years": [2026], "sharing": {"iit": {"region": 0.5}}})
    res = run(load_dataset(ds), load_scenario(sc)[0])
    r = region_summary(res)[0]
    # R's own gap is 10 - 30 = -20; D's subvention 50; R receives 30 and passes 50 down
    assert (r["territory_needs"], r["territory_revenue"], r["needs"], r["revenue"], r["subvention"]) == (60, 30, 10, 30, 30)
    assert r["covered_by_transfer"] == pytest.approx(0.5)
    code, text = run_cli("simulate", ds, sc, "--out", tmp_path / "out", "--own")
    assert code == 0, text
    assert "the territory (the oblast and every budget below it)" in text and "oblast's" in text  # --own: its own budget too
    assert "R †" in text and "the test's rule" in text
    assert rule_filled(ds) == {("R", 2026): "the test's rule"}


def test_rule_filled_kz_rows_are_marked_in_cli_web_and_excel(tmp_path):
    marks = rule_filled(KZ)
    assert {c for (c, y) in marks if y == 2026} == {"610000000", "620000000", "790000000"}  # Turkestan, Ulytau, Shymkent
    code, text = run_cli("report", KZ, SC / "current-law.yaml", "--out", tmp_path, "--stress-draws", 0)
    assert code == 0, text
    law = list(load_workbook(tmp_path / "report.xlsx", read_only=True)["Transfers (law layout)"].iter_rows(values_only=True))
    assert law[0][5] == "basis"
    assert {r[1] for r in law[1:] if r[5] == "†" and r[2] == 2026} == {"610000000", "620000000", "790000000"}
    assert any(r[0] and str(r[0]).startswith("† ") for r in law)  # the footnote
    from interbudget.web.app import create_app

    client = TestClient(create_app(KZ, SC))
    page = client.get("/?scenario=current-law&year=2026").text
    assert page.count('class="rule-filled"') == 3 and 'id="rule-filled"' in page
    page = client.get("/budget/610000000?scenario=current-law&year=2026&lang=kk").text  # Turkestan: 2026 by the rule
    assert 'id="rule-filled"' in page and "иллюстрациялық" in page
    page = client.get("/budget/430000000?scenario=current-law&year=2026").text  # Kyzylorda: 2026 published, 2027-28 by a rule
    assert page.count('class="rule-filled"') == 2 and "<td>2026</td>" in page


def test_dependence_is_a_share_of_spending():
    from interbudget.analysis.metrics import level_table

    res = run(load_dataset(KZ), load_scenario(SC / "option-3.yaml")[0])
    assert all(0 <= r["dependence"] <= 1 for k in range(3) for r in level_table(res, k))


def test_compare_separates_transfer_gains_from_balance_gains(tmp_path):
    ds = load_dataset(KZ)
    results = [run(ds, load_scenario(SC / f"{n}.yaml")[0]) for n in ("current-law", "option-3")]
    c = compare(results, 2026)
    cmp = c.to_dict()["comparisons"][0]
    pair = c.pairs[0]  # the same as tables: bands and budget rows with documented columns
    assert int(pair.bands["transfer_up"].sum()) == sum(b["transfer_up"] for b in cmp["bands"])
    assert pair.rows.rows() == cmp["rows"]
    up = sum(b["transfer_up"] for b in cmp["bands"])
    assert up > 100  # option 3: many net transfers grow, because the taxes went up ...
    assert sum(b["balance_up"] for b in cmp["bands"]) == 0  # ... and no balance moves: nobody is better off
    assert all(abs(r["balance_change"]) < 0.5 for r in cmp["transfer_gains"])


def test_compare_out_writes_xlsx_and_a_standalone_html_that_renders(tmp_path):
    from browser import chromium

    code, text = run_cli("compare", KZ, SC / "current-law.yaml", SC / "option-2.yaml", "--out", tmp_path)
    assert code == 0, text
    assert "† the law's transfer" in text and "balance up" in text
    c = json.loads((tmp_path / "compare.json").read_text())
    wb = load_workbook(tmp_path / "compare.xlsx", read_only=True)
    regions = list(wb["Regions"].iter_rows(values_only=True))
    header = list(regions[0])
    got = {r[0]: r for r in regions[1:] if r[0] and r[0] != "" and not str(r[0]).startswith("†")}
    for r in c["regions"]:
        assert got[r["code"]][header.index("net transfer: option-2")] == pytest.approx(r["net_transfer[option-2]"])
        assert (got[r["code"]][header.index("basis")] == "†") == (r["code"] in ("610000000", "620000000", "790000000"))
    assert {"1 budgets", "1 bands", "1 status changes"} <= set(wb.sheetnames)
    errors: list[str] = []
    shots = ROOT / "test-artifacts"
    shots.mkdir(exist_ok=True)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1300, "height": 2000})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((tmp_path / "compare.html").as_uri())
        page.wait_for_selector(".js-plotly-plot .main-svg")
        page.wait_for_timeout(800)
        plots = page.locator(".js-plotly-plot").count()
        shapes = page.locator("#map-regions .choroplethlocation").count()
        page.screenshot(path=str(shots / "compare.png"), full_page=True)
    assert errors == []
    assert plots == 3 and shapes == 20  # transfer gains by region, transfer beside balance, the map


def test_a_run_with_unfunded_needs_and_deficits_says_how_much_and_where(tmp_path):
    units = [("0", None, "republic", 0), ("R", "0", "region", 100), ("D", "R", "district", 100), ("Q", "0", "region", 50)]
    ds = make_dataset(tmp_path / "ds", units, [("D", 2026, "iit", 30), ("Q", 2026, "iit", 100), ("0", 2026, "vat", 100)],
                      [("D", 2026, "edu", 50, "mandatory"), ("D", 2026, "roads", 40, "basic"), ("Q", 2026, "edu", 20, "basic")])
    sc = {"name": "t", "years": [2026], "sharing": {"iit": {"district": 1.0}}, "transfer_model": "targeted"}
    res = run(load_dataset(ds), Scenario.model_validate(sc))
    found = {(f["kind"], f["level"]): f for f in review(res)}
    # D: mandatory 50 covered (30 revenue + category 1 of 20); basic 40 left unfunded; D ends at -40
    assert found["basic_needs_unfunded", "district"]["amount"] == pytest.approx(40)
    assert found["basic_needs_unfunded", "district"]["where"] == [{"code": "R", "name": "R en", "amount": pytest.approx(40)}]
    assert found["plan_deficit", "district"]["budgets"] == 1 and found["plan_deficit", "district"]["amount"] == pytest.approx(40)
    assert ("mandatory_needs_unfunded", "district") not in found and ("plan_deficit", "region") not in found
    path = write_scenario(tmp_path / "t.yaml", sc)
    code, text = run_cli("simulate", ds, path, "--out", tmp_path / "out")
    assert code == 0 and "1 district budget(s) basic needs unfunded" in text and "in deficit on the plan track" in text
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert {f["kind"] for f in manifest["review"]} == {"basic_needs_unfunded", "plan_deficit"}
    # the general model funds every need: nothing to raise
    general = run(load_dataset(ds), Scenario.model_validate({**sc, "transfer_model": "general"}))
    assert review(general) == []


def test_the_targeted_model_on_kz_is_flagged():
    res = run(load_dataset(KZ), load_scenario(SC / "targeted.yaml")[0])
    deficits = [f for f in review(res) if f["kind"] == "plan_deficit" and f["year"] == 2026]
    assert sum(f["budgets"] for f in deficits) == int((res.plan.balance[res.hierarchy.b_level > 0, 0] <= -5e-6).sum()) > 2000
    assert any(f["kind"] == "basic_needs_unfunded" and f["amount"] > 1e9 for f in review(res))  # over a trillion tenge


@pytest.mark.parametrize("lang,word", [("kk", "жасырын алып қою"), ("ru", "скрытое изъятие"), ("en", "hidden withdrawal")])
def test_the_scorecard_page_shows_the_four_options_in_three_languages(lang, word):
    from interbudget.web.app import create_app

    client = TestClient(create_app(KZ, SC))
    page = client.get(f"/scorecard?lang={lang}")
    assert page.status_code == 200
    text = page.text
    assert word in text and text.count("<blockquote>") >= 7 and 'id="no-district-split"' in text
    for n in ("current-law", "option-2", "option-3", "option-4"):
        assert f"<th>{n}<br>" in text
    api = client.get("/api/scorecard").json()
    assert api["scenarios"] == ["current-law", "option-2", "option-3", "option-4"]
    hw = [r for r in api["rows"] if r["indicator"] == "hidden_withdrawal" and r["code"] == "" and r["scenario"] == "current-law"]
    assert hw and all(r["value"] == 0 for r in hw)
    counts = {(r["scenario"], r["indicator"]): r["value"] for r in api["rows"]
              if r["year"] == 2028 and r["level"] == "region" and r["code"] == ""}
    assert counts["current-law", "subvention_budgets"] == 15 and counts["current-law", "withdrawal_budgets"] == 4
    assert np.isfinite([r["value"] for r in api["rows"]]).all()
