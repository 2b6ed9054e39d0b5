"""Chromium (Debian's, via Playwright) against `interbudget serve` on data/kz: the dashboard's charts and map, the map
by keyboard (Tab to an area, Enter opens it), one legend on every drill level, a budget's charts, the report and the
scorecard as pages of the workbench — drawn by the plotly bundle the app serves, without a console error.
Screenshots in test-artifacts/pictures/."""
import pytest

from interbudget.web.launch import served
from test_web import ROOT

KZ = ROOT / "data" / "kz"
SHOTS = ROOT / "test-artifacts" / "pictures"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store = tmp_path_factory.mktemp("e2e-pictures") / "workbench.duckdb"
    with served(KZ, ROOT / "scenarios", store, wait_s=180) as url:
        yield url


def test_pictures_render_in_chromium_and_the_map_works_by_keyboard(site):
    from playwright.sync_api import expect

    from browser import chromium

    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with chromium() as browser:
        page = browser.new_context(viewport={"width": 1366, "height": 1400}).new_page()
        page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
        # the browser's own request for /favicon.ico is no error of a page (the site has no icon)
        page.on("console", lambda m: errors.append(f"{page.url}: {m.text} {m.location.get('url', '')}")
                if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico") else None)
        page.goto(f"{site}/?scenario=current-law&year=2026&lang=ru")
        page.wait_for_selector("#chart-net-per-person .main-svg")
        expect(page.locator("#headline-figures tbody tr")).to_have_count(3)
        expect(page.locator("#map path.unit")).to_have_count(20)
        regions_legend = page.locator("#map-legend").inner_text()
        assert regions_legend.count("\n") == 6 and "доходы" in regions_legend
        page.screenshot(path=str(SHOTS / "1-dashboard-ru.png"), full_page=True)

        # keyboard: from the chooser's button, Tab reaches the first area, named; Enter opens its districts
        page.focus("#map-chooser button")
        page.keyboard.press("Tab")
        name = page.evaluate("document.activeElement.getAttribute('aria-label')")
        assert name and ":" in name and page.evaluate("document.activeElement.closest('#map') !== null")
        page.keyboard.press("Enter")
        page.wait_for_url("**parent=*")
        expect(page.locator("#map path.unit").first).to_be_visible()
        assert page.locator("#map-legend").inner_text() == regions_legend  # one scale on every drill level
        page.screenshot(path=str(SHOTS / "2-districts-ru.png"), full_page=True)

        # the chooser: net transfer per person, then a budget's charts
        page.select_option("#map-show", "net_pp")
        page.wait_for_url("**show=net_pp*")
        assert "получает" in page.locator("#map-legend").inner_text()
        page.goto(f"{site}/budget/430000000?scenario=current-law&year=2026&lang=kk")
        for chart in ("revenue", "needs", "history"):
            page.wait_for_selector(f"#chart-{chart} .main-svg")
        assert "_" not in page.locator("#explanation").inner_text()
        page.screenshot(path=str(SHOTS / "3-budget-kk.png"), full_page=True)

        # the report and the scorecard, pages of the workbench
        page.goto(f"{site}/?lang=en")
        page.click("#link-report")
        page.wait_for_url("**/report?*")
        page.wait_for_selector("#report-transfers .main-svg")
        page.wait_for_selector("#report-map-regions .main-svg", timeout=60_000)
        page.screenshot(path=str(SHOTS / "4-report-en.png"), full_page=True)
        page.goto(f"{site}/?lang=en")
        page.click("#link-scorecard")
        page.wait_for_url("**/scorecard?*")
        expect(page.locator("#scorecard-title")).to_be_visible(timeout=60_000)
        page.screenshot(path=str(SHOTS / "5-scorecard-en.png"), full_page=True)
    assert not errors, errors
