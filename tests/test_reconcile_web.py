"""The reconciliation in the web (a page in kk/ru/en, the JSON API) and in the Excel report."""
from __future__ import annotations

import shutil

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from interbudget.cli import app as cli_app
from interbudget.web.app import create_app
from test_reconcile import setup


@pytest.fixture
def served(tmp_path):
    ds, sc, pub = setup(tmp_path)
    shutil.copy(pub, ds / "published.csv")
    scen = tmp_path / "scenarios"
    scen.mkdir()
    shutil.move(sc, scen / "law.yaml")
    return TestClient(create_app(ds, scen)), ds, scen


def test_api_gives_both_sides_and_the_summary(served):
    client, _ds, _scen = served
    d = client.get("/api/reconcile?scenario=law").json()
    (s,) = d["years"]
    assert s["compared"] == 3 and s["same_status"] == 2 and s["mean_abs_difference"] == pytest.approx(20.0)
    r1 = next(r for r in d["regions"] if r["code"] == "R1")
    assert r1["modelled_subvention"] == 200.0 and r1["published_subvention"] == 250.0 and r1["difference"] == -50.0
    assert s["missing_in_published"] == ["R4"] and d["missing_in_model"] == [2025] and d["sources"] == ["law"]
    r4 = next(r for r in d["rows"] if r["code"] == "R4")
    assert r4["published"] is None and r4["modelled"] == 50.0


@pytest.mark.parametrize("lang,words", [("kk", ["Есептелген және жарияланған", "субвенциялық", "салыстыру"]),
                                        ("ru", ["Расчётные и опубликованные", "субвенционный", "сверка"]),
                                        ("en", ["Modelled and published", "subvention", "reconciliation"])])
def test_the_page_speaks_three_languages(served, lang, words):
    client, _ds, _scen = served
    page = client.get(f"/reconcile?scenario=law&lang={lang}")
    assert page.status_code == 200 and 'id="reconcile-2024"' in page.text and "R4" in page.text
    for w in words:
        assert w in page.text
    assert '/reconcile?lang=' in client.get(f"/?lang={lang}").text  # reached from the navigation


def test_without_published_file_the_page_says_so(served):
    client, ds, _scen = served
    (ds / "published.csv").unlink()
    r = client.get("/api/reconcile?scenario=law")
    assert r.status_code == 404 and "published.csv" in r.text


def test_excel_report_has_the_reconciliation_sheet(served, tmp_path):
    client, ds, scen = served
    body = client.get("/download/law/report.xlsx?lang=ru").content
    (tmp_path / "web.xlsx").write_bytes(body)
    ws = load_workbook(tmp_path / "web.xlsx", read_only=True)["Сверка"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "регион" and rows[0][9] == "расхождение (расчёт − опубликовано)"
    r1 = next(r for r in rows if r[1] == "R1")
    assert r1[3] == 200.0 and r1[5] == 250.0 and r1[9] == -50.0 and r1[10] == "субвенционный"
    assert any(r[1] == "R4" for r in rows) and any(r[1] == "2025" for r in rows)
    res = CliRunner().invoke(cli_app, ["report", str(ds), str(scen / "law.yaml"), "--out", str(tmp_path / "rep"),
                                       "--stress-draws", "0", "--published", str(ds / "published.csv")])
    assert res.exit_code == 0, res.output
    assert "Reconciliation" in load_workbook(tmp_path / "rep" / "report.xlsx", read_only=True).sheetnames
    res = CliRunner().invoke(cli_app, ["report", str(ds), str(scen / "law.yaml"), "--out", str(tmp_path / "rep2"),
                                       "--stress-draws", "0"])
    assert "Reconciliation" not in load_workbook(tmp_path / "rep2" / "report.xlsx", read_only=True).sheetnames
