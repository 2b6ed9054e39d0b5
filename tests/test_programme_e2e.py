"""Chromium (Debian's, via Playwright) against `interbudget serve`: the Commission marks a measure of the programme
done with its evidence; the public page then shows it done, with the evidence and the audit trail. Screenshots in
test-artifacts/programme/."""
import subprocess
import sys

import pytest

from interbudget.web.launch import served
from test_web import EXAMPLE, ROOT, SCEN

SHOTS = ROOT / "test-artifacts" / "programme"
PASSWORD = "e2e programme 123"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store = tmp_path_factory.mktemp("e2e-programme") / "workbench.duckdb"
    r = subprocess.run([sys.executable, "-m", "interbudget", "users", "add", "com", "--role", "commission", "--password-stdin",
                        "--store", str(store)], input=PASSWORD + "\n", capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    with served(EXAMPLE, SCEN, store, wait_s=120) as url:  # a loaded shared machine can take long to start it
        yield url


def test_the_commission_marks_a_measure_done_and_the_public_page_shows_it(site):
    from playwright.sync_api import expect

    from browser import chromium

    url = site
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    evidence = "Law of the Republic of Kazakhstan (e2e test evidence)"
    with chromium() as browser:
        page = browser.new_context(viewport={"width": 1280, "height": 1400}).new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{url}/programme?lang=en")
        expect(page.locator("#measures-draft_bills .status")).to_have_text("late")
        page.wait_for_selector("#chart-timeline .main-svg")  # plotly drew the chart from the bundled script
        page.goto(f"{url}/login?lang=en")
        page.fill("input[name=username]", "com")
        page.fill("input[name=password]", PASSWORD)
        page.click("#login-submit")
        expect(page.locator("#who")).to_contain_text("com")
        page.click("#nav-programme")
        page.click("#measures-draft_bills a")
        page.wait_for_url("**/programme/measures/draft_bills*")
        page.select_option("#new-status", "done")
        page.fill("#new-evidence", evidence)
        page.fill("#new-reference", "adilet.zan.kz (test)")
        page.click("#save-status")
        expect(page.locator("#measure-status")).to_have_text("done")
        expect(page.locator("#trail")).to_contain_text(evidence)
        page.screenshot(path=str(SHOTS / "1-commission-marks-done.png"), full_page=True)
        page.click("#logout")
        expect(page.locator("#login")).to_be_visible()
        page.goto(f"{url}/programme?lang=en")
        row = page.locator("#measures-draft_bills")
        expect(row.locator(".status")).to_have_text("done")
        expect(row.locator(".evidence")).to_contain_text(evidence)
        expect(row.locator(".trail")).to_contain_text("com")
        page.screenshot(path=str(SHOTS / "2-public-page.png"), full_page=True)
        page.goto(f"{url}/programme?lang=kk")
        expect(page.locator("#measures-draft_bills .status")).to_have_text("орындалды")
    assert not errors, errors
