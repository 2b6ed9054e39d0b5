"""The workbench as people see it (issue 19 items 1, 2, 6), in Debian's Chromium on data/kz: every main page at
390 px and 1366 px in kk, ru and en, screenshots in test-artifacts/screenshots/; no console error; at 1366 px no
table overflows; axe-core finds no serious or critical WCAG 2.1 AA violation; the tables sort by keyboard.
One server, one browser, many pages."""
from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from browser import ROOT, axe_violations, chromium, describe, login, overflowing, watched, wider_than_the_page
from interbudget.i18n import fmt_amount
from interbudget.web.common import scaled
from interbudget.web.launch import served

SHOTS = ROOT / "test-artifacts" / "screenshots"
PASSWORD = "design password 123"
LANGS = ("kk", "ru", "en")
WIDTHS = (390, 1366)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store = tmp_path_factory.mktemp("design") / "workbench.duckdb"
    r = subprocess.run([sys.executable, "-m", "interbudget", "users", "add", "ana", "--role", "analyst", "--password-stdin",
                        "--store", str(store)], input=PASSWORD + "\n", capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    with served(ROOT / "data" / "kz", ROOT / "scenarios", store, wait_s=180) as url:
        district = httpx.get(f"{url}/api/scenarios/current-law/budgets?year=2026&parent=430000000", timeout=60).json()["budgets"][0]["code"]
        yield url, district


def pages(district: str) -> dict[str, str]:
    """The main pages (name -> path); the editor needs the analyst's session."""
    return {"dashboard": "/?scenario=current-law&year=2026", "region": "/?scenario=current-law&year=2026&parent=430000000",
            "district": f"/?scenario=current-law&year=2026&parent={district}",
            "budget": "/budget/430000000?scenario=current-law&year=2026", "compare": "/compare?draft=option-2&year=2026",
            "scorecard": "/scorecard", "login": "/login", "editor": "/scenarios/current-law/edit"}


def test_every_main_page_reads_at_390_and_1366_px_in_kk_ru_en(site):
    url, district = site
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    overflow: dict[str, list[str]] = {}
    bad: dict[str, list[dict]] = {}
    with chromium() as browser:
        ctx = browser.new_context(viewport={"width": 1366, "height": 900})
        page = watched(ctx.new_page(), errors, console=True)
        for name, path in pages(district).items():
            if name == "editor":
                login(page, url, "ana", PASSWORD)
            for lang in LANGS:
                sep = "&" if "?" in path else "?"
                page.set_viewport_size({"width": 1366, "height": 900})
                page.goto(f"{url}{path}{sep}lang={lang}")
                assert page.locator("html").get_attribute("lang") == lang
                page.screenshot(path=str(SHOTS / f"{name}-{lang}-1366.png"))
                found = overflowing(page)
                if found:
                    overflow[f"{name}-{lang}"] = found
                if lang != "en" or name in ("dashboard", "budget", "editor", "login"):  # axe: every page once, in kk
                    v = axe_violations(page)
                    if v:
                        bad[f"{name}-{lang}"] = v
                page.set_viewport_size({"width": 390, "height": 844})
                page.screenshot(path=str(SHOTS / f"{name}-{lang}-390.png"))
                wide = page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth + 1")
                if wide:
                    overflow[f"{name}-{lang}-390"] = wider_than_the_page(page)
        ctx.close()
    found = {"errors": errors, "overflow": overflow, "axe": [dict(v, page=k) for k, vs in bad.items() for v in vs]}
    (SHOTS / "findings.json").write_text(describe(found), encoding="utf-8")
    assert found == {"errors": [], "overflow": {}, "axe": []}, describe(found)
    assert len(list(SHOTS.glob("*.png"))) >= len(pages(district)) * len(LANGS) * len(WIDTHS)


def test_the_dashboard_table_sorts_by_keyboard_and_keeps_full_precision(site):
    url, _ = site
    errors: list[str] = []
    with chromium() as browser:
        page = watched(browser.new_page(viewport={"width": 1366, "height": 900}), errors, console=True)
        page.goto(f"{url}/?scenario=current-law&year=2026&lang=ru")
        header = page.locator("#budgets thead th").nth(2).locator("button.sort")  # population
        header.focus()
        page.keyboard.press("Enter")
        assert page.locator("#budgets thead th").nth(2).get_attribute("aria-sort") == "ascending"
        pops = [float(x) for x in page.locator("#budgets tbody tr td:nth-child(3)").evaluate_all(
            "cells => cells.map(c => c.dataset.value)")]
        assert pops == sorted(pops) and len(pops) == 20
        page.keyboard.press("Space")
        pops = [float(x) for x in page.locator("#budgets tbody tr td:nth-child(3)").evaluate_all(
            "cells => cells.map(c => c.dataset.value)")]
        assert pops == sorted(pops, reverse=True)
        # the totals and the republic stay below the body, whatever the order
        assert page.locator("#budgets tfoot tr").count() == 2
        cell = page.locator("#budgets tbody tr td:nth-child(7)").first  # revenue, billion tenge
        value = float(cell.get_attribute("data-value"))
        assert cell.inner_text() == scaled(value, "bn", "ru") and "млрд тенге" in page.locator("#budgets thead th").nth(6).inner_text()
        assert cell.get_attribute("title") == f"{fmt_amount(round(value, 1) + 0.0, 'ru')} тыс. тенге"
    assert errors == []
