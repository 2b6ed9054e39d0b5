"""Figures for people (issue 19 item 2): amounts in the unit that reads, locale formatting, full precision on hover,
per-person figures, totals and the republic's row. Hand-checked examples and properties."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, strategies as st

from interbudget.web.app import create_app
from interbudget.web.budget_rows import totals_of
from interbudget.web.common import THIN, fmt_number, per_person, scaled, unit_for
from test_web import ROOT


def test_hand_checked_formats():
    assert scaled(195_243_674.8, "bn", "ru") == "195,2" and scaled(195_243_674.8, "bn", "kk") == "195,2"
    assert scaled(195_243_674.8, "bn", "en") == "195.2"
    assert scaled(2_518_497_563.1, "bn", "ru") == f"2{THIN}518,5"
    assert scaled(42_123.0, "mn", "en") == "42.1"
    assert scaled(-3e-8, "bn", "ru") == "0,0"  # no "-0,0"
    assert scaled(None, "bn", "en") == "—" and fmt_number(float("nan"), "en") == "—"
    assert per_person(264_857_157.0, 602_832, "ru") == f"439{THIN}355"  # thousand tenge -> tenge per person
    assert per_person(1.0, 0, "en") == "—"


def test_the_unit_follows_the_typical_amount():
    assert unit_for([195e6, 300e6, 0.0]) == "bn"  # regions: hundreds of billions
    assert unit_for([2e6, 0.5e6, 1.5e6]) == "bn"
    assert unit_for([40e3, 90e3, 300e3]) == "mn"  # rural okrugs: tens of millions
    assert unit_for([]) == "mn" and unit_for([None, 0.0]) == "mn"


@given(st.floats(min_value=-1e13, max_value=1e13, allow_nan=False), st.sampled_from(["bn", "mn"]), st.sampled_from(["kk", "ru", "en"]))
def test_a_scaled_amount_reads_back_to_within_half_its_last_digit(x, unit, lang):
    text = scaled(x, unit, lang)
    assert "," not in text if lang == "en" else "." not in text
    back = float(text.replace(THIN, "").replace(",", "."))
    assert back == pytest.approx(x / {"bn": 1e6, "mn": 1e3}[unit], abs=0.05 + 1e-9 * abs(x))


def test_totals_take_capacity_from_the_sums():
    rows = [{"population": 10.0, "territory_needs": 100.0, "territory_revenue": 50.0, "needs": 1.0, "revenue": 1.0,
             "subvention": 50.0, "withdrawal": 0.0, "balance": 0.0},
            {"population": 30.0, "territory_needs": 300.0, "territory_revenue": 600.0, "needs": 1.0, "revenue": 1.0,
             "subvention": 0.0, "withdrawal": 150.0, "balance": 0.0}]
    t = totals_of(rows)
    assert t["population"] == 40.0 and t["territory_needs"] == 400.0 and t["subvention"] == 50.0
    assert t["capacity_before"] == pytest.approx(650 / 400) and t["capacity_after"] == pytest.approx(550 / 400)
    assert totals_of([]) is None


@pytest.fixture(scope="module")
def kz():
    return TestClient(create_app(ROOT / "data" / "kz", ROOT / "scenarios"))


def test_the_dashboard_has_units_totals_the_republic_and_per_person(kz):
    rows = kz.get("/api/scenarios/current-law/budgets?year=2026").json()["budgets"]
    page = kz.get("/?scenario=current-law&year=2026&lang=ru").text
    table = page.split('id="budgets"')[1].split("</table>")[0]
    assert table.count("млрд тенге") == 7  # every amount column names its unit
    body, foot = table.split("<tfoot>")
    assert body.split("<tbody>")[1].count("<tr>") == len(rows) == 20
    r = next(x for x in rows if x["code"] == "430000000")
    assert f'data-value="{r["revenue"]}" title="' in body and f">{scaled(r['revenue'], 'bn', 'ru')}</td>" in body
    assert per_person(r["subvention"] - r["withdrawal"], r["population"], "ru") in body
    assert 'id="row-totals"' in foot and 'id="row-republic"' in foot
    total = sum(x["subvention"] for x in rows)
    assert f">{scaled(total, 'bn', 'ru')}</td>" in foot.split('id="row-republic"')[0]
    en = kz.get("/?scenario=current-law&year=2026&lang=en").text
    assert "bn tenge" in en and "Total of the rows shown" in en
    # a district's okrugs read in million tenge
    districts = kz.get("/api/scenarios/current-law/budgets?year=2026&parent=430000000").json()["budgets"]
    rural = next(d["code"] for d in districts if d["level"] == "district")
    okrugs = kz.get(f"/api/scenarios/current-law/budgets?year=2026&parent={rural}").json()["budgets"]
    unit = unit_for([o[k] for o in okrugs for k in ("needs", "revenue", "subvention", "withdrawal", "balance",
                                                    "territory_needs", "territory_revenue")])
    word = {"bn": "млрд тенге", "mn": "млн тенге"}[unit]
    assert word in kz.get(f"/?scenario=current-law&year=2026&lang=ru&parent={rural}").text
    assert 'id="row-republic"' not in kz.get("/?scenario=current-law&year=2026&lang=ru&parent=430000000").text


def test_the_assets_are_served_from_the_package(kz):
    css = kz.get("/static/pico.min.css")
    assert css.status_code == 200 and "Pico CSS" in css.text[:200] and css.headers["content-type"].startswith("text/css")
    assert kz.get("/static/tables.js").status_code == 200
    page = kz.get("/login?lang=kk").text
    assert '<html lang="kk"' in page and 'href="/static/pico.min.css"' in page and "cdn" not in page.lower()
