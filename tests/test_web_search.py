"""Search by name (kk/ru/en, partial, case-insensitive, Kazakh letters folded) or KATO code (issue 19, item 4):
the index against a plain scan of units.csv, hand-checked examples, the page and the JSON."""
import csv
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings, strategies as st

from interbudget.dataset import load_dataset
from interbudget.web.app import create_app
from interbudget.web.search import MAX_RESULTS, SearchIndex, fold

ROOT = Path(__file__).resolve().parents[1]
KZ = ROOT / "data" / "kz"
UNITS = list(csv.DictReader((KZ / "units.csv").open(encoding="utf-8")))


@pytest.fixture(scope="module")
def index():
    return SearchIndex(load_dataset(KZ).hierarchy)


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(KZ, ROOT / "scenarios"))


def codes(ix, q):
    return [str(ix.h.codes[u]) for u in ix.find(q)]


def test_fold_is_lowercase_and_folds_kazakh_letters():
    assert fold("Жаңаөзен") == fold("ЖАНАОЗЕН") == "жанаозен"
    assert fold("Raion Zhanasemei [translit.]") == "raion zhanasemei"
    assert fold("«Қызылорда»  облысы") == "кызылорда облысы" and fold("Semey-Kurchatov") == "semey kurchatov"


@pytest.mark.parametrize("q,code", [("Жаңаөзен", "471800000"), ("жанаозен", "471800000"), ("zhanaozen", "471800000"),
                                    ("ЖАНАОЗЕН Г.А", "471800000"), ("кызылорд", "430000000"),
                                    ("Kyzylorda region", "430000000"), ("астана қаласы", "710000000"),
                                    ("город шымкент", "790000000"), ("101000000", "101000000")])
def test_hand_checked_examples(index, q, code):
    assert code in codes(index, q)


def test_an_exact_code_comes_first_then_the_codes_below_it(index):
    found = codes(index, "4300")
    assert found and all(c.startswith("4300") for c in found)
    found = codes(index, "430000000")
    assert found[0] == "430000000"
    assert codes(index, "71")[0].startswith("71")


def test_a_name_starting_with_the_query_ranks_before_one_containing_it(index):
    found = codes(index, "алматы")
    assert found.index("750000000") < 5 and found.index("190000000") < 5  # the city and the region first (by level)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(UNITS), st.integers(0, 2), st.integers(0, 6), st.integers(2, 8), st.booleans())
def test_every_part_of_every_name_finds_its_unit(index, row, lg, start, length, upper):
    """Any piece of any unit's name in any language (any case) finds that unit: the index against units.csv."""
    name = row[("name_kk", "name_ru", "name_en")[lg]].replace(" [translit.]", "")
    piece = name[start:start + length].strip()
    if len(fold(piece)) < 2:
        return
    q = piece.upper() if upper else piece.lower()
    assert row["code"] in codes(index, q)


def test_the_api_gives_code_names_level_parent_and_url(client):
    r = client.get("/api/search", params={"q": "Жанаозен"}).json()
    hit = next(x for x in r["results"] if x["code"] == "471800000")
    assert hit["names"] == {"kk": "Жаңаөзен", "ru": "Жанаозен Г.А.", "en": "Zhanaozen"} and hit["level"] == "district"
    assert hit["parent"] == "470000000" and hit["url"].startswith("/budget/471800000?") and r["total"] >= 1
    assert client.get(hit["url"]).status_code == 200
    many = client.get("/api/search", params={"q": "а"}).json()
    assert many["total"] > MAX_RESULTS and len(many["results"]) == MAX_RESULTS == many["shown"]
    assert client.get("/api/search", params={"q": "x" * 101}).status_code == 422
    assert client.get("/api/search", params={"q": ""}).json()["total"] == 0


def test_a_district_of_a_city_links_to_the_page_that_says_it_has_no_budget(client):
    r = client.get("/api/search", params={"q": "711110000"}).json()["results"][0]
    assert r["code"] == "711110000" and not r["has_budget"] and r["url"].startswith("/?parent=711110000")
    page = client.get(r["url"])
    assert page.status_code == 200 and 'id="dead-end"' in page.text and "/budget/710000000?" in page.text


@pytest.mark.parametrize("lang,word", [("kk", "табылған"), ("ru", "найдено"), ("en", "unit(s)")])
def test_the_page_lists_links_to_the_units_pages(client, lang, word):
    page = client.get("/search", params={"q": "Кызылорд", "lang": lang})
    assert page.status_code == 200 and word in page.text and 'href="/budget/430000000?lang=' + lang in page.text
    none = client.get("/search", params={"q": "qqqzzz", "lang": lang})
    assert none.status_code == 200 and 'id="search-results"' not in none.text and 'id="search-message"' in none.text


def test_every_page_has_the_search_box(client):
    for path in ("/", "/budget/430000000", "/compare", "/search"):
        assert 'action="/search"' in client.get(path).text, path
