"""The whole workflow in Debian's Chromium (Playwright) against `interbudget serve` on a DuckDB store: an analyst
logs in, makes a draft, sees a field's validation message, saves and runs it, compares it with current law and
shares it; the akimat drills down to a district's explanation and files an objection with an attachment; the
commission resolves it; the page switches to Kazakh; the Excel report downloads. Screenshots in
test-artifacts/web-workflow/."""
import subprocess
import sys

import pytest

from interbudget.web.launch import served
from test_web import EXAMPLE, ROOT, SCEN

SHOTS = ROOT / "test-artifacts" / "web-workflow"
PASSWORD = "e2e password 123"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store = tmp_path_factory.mktemp("e2e") / "workbench.duckdb"
    with served(EXAMPLE, SCEN, store) as url:  # first start: imports the scenarios, so a region code is known
        import httpx

        region = httpx.get(f"{url}/api/scenarios/current-law/budgets").json()["budgets"][0]["code"]
    for user, role, extra in [("ana", "analyst", []), ("com", "commission", []), ("aki", "akimat", ["--region", region])]:
        r = subprocess.run([sys.executable, "-m", "interbudget", "users", "add", user, "--role", role, *extra,
                            "--password-stdin", "--store", str(store)], input=PASSWORD + "\n", capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
    with served(EXAMPLE, SCEN, store) as url:
        yield url, region


def test_the_workflow_in_chromium(site):
    from playwright.sync_api import expect

    from browser import chromium, login as browser_login, logout as browser_logout

    url, region = site
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with chromium() as browser:
        ctx = browser.new_context(viewport={"width": 1280, "height": 1400}, accept_downloads=True)
        page = ctx.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))

        def login(user):
            browser_login(page, url, user, PASSWORD)

        def logout():
            browser_logout(page)

        # the analyst: a draft, a validation message, a saved version, a run, a comparison, sharing
        login("ana")
        page.click("#nav-scenarios")
        page.fill("#new-scenario input[name=name]", "e2e-draft")
        page.select_option("#new-scenario select[name=base]", "current-law")
        page.click("#create")
        page.wait_for_url("**/scenarios/e2e-draft/edit*")
        page.fill("input[name=withdrawal_rate]", "abc")
        page.click("#save")
        expect(page.locator("#error-withdrawal_rate")).to_contain_text("'abc' is not a number")
        page.screenshot(path=str(SHOTS / "1-validation-error.png"), full_page=True)
        page.fill("input[name=withdrawal_rate]", "0.8")
        page.select_option("select[name=option]", "2")
        page.click("#save-run")
        page.wait_for_url("**/runs/*")
        expect(page.locator("#status")).to_have_text("done", timeout=30_000)
        assert page.locator("#progress").get_attribute("value") in ("1", "1.0")
        page.screenshot(path=str(SHOTS / "2-run-done.png"))
        page.click("#compare-law")
        page.wait_for_selector("#regions")
        assert "e2e-draft" in page.locator("h1").inner_text()
        assert page.locator("#regions tbody tr").count() > 0
        page.screenshot(path=str(SHOTS / "3-compare.png"), full_page=True)
        page.goto(f"{url}/scenarios/e2e-draft/edit?lang=en")
        page.select_option("#share select[name=region]", region)
        page.click("#share-submit")
        expect(page.locator("#shared-with")).to_have_text(region)
        logout()

        # the public does not see the draft
        page.goto(f"{url}/?scenario=e2e-draft")
        assert "unknown scenario" in page.content()

        # the akimat: its region in the shared draft, down to a district's explanation, an objection with an attachment
        login("aki")
        page.goto(f"{url}/?scenario=e2e-draft&lang=en")
        expect(page.locator("#budgets tbody tr")).to_have_count(1)
        page.screenshot(path=str(SHOTS / "4-akimat-dashboard.png"), full_page=True)
        page.locator("#budgets tbody tr td:nth-child(2) a").first.click()
        page.wait_for_url("**parent=*")
        page.locator("#budgets tbody tr td:first-child a").first.click()
        page.wait_for_selector("#explanation")
        assert "district" in page.locator("#explanation").inner_text().lower()
        district = page.locator("h1").inner_text()
        page.fill("#object textarea[name=text]", "The district's 2026 population is 3 % higher (census update attached).")
        page.set_input_files("#object input[name=attachment]", files=[{"name": "population.csv", "mimeType": "text/csv",
                                                                     "buffer": b"code,population\n"}])
        page.screenshot(path=str(SHOTS / "5-district-objection.png"), full_page=True)
        page.click("#file-objection")
        page.wait_for_url("**/objections/*")
        expect(page.locator("#objection-status")).to_have_text("open")
        expect(page.locator("#attachments")).to_contain_text("population.csv")
        objection_url = page.url.split("?")[0]
        logout()

        # the commission resolves it, in Kazakh after the switch
        login("com")
        page.goto(f"{objection_url}?lang=en")
        page.fill("#comment textarea[name=text]", "Accepted: the census figures will be used in the 2027 revision.")
        page.select_option("#decision", "resolved")
        page.click("#send")
        expect(page.locator("#objection-status")).to_have_text("resolved")
        page.locator("nav a.lang", has_text="kk").click()
        page.wait_for_url("**lang=kk*")
        expect(page.locator("#objection-status")).to_have_text("қанағаттандырылды")
        page.screenshot(path=str(SHOTS / "6-resolved-kk.png"), full_page=True)
        page.goto(f"{url}/?lang=kk")
        with page.expect_download() as dl:
            page.locator("#xlsx").click()
        dl.value.save_as(SHOTS / "report.xlsx")
        page.screenshot(path=str(SHOTS / "7-dashboard-map-kk.png"), full_page=True)
        assert page.locator("#map path.unit").count() > 0 or not (EXAMPLE / "geo").is_dir()
        logout()
    assert errors == []
    assert district
    assert (SHOTS / "report.xlsx").read_bytes()[:2] == b"PK"


def test_a_citizen_drills_down_on_the_map(tmp_path):
    """data/kz in Chromium without logging in: click Kyzylorda on the regions' map, get its districts' map and table."""
    from browser import chromium

    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with served(ROOT / "data" / "kz", ROOT / "scenarios", tmp_path / "kz.duckdb") as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 1400})
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{url}/?lang=ru")
        assert page.locator("#map path.unit").count() == 20
        page.screenshot(path=str(SHOTS / "8-map-regions-ru.png"))
        page.locator('#map path.unit[data-code="430000000"]').click()
        page.wait_for_url("**parent=430000000*")
        districts = page.locator("#map path.unit").count()
        rows = page.locator("#budgets tbody tr").count()
        page.screenshot(path=str(SHOTS / "9-map-kyzylorda-ru.png"))
    assert errors == [] and districts >= 8 and rows >= districts
