"""The reader's language (issue 19, item 5): ?lang= > cookie > Accept-Language (q-values) > English; the choice
is remembered in a cookie; <html lang> names the page's language."""
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, strategies as st

from interbudget.web.app import create_app
from interbudget.web.language import COOKIE, accepted, choose, cookie_lang

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "example"


@pytest.fixture(scope="module")
def app():
    return create_app(EXAMPLE, EXAMPLE / "scenarios", ROOT / "registry" / "kz")


def html_lang(text: str) -> str:
    return re.search(r'<html lang="([a-z]+)"', text).group(1)


@pytest.mark.parametrize("header,lang", [
    ("kk", "kk"), ("kk-KZ,kk;q=0.9,ru;q=0.8", "kk"), ("ru-RU,ru;q=0.9,kk;q=0.95", "ru"),
    ("ru-RU;q=0.8,ru;q=0.9,kk;q=0.95", "kk"), ("de,ru;q=0.5", "ru"),
    ("en-US,en;q=0.9", "en"), ("kk;q=0,ru;q=0.1", "ru"), ("de,fr", None), ("", None), (None, None),
    ("ru;q=abc,en;q=0.2", "en"), ("RU", "ru"), ("ru;q=0.5,kk;q=0.5", "ru")])
def test_accept_language_is_read_with_its_weights(header, lang):
    assert accepted(header) == lang


def test_the_order_of_choice():
    assert choose("en", f"{COOKIE}=ru", "kk") == "en"
    assert choose(None, f"a=b; {COOKIE}=ru", "kk") == "ru"
    assert choose(None, f"{COOKIE}=xx", "kk;q=0.3") == "kk"
    assert choose(None, None, "de") is None  # the route's default, English
    assert choose(None, None, "kk", "https://x/?a=1&lang=ru") == "ru" and choose(None, f"{COOKIE}=en", "kk", "/?lang=ru") == "en"
    assert cookie_lang(f"{COOKIE}=kk") == "kk" and cookie_lang("other=kk") is None


@given(st.text(max_size=60))
def test_any_header_gives_a_served_language_or_none(header):
    assert accepted(header) in ("kk", "ru", "en", None)


def test_a_kazakh_browser_gets_the_kazakh_dashboard_without_a_cookie(app):
    c = TestClient(app)
    r = c.get("/", headers={"Accept-Language": "kk-KZ,kk;q=0.9,en;q=0.5"})
    assert r.status_code == 200 and html_lang(r.text) == "kk" and "қажеттіліктер" in r.text
    assert COOKIE not in r.headers.get("set-cookie", "") and "Accept-Language" in r.headers["vary"]
    assert html_lang(c.get("/", headers={"Accept-Language": "ru"}).text) == "ru"
    assert html_lang(c.get("/").text) == "en"  # nothing asked: English


def test_the_choice_persists_across_pages(app):
    c = TestClient(app)
    r = c.get("/?lang=ru", headers={"Accept-Language": "kk"})
    assert html_lang(r.text) == "ru" and f"{COOKIE}=ru" in r.headers["set-cookie"]
    for path in ("/", "/compare", "/scorecard", "/functions", "/search?q=a", "/login"):
        page = c.get(path, headers={"Accept-Language": "kk"})  # the remembered choice beats the browser's
        assert page.status_code == 200 and html_lang(page.text) == "ru", path
    c.get("/?lang=kk")
    assert html_lang(c.get("/compare").text) == "kk"


def test_a_wrong_language_is_a_clear_404_and_not_remembered(app):
    c = TestClient(app)
    r = c.get("/?lang=de")
    assert r.status_code == 404 and "kk, ru or en" in r.text and COOKIE not in r.headers.get("set-cookie", "")


def test_the_api_keeps_its_documented_default(app):
    c = TestClient(app)
    c.get("/?lang=kk")
    a = c.get("/api/scenarios/current-law/budgets", headers={"Accept-Language": "kk"}).json()
    b = c.get("/api/scenarios/current-law/budgets?lang=en").json()
    assert a == b
