"""The web workbench's public slice: pages in three languages, drill-down, explanations equal to the CLI's,
the JSON API against the engine, clear 404s, and a real server started by `interbudget serve`."""
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from interbudget.dataset import load_dataset
from interbudget.engine import run
from interbudget.explain import explain, render
from interbudget.scenario import load_scenario
from interbudget.web.app import create_app
from interbudget.web.launch import served

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "example"
SCEN = EXAMPLE / "scenarios"


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(EXAMPLE, SCEN, ROOT / "registry" / "kz"))


@pytest.fixture(scope="module")
def base():
    return run(load_dataset(EXAMPLE), load_scenario(SCEN / "current-law.yaml")[0], "current-law.yaml")


@pytest.mark.parametrize("lang,word", [("kk", "қажеттіліктер"), ("ru", "потребности"), ("en", "needs")])
def test_the_dashboard_speaks_three_languages(client, lang, word):
    r = client.get(f"/?lang={lang}")
    assert r.status_code == 200 and word in r.text and 'id="budgets"' in r.text


def test_the_api_gives_the_engine_figures_and_drills_down(client, base):
    regions = client.get("/api/scenarios/current-law/budgets?year=2027").json()["budgets"]
    h, k = base.hierarchy, base.years.index(2027)
    assert {r["code"] for r in regions} == set(h.b_codes[h.b_level == 1].tolist())
    for r in regions:
        b = h.b_codes.tolist().index(r["code"])
        assert r["needs"] == pytest.approx(base.needs[b, k]) and r["balance"] == pytest.approx(base.plan.balance[b, k])
        assert r["subvention"] == pytest.approx(base.transfers.subvention[b, k])
    below = client.get(f"/api/scenarios/current-law/budgets?parent={regions[0]['code']}").json()["budgets"]
    assert below and all(r["level"] == "district" for r in below)
    page = client.get(f"/?parent={regions[0]['code']}&lang=ru")
    assert page.status_code == 200 and below[0]["code"] in page.text


def test_a_budget_page_is_the_explanation(client, base):
    code = client.get("/api/scenarios/current-law/budgets").json()["budgets"][0]["code"]
    r = client.get(f"/budget/{code}?scenario=current-law&year=2026&lang=kk")
    ex = explain(base, code, 2026, lang="kk")
    assert r.status_code == 200 and render(ex, "kk").splitlines()[-1] in r.text
    assert client.get(f"/api/scenarios/current-law/budgets/{code}?year=2026&lang=kk").json()["revenue"] == ex["revenue"]


