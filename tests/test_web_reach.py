"""No dead ends (issue 19, item 4): every unit of data/kz is reached from the dashboard within four clicks (links of
the rendered pages, followed in-process) or one search; breadcrumbs on unit pages; a leaf budget opens its own page;
the cities' districts say they have no budgets and link to the city's budget; no empty table without a sentence."""
import csv
import re
from collections import deque
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from interbudget.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
KZ = ROOT / "data" / "kz"
UNITS = {r["code"]: r for r in csv.DictReader((KZ / "units.csv").open(encoding="utf-8"))}
HREF = re.compile(r'href="([^"]+)"')


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(KZ, ROOT / "scenarios"))


def unit_of(url: str) -> str | None:
    """The unit a link opens: /budget/CODE or the dashboard's ?parent=CODE."""
    parts = urlsplit(url)
    if parts.path.startswith("/budget/"):
        return parts.path.split("/")[2]
    if parts.path == "/":
        return (parse_qs(parts.query).get("parent") or [None])[0]
    return None


def walk(client, start: str, depth: int) -> dict[str, int]:
    """Breadth-first over the links to unit pages from START: unit code -> clicks to reach its page. The pages of
    the budgets below a unit (the dashboard's ?parent=) are opened and their links followed; a budget's own page is
    counted where a link to it appears (the budget pages are checked on their own below: 2,600 explanations would
    make this test minutes long)."""
    seen_url, reached = {start}, {}
    queue = deque([(start, 0)])
    while queue:
        url, d = queue.popleft()
        code = unit_of(url)
        if code is not None:
            reached.setdefault(code, d)
        if urlsplit(url).path != "/" or d == depth:
            continue
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        for href in HREF.findall(r.text):
            href = unescape(href)
            if unit_of(href) is None or href in seen_url:
                continue
            if "year=" in href and "year=2026" not in href:  # other years show the same units
                continue
            seen_url.add(href)
            queue.append((href, d + 1))
    return reached


def test_every_unit_is_within_four_clicks_of_the_dashboard(client):
    reached = walk(client, "/?scenario=current-law&year=2026&lang=en", 4)
    missing = sorted(set(UNITS) - set(reached))
    assert not missing, f"{len(missing)} units not reached, e.g. {missing[:5]}"
    assert reached["000000000"] <= 1 and max(reached.values()) <= 4


def test_every_unit_is_one_search_away(client):
    """Every unit's code finds it first, by the index (all of them) and through /api/search (every tenth)."""
    from interbudget.dataset import load_dataset
    from interbudget.web.search import SearchIndex, result_rows

    ix = SearchIndex(load_dataset(KZ).hierarchy)
    for i, code in enumerate(UNITS):
        hits = result_rows(ix.h, ix.find(code), "en") if i % 10 else client.get("/api/search", params={"q": code}).json()["results"]
        assert hits and hits[0]["code"] == code and unit_of(hits[0]["url"]) == code


def test_a_rural_okrug_opens_its_own_page_with_breadcrumbs(client):
    okrug = next(c for c, r in UNITS.items() if r["level"] == "rural" and r["has_budget"] == "true")
    r = client.get(f"/?scenario=current-law&year=2026&parent={okrug}&lang=ru")
    assert r.status_code == 200 and urlsplit(str(r.url)).path == f"/budget/{okrug}" and 'id="explanation"' in r.text
    crumbs = re.search(r'<ol id="breadcrumbs">(.*?)</ol>', r.text, re.DOTALL).group(1)
    district = UNITS[okrug]["parent"]
    region = UNITS[district]["parent"]
    assert crumbs.count("<li>") == 4 and UNITS[region]["name_ru"] in crumbs and UNITS[district]["name_ru"] in crumbs
    assert f"parent={region}" in crumbs and 'aria-current="page"' in crumbs


@pytest.mark.parametrize("city", ["710000000", "750000000", "790000000"])
@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_a_citys_districts_say_they_have_no_budgets_and_link_to_the_city(client, city, lang):
    r = client.get(f"/?scenario=current-law&year=2026&parent={city}&lang={lang}")
    assert r.status_code == 200 and 'id="dead-end"' in r.text and 'id="budgets"' not in r.text
    assert f'href="/budget/{city}?' in r.text
    districts = [c for c, u in UNITS.items() if u["parent"] == city]
    assert districts and all(f"parent={d}" in r.text for d in districts)
    d = client.get(f"/?scenario=current-law&year=2026&parent={districts[0]}&lang={lang}")
    assert d.status_code == 200 and 'id="dead-end"' in d.text and f'href="/budget/{city}?' in d.text


def test_no_page_of_a_unit_shows_an_empty_table_without_a_sentence(client):
    """Every kind of unit: the regions, a district, a city, a unit without a budget, a rural okrug."""
    kinds = {"000000000", "430000000", "431010000", "750000000", "711110000", "101010000"}
    for code in kinds:
        r = client.get(f"/?scenario=current-law&year=2026&parent={code}")
        assert r.status_code == 200
        for body in re.findall(r"<tbody>(.*?)</tbody>", r.text, re.DOTALL):
            assert "<tr" in body, code  # a row (plain or with attributes), not an empty body
        if 'id="budgets"' not in r.text:
            assert 'id="dead-end"' in r.text or 'id="none"' in r.text, code
