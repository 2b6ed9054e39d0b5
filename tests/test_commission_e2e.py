"""The Commission's workflow in Debian's Chromium (Playwright) against `interbudget serve` on a DuckDB store: an
akimat submits a proposal, the Commission comments on its sector and accepts it, the new registry state appears
with its priced effect, and the public sees it only after publication. Screenshots in test-artifacts/commission/."""
import subprocess
import sys

import pytest

from interbudget.web.launch import served
from test_commission import SCHOOLS
from test_web import EXAMPLE, ROOT, SCEN

SHOTS = ROOT / "test-artifacts" / "commission"
PASSWORD = "e2e password 123"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store = tmp_path_factory.mktemp("e2e-commission") / "workbench.duckdb"
    with served(EXAMPLE, SCEN, store) as url:
        import httpx

        region = httpx.get(f"{url}/api/scenarios/current-law/budgets").json()["budgets"][0]["code"]
    for user, role, extra in [("com", "commission", []), ("aki", "akimat", ["--region", region])]:
        r = subprocess.run([sys.executable, "-m", "interbudget", "users", "add", user, "--role", role, *extra,
                            "--password-stdin", "--store", str(store)], input=PASSWORD + "\n", capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
    with served(EXAMPLE, SCEN, store) as url:
        yield url


def test_a_proposal_through_the_commission_in_chromium(site):
    from playwright.sync_api import expect

    from browser import chromium, login as browser_login, logout as browser_logout

    url = site
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with chromium() as browser:
        page = browser.new_context(viewport={"width": 1280, "height": 1400}).new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))

        def login(user):
            browser_login(page, url, user, PASSWORD)

        def logout():
            browser_logout(page)

        # a body submits
        login("aki")
        page.click("#nav-commission")
        page.fill("#submit-proposal input[name=title]", "Schools to the oblasts")
        page.select_option("#submit-proposal select[name=body]", "district_akimat")
        page.fill("#submit-proposal textarea[name=document]", SCHOOLS)
        page.click("#submit")
        page.wait_for_url("**/commission/*")
        expect(page.locator("#proposal-status")).to_have_text("under review")
        pid = page.url.split("/commission/")[1].split("?")[0]
        page.screenshot(path=str(SHOTS / "1-submitted.png"), full_page=True)
        logout()
        # the public does not see it yet
        assert page.goto(f"{url}/commission/{pid}?lang=en").status == 404
        # the Commission reviews the sector and accepts
        login("com")
        page.goto(f"{url}/commission/{pid}?lang=en")
        expect(page.locator("#sector-04")).to_contain_text("Education")
        page.select_option("#review-sector", "04")
        page.fill("#review textarea[name=text]", "education sector: the oblasts can run the schools")
        page.click("#add-comment")
        expect(page.locator("#sector-04 .comments")).to_contain_text("the oblasts can run the schools")
        page.select_option("#decision-kind", "accepted")
        page.fill("#decide textarea[name=reasons]", "§3.2: one level finances and runs the function")
        page.click("#decide-submit")
        expect(page.locator("#proposal-status")).to_have_text("accepted", timeout=60_000)
        expect(page.locator("#new-state")).to_contain_text(f"commission-{pid}")
        expect(page.locator("#state-diff")).to_contain_text("general secondary education")
        assert page.locator("#effect tbody tr").count() > 0
        page.screenshot(path=str(SHOTS / "2-accepted.png"), full_page=True)
        logout()
        assert page.goto(f"{url}/commission/{pid}?lang=en").status == 404  # decided, not yet published
        login("com")
        page.goto(f"{url}/commission/{pid}?lang=en")
        page.click("#publish-submit")
        expect(page.locator("#published")).to_be_visible()
        logout()
        # the public sees the decision, the new state and its effect, in Kazakh too
        assert page.goto(f"{url}/commission/{pid}?lang=kk").status == 200
        expect(page.locator("#new-state")).to_contain_text(f"commission-{pid}")
        assert page.locator("#effect tbody tr").count() > 0
        page.goto(f"{url}/commission?lang=en")
        expect(page.locator("#states")).to_contain_text(f"commission-{pid}")
        page.screenshot(path=str(SHOTS / "3-public.png"), full_page=True)
    assert not errors, errors
