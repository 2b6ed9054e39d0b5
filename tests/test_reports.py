"""Reports: the Excel workbook holds budgets.csv's numbers; the HTML report renders in a real browser with no
console errors; receipts and shares come back from Excel."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from test_errors import run_cli

ROOT = Path(__file__).resolve().parents[1]
KZ = ROOT / "data" / "kz"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    code, text = run_cli("report", KZ, ROOT / "scenarios" / "current-law.yaml", "--out", out, "--stress-draws", 300)
    assert code == 0, text
    code, text = run_cli("simulate", KZ, ROOT / "scenarios" / "current-law.yaml", "--out", out / "run")
    assert code == 0, text
    return out


def test_the_workbook_holds_the_same_numbers_as_budgets_csv(report):
    wb = load_workbook(report / "report.xlsx", read_only=True)
    assert wb.sheetnames[0] == "Transfers (law layout)"
    sheet = list(wb["Budgets"].iter_rows(values_only=True))
    header, rows = sheet[0], sheet[1:]
    with (report / "run" / "budgets.csv").open(encoding="utf-8") as fh:
        expected = list(csv.DictReader(fh))
    assert list(header) == list(expected[0].keys()) and len(rows) == len(expected)
    by_key = {(r[0], r[1], r[2]): r for r in rows}
    for e in expected:
        got = by_key[e["track"], e["code"], int(e["year"])]
        for j, col in enumerate(header[4:], start=4):
            assert got[j] == pytest.approx(float(e[col]), rel=1e-14, abs=1e-9), (e["code"], col)  # Excel keeps 15 digits
    law = {(r[1], r[2]): r for r in wb["Transfers (law layout)"].iter_rows(min_row=2, values_only=True)}
    assert law["430000000", 2026][3] == pytest.approx(501986476)  # Kyzylorda's subvention in the law
    assert "Scenario" in wb.sheetnames and "Input files" in wb.sheetnames and "Receipts by region" in wb.sheetnames


def test_the_html_report_renders_without_console_errors(report, tmp_path):
    from browser import chromium

    errors: list[str] = []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 2000})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((report / "report.html").as_uri())
        page.wait_for_selector(".js-plotly-plot .main-svg")
        page.wait_for_timeout(1000)
        plots = page.locator(".js-plotly-plot").count()
        maps = page.locator("#map-regions .choroplethlocation").count()
        page.screenshot(path=str(tmp_path / "report.png"))
    assert errors == []
    assert plots == 5 and maps == 20  # transfers, capacity, two maps, stress; a shape for every region
    assert (tmp_path / "report.png").stat().st_size > 10_000
    assert "CC BY 4.0" in (report / "report.html").read_text(encoding="utf-8")


def test_receipts_and_shares_come_back_from_excel(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Receipts"
    ws.append(["code", "year", "tax", "payer", "amount"])
    ws.append(["110000000", 2026, "iit_source", "regional", 1234.5])
    sh = wb.create_sheet("Shares")
    sh.append(["tax", "region", "district", "rural"])
    sh.append(["iit_source", 0.4, 0.6, None])
    wb.save(tmp_path / "in.xlsx")
    code, out = run_cli("import-excel", tmp_path / "in.xlsx", "--out", tmp_path / "o")
    assert code == 0 and "1 receipt rows" in out
    assert (tmp_path / "o" / "receipts.csv").read_text().splitlines() == ["code,year,tax,payer,amount",
                                                                          "110000000,2026,iit_source,regional,1234.5"]
    assert "iit_source:\n    region: 0.4\n    district: 0.6" in (tmp_path / "o" / "sharing.yaml").read_text()


def test_bad_cells_in_excel_name_sheet_row_and_column(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Receipts"
    ws.append(["code", "year", "tax", "payer", "amount"])
    ws.append(["110000000", 2026, "iit_source", "regional", "lots"])
    sh = wb.create_sheet("Shares")
    sh.append(["tax", "region", "district", "rural"])
    sh.append(["iit_source", 1.4, None, None])
    wb.save(tmp_path / "bad.xlsx")
    code, out = run_cli("import-excel", tmp_path / "bad.xlsx", "--out", tmp_path / "o")
    assert code == 2
    assert "bad.xlsx [Receipts], row 2, column 'amount': 'lots' is not a number" in out
    assert "bad.xlsx [Shares], row 2, column 'region': share '1.4' is not in [0, 1]" in out
    (tmp_path / "not.xlsx").write_text("hello")
    code, out = run_cli("import-excel", tmp_path / "not.xlsx", "--out", tmp_path / "o")
    assert code == 2 and "not an Excel workbook" in out
