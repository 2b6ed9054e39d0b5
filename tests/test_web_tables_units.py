"""The scorecard's and the programme's tables read like the workbench's others (web/cells.py): sortable (a thead,
class "sortable" for static/tables.js), money in the unit that reads for its row (bn or mn tenge, named in the row's
unit column in the page's language), the full figure in data-value and on hover; their downloads unchanged."""
from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from interbudget.i18n import LANGUAGES, catalog
from interbudget.web.app import create_app
from interbudget.web.cells import money_unit, td_value, unit_label

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "example"


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(EXAMPLE, EXAMPLE / "scenarios", ROOT / "registry" / "kz"))


def rows_of(page: str, indicator: str) -> list[str]:
    return re.findall(rf'<tr data-indicator="{indicator}">.*?</tr>', page, re.DOTALL)


def cells(row: str) -> list[tuple[str | None, str]]:
    """(data-value, shown text) of each numeric cell of ROW."""
    return [(v or None, html.unescape(t)) for v, t in re.findall(r'<td class="n"(?: data-value="([^"]*)")?[^>]*>(.*?)</td>', row)]


def test_a_cell_shows_its_rows_unit_and_keeps_the_figure():
    assert money_unit([2_500_000.0, 3_000_000.0], "thousand tenge") == "bn" and money_unit([2_500.0], "amount") == "mn"
    assert money_unit([0.5], "share") is None
    cell = td_value(248_310_464.65, "thousand tenge", "bn", "ru")
    assert 'data-value="248310464.65"' in cell and ">248,3<" in cell and "тыс. тенге" in cell
    assert ">2026: 248.3<" in td_value(248_310_464.65, "amount", "bn", "en", "2026: ")
    assert ">12,5\u00a0%<" in td_value(0.125, "share", None, "kk") and ">27<" in td_value(27.0, "budgets", None, "en")
    assert ">0,640<" in td_value(0.63996, "tenge per tenge", None, "ru") and ">—<" in td_value(float("nan"), "ratio", None, "en")
    assert unit_label("thousand tenge", "bn", "kk") == "млрд теңге" and unit_label("budgets", None, "ru") == "бюджетов"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_scorecard_tables_are_sortable_in_the_unit_that_reads(client, lang):
    page = client.get(f"/scorecard?lang={lang}").text
    api = client.get("/api/scorecard").json()
    tables = re.findall(r"<table[^>]*>.*?</table>", page, re.DOTALL)[1:]  # the first is the scenarios' heading row
    assert len(tables) >= 7 and all('class="sortable"' in t and "<thead>" in t and "<tbody>" in t for t in tables)
    names = api["scenarios"]
    full = {(r["scenario"], r["level"], r["year"]): r["value"] for r in api["rows"]
            if r["indicator"] == "subventions" and r["code"] == ""}
    bn = catalog(lang)["design"]["bn_tenge"]
    [first, *_] = rows_of(page, "subventions")
    assert f'<td class="unit">{bn}</td>' in first and " bn<" not in page
    level, year = re.search(r"</th><td>(.*?)</td><td>(\d+)</td>", first).groups()
    level = next(k for k, v in catalog(lang)["levels"].items() if v == level)
    for name, (value, text) in zip(names, cells(first), strict=True):
        expect = full[name, level, int(year)]
        assert float(value) == expect  # the full figure, as the download has it
        assert text == (f"{expect / 1e6:,.1f}".replace(",", "\u202f") if lang == "en"
                        else f"{expect / 1e6:,.1f}".replace(",", "\u202f").replace(".", ","))
    [spread, *_] = rows_of(page, "norm_spread")
    assert all(t.endswith("\u00a0%") for _, t in cells(spread))
    counts = rows_of(page, "subvention_budgets")
    assert counts and all(re.fullmatch(r"\d+", t) for r in counts for _, t in cells(r))


def test_the_scorecard_download_is_unchanged(client):
    from interbudget.analysis.scorecard import scorecard
    from interbudget.analysis.stress import Shocks
    from interbudget.dataset import load_dataset
    from interbudget.engine import run
    from interbudget.scenario import load_scenario

    api = client.get("/api/scorecard?scenario=option-2").json()
    res = run(load_dataset(EXAMPLE), load_scenario(EXAMPLE / "scenarios" / "option-2.yaml")[0])
    rows = list(scorecard(res, "option-2", Shocks(draws=2_000, common_sd=0.0, region_sd=0.0)))
    assert api["rows"] == [{**r, "value": None if r["value"] != r["value"] else r["value"]} for r in rows]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_programme_tables_are_sortable_in_the_unit_that_reads(client, lang):
    page = client.get(f"/programme?lang={lang}&at=2026-12-01").text
    for tid in ("measures", "acts", "registry-indicators", "indicators"):
        table = re.search(rf'<table id="{tid}"[^>]*>.*?</table>', page, re.DOTALL)
        assert table and 'class="sortable"' in table.group(0) and "<thead>" in table.group(0), tid
    ind = client.get("/api/programme").json()
    volumes = [t for t in ind["indicators"]["scenarios"]["current-law"] if t["indicator"] == "withdrawal_volume"]
    assert volumes
    c = catalog(lang)
    words = {c["design"]["bn_tenge"], c["design"]["mn_tenge"]}
    rows = re.findall(r"<tr><td>current-law</td>.*?</tr>", re.search(r'<table id="indicators".*?</table>', page,
                                                                         re.DOTALL).group(0), re.DOTALL)
    name = c["programme"]["indicators_names"]["withdrawal_volume"]
    [row] = [r for r in rows if name in r][:1]
    assert re.search(r'<td class="unit">(.*?)</td>', row).group(1) in words
    (v1, t1), (v2, t2) = cells(row)[:2]
    assert float(v1) == pytest.approx(volumes[0]["first"]) and t1.startswith(f"{volumes[0]['first_year']}: ")
    assert float(v2) == pytest.approx(volumes[0]["last"]) and t2.startswith(f"{volumes[0]['last_year']}: ")
    share = re.search(r'<table id="registry-indicators".*?</table>', page, re.DOTALL).group(0)
    assert re.search(r">\d+[.,]\d\u00a0%<", share)
