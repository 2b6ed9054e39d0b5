"""Issue 14 in Debian's Chromium (Playwright) against `interbudget serve`: an error page in Kazakh with the site's
navigation; a page that needs a login leads to the login page and back; /docs and /redoc render with every request
beyond the server refused (no network)."""
import subprocess
import sys

import pytest

from interbudget.web.launch import served
from test_web import EXAMPLE, ROOT, SCEN

SHOTS = ROOT / "test-artifacts" / "web-hardening"
PASSWORD = "e2e password 123"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store = tmp_path_factory.mktemp("e2e14") / "workbench.duckdb"
    r = subprocess.run([sys.executable, "-m", "interbudget", "users", "add", "ana", "--role", "analyst", "--password-stdin",
                        "--store", str(store)], input=PASSWORD + "\n", capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    with served(EXAMPLE, SCEN, store, wait_s=120) as url:
        yield url


@pytest.fixture
def browser_page(site):
    from browser import chromium

    SHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        ctx = browser.new_context(viewport={"width": 1280, "height": 1000})
        outside: list[str] = []

        def only_the_server(route):  # the network is off: nothing but the workbench answers
            if route.request.url.startswith(site):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        ctx.route("**/*", only_the_server)
        page = ctx.new_page()
        page.outside = outside
        yield page


def test_an_error_page_in_kazakh_with_navigation(site, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    r = page.goto(f"{site}/budget/999?lang=kk")
    assert r.status == 404
    expect(page.locator("#error-title")).to_contain_text("Табылмады")
    expect(page.locator("#error-hint")).to_contain_text("бюджет жоқ")
    assert page.locator("html").get_attribute("lang") == "kk"
    page.screenshot(path=str(SHOTS / "error-404-kk.png"), full_page=True)
    page.click("#error-nav a[href='/?lang=kk']")  # the navigation leads back to the budgets, still in Kazakh
    expect(page.locator("#budgets")).to_be_visible()
    assert page.url.endswith("/?lang=kk")


def test_a_login_redirect_and_return(site, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{site}/scenarios?lang=ru")
    assert "/login?lang=ru&next=" in page.url
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#who")).to_contain_text("ana")
    assert page.url == f"{site}/scenarios?lang=ru"
    assert page.locator("html").get_attribute("lang") == "ru"
    page.screenshot(path=str(SHOTS / "login-return-ru.png"), full_page=True)


@pytest.mark.parametrize("path,ready", [("/docs", ".swagger-ui .info .title"), ("/redoc", "h1")])
def test_the_api_docs_render_with_the_network_off(site, browser_page, path, ready):
    from playwright.sync_api import expect

    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{site}{path}")
    expect(page.locator(ready).first).to_contain_text("interbudget", timeout=30_000)
    if path == "/docs":
        expect(page.locator(".opblock").first).to_be_visible()  # the operations are listed
        assert page.locator(".opblock").count() > 20
    page.screenshot(path=str(SHOTS / f"{path.strip('/')}-offline.png"))
    assert errors == []