@pytest.mark.parametrize("url,message", [
    ("/api/scenarios/nope/budgets", "unknown scenario 'nope'"),
    ("/api/scenarios/current-law/budgets?year=1990", "year 1990 is not among"),
    ("/api/scenarios/current-law/budgets?parent=123", "unknown unit code '123'"),
    ("/api/scenarios/current-law/budgets?lang=de", "unknown language 'de'"),
    ("/budget/123?scenario=current-law", "unknown unit code '123'"),
])
def test_bad_requests_get_clear_404s(client, url, message):
    r = client.get(url)
    assert r.status_code == 404 and message in r.json()["detail"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`interbudget serve` as a user starts it, on a free port; stopped after the module."""
    with served(EXAMPLE, SCEN, tmp_path_factory.mktemp("store") / "workbench.duckdb") as url:
        yield url


def test_serve_starts_a_real_server(server):
    r = httpx.get(f"{server}/api/scenarios")
    assert r.status_code == 200 and "current-law" in {s["name"] for s in r.json()}
    assert httpx.get(f"{server}/openapi.json").json()["info"]["title"] == "interbudget"


def test_a_citizen_browses_in_chromium(server):
    """Debian's chromium through Playwright: regions -> districts -> a budget's explanation -> Kazakh;
    screenshots in test-artifacts/web/."""
    from browser import chromium

    shots = ROOT / "test-artifacts" / "web"
    shots.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 1400})
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{server}/?lang=en")
        page.screenshot(path=str(shots / "1-regions.png"))
        with page.expect_download() as dl:
            page.locator("#xlsx").click()
        dl.value.save_as(shots / "report.xlsx")
        page.locator("#budgets tbody tr td:nth-child(2) a").first.click()
        page.wait_for_url("**parent=*")
        districts = page.locator("#budgets tbody tr").count()
        page.screenshot(path=str(shots / "2-districts.png"))
        page.locator("#budgets tbody tr td:first-child a").first.click()
        page.wait_for_selector("#explanation")
        explanation = page.locator("#explanation").inner_text()
        page.locator("nav a", has_text="kk").click()
        page.wait_for_url("**lang=kk*")
        kazakh = page.locator("h2").first.inner_text()
        page.screenshot(path=str(shots / "3-budget-kk.png"))
    assert errors == [] and districts > 0
    assert "Balance" in explanation or "balance" in explanation
    assert kazakh == "сандар қалай шыққан"
    assert (shots / "report.xlsx").read_bytes()[:2] == b"PK"  # a real workbook came down


def test_serve_refuses_bad_data_with_a_clear_error(tmp_path):
    r = subprocess.run([sys.executable, "-m", "interbudget", "serve", str(EXAMPLE), "--scenarios", str(tmp_path)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "no scenario" in r.stdout + r.stderr


@pytest.mark.parametrize("lang,word", [("kk", "мемлекеттік функциялар"), ("ru", "государственные функции"), ("en", "state functions")])
def test_the_functions_page_shows_the_registry_and_its_audit(client, lang, word):
    from interbudget.functions.audit import audit
    from interbudget.functions.registry import load_registry

    r = client.get(f"/functions?lang={lang}")
    assert r.status_code == 200 and word in r.text
    data = client.get("/api/functions").json()
    reg = load_registry(ROOT / "registry" / "kz")
    assert len(data["functions"]) == len(reg.functions) and data["audit"] == audit(reg)
    assert r.text.count("<tr>") >= len(reg.functions) + len(data["audit"])


def test_without_a_registry_the_functions_api_says_so():
    bare = TestClient(create_app(EXAMPLE, SCEN))
    r = bare.get("/api/functions")
    assert r.status_code == 404 and "no functions registry" in r.json()["detail"]


def test_compare_current_law_with_a_draft(client):
    data = client.get("/api/compare?base=current-law&draft=option-2&year=2027").json()
    assert len(data["scenarios"]) == 2
    for r in data["regions"]:
        names = [k[len("net_transfer["):-1] for k in r if k.startswith("net_transfer[")]
        assert r[f"change[{names[1]}]"] == pytest.approx(r[f"net_transfer[{names[1]}]"] - r[f"net_transfer[{names[0]}]"])
    page = client.get("/compare?draft=option-2&year=2027&lang=ru")
    assert page.status_code == 200 and "чистый трансферт" in page.text and 'id="transitions"' in page.text
    from interbudget.i18n import fmt_amount

    key = "change[" + data["scenarios"][1] + "]"
    for r in data["regions"]:  # every region's change, in full precision the Russian way, is on the page (on hover)
        assert 'title="' + fmt_amount(round(r[key], 1) + 0.0, "ru") + " тыс. тенге" in page.text
    r = client.get("/api/compare?draft=option-2&year=1990")
    assert r.status_code == 404 and "has no year 1990" in r.json()["detail"]


def test_downloads_are_what_the_cli_writes(client, tmp_path):
    import io

    from openpyxl import load_workbook

    from test_errors import run_cli

    code, _ = run_cli("simulate", EXAMPLE, SCEN / "current-law.yaml", "--out", tmp_path / "run")
    assert code == 0
    r = client.get("/download/current-law/budgets.csv")
    assert r.status_code == 200 and r.content == (tmp_path / "run" / "budgets.csv").read_bytes()
    x = client.get("/download/current-law/report.xlsx?lang=kk")
    assert x.status_code == 200 and len(load_workbook(io.BytesIO(x.content)).sheetnames) > 1
    assert client.get("/download/nope/budgets.csv").status_code == 404
    h = client.get("/download/current-law/report.html")
    assert h.status_code == 200 and h.text.count('<section id="') >= 2 and "Plotly.newPlot" in h.text


def test_the_dashboard_maps_kazakhstan_and_its_capacity_matches_the_metrics():
    """On data/kz: the regions' map links each region to its districts; the table's capacity is the consolidated
    region's (analysis.metrics.region_table)."""
    from interbudget.analysis.metrics import region_table

    kz = TestClient(create_app(ROOT / "data" / "kz", ROOT / "scenarios"))
    page = kz.get("/?scenario=current-law&year=2026")
    assert page.status_code == 200 and page.text.count('<path class="unit"') == 20
    assert 'href="/?scenario=current-law&amp;year=2026&amp;lang=en&amp;parent=430000000"' in page.text
    rows = {r["code"]: r for r in kz.get("/api/scenarios/current-law/budgets?year=2026").json()["budgets"]}
    res = run(load_dataset(ROOT / "data" / "kz"), load_scenario(ROOT / "scenarios" / "current-law.yaml")[0])
    reg = region_table(res, 0)
    for code, before, after in zip(reg["code"].tolist(), reg["capacity_before"], reg["capacity_after"], strict=True):
        assert rows[code]["capacity_before"] == pytest.approx(before) and rows[code]["capacity_after"] == pytest.approx(after)
    districts = kz.get("/?scenario=current-law&year=2026&parent=430000000&lang=ru")
    assert districts.status_code == 200 and districts.text.count('<path class="unit"') >= 5
    # a region's history: the 2026 subvention published in law (transfers_published.csv) beside the computed one
    import csv

    law = next(float(r["amount"]) for r in csv.DictReader((ROOT / "data" / "kz" / "transfers_published.csv").open())
               if r["code"] == "430000000" and r["year"] == "2026")
    page = kz.get("/budget/430000000?scenario=current-law&year=2026&lang=en").text  # the client chose ru above: remembered
    row = page.split('id="history"')[1].split("<td>2026</td>")[1].split("</tr>")[0]
    from interbudget.i18n import fmt_amount

    assert row.count(f'title="{fmt_amount(law)} thousand tenge"') == 3  # in law, under current law, this scenario (on hover)


def test_proposals_are_priced_in_the_browser_as_the_cli_prices_them(client):
    from interbudget.functions.proposals import apply, load_proposal
    from interbudget.functions.registry import load_registry

    names = [p["name"] for p in client.get("/api/proposals").json()]
    assert sorted(names) == sorted(p.stem for p in (ROOT / "registry" / "kz" / "proposals").glob("*.yaml"))
    reg = load_registry(ROOT / "registry" / "kz")
    for name in ("oblast-district", "local-to-central"):  # their functions' needs lines are in data/example
        got = client.get(f"/api/proposals/{name}?scenario=current-law").json()
        want = apply(load_dataset(EXAMPLE), reg, load_proposal(ROOT / "registry" / "kz" / "proposals" / f"{name}.yaml", reg),
                     load_scenario(SCEN / "current-law.yaml")[0])
        assert got["unfunded_mandates"] == len(want["unfunded_mandates"])
        assert [r["change"] for r in got["national_needs"]] == pytest.approx([r["change"] for r in want["national_needs"]], abs=1e-3)
        page = client.get(f"/proposals/{name}?lang=ru")
        assert page.status_code == 200 and "потребности страны" in page.text
    assert client.get("/api/proposals/nope").status_code == 404
    r = client.get("/api/proposals/to-fourth-level?scenario=current-law")  # data/example has no 'transport' line
    assert r.status_code == 422 and "needs line 'transport'" in r.json()["detail"]
    assert 'href="/proposals/central-to-local' in client.get("/functions").text
