"""Chromium (Debian's, via Playwright) on the scorecard and the programme pages: their tables sort by keyboard
(aria-sort, by the full figure in data-value), and axe-core finds no serious or critical violation."""
from __future__ import annotations

from pathlib import Path

import pytest

from browser import axe_violations, chromium, describe, watched
from interbudget.web.launch import served

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "example"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store = tmp_path_factory.mktemp("e2e-tables") / "workbench.duckdb"
    with served(EXAMPLE, EXAMPLE / "scenarios", store, "--registry", str(ROOT / "registry" / "kz")) as url:
        yield url


def values(page, selector: str) -> list[float]:
    return [float(x) for x in page.locator(selector).evaluate_all("cells => cells.map(c => c.dataset.value)")]


@pytest.mark.parametrize("lang", ["kk", "en"])
def test_the_scorecard_and_programme_tables_sort_by_keyboard(site, lang):
    errors: list[str] = []
    with chromium() as browser:
        page = watched(browser.new_page(viewport={"width": 1366, "height": 900}), errors, console=True)
        page.goto(f"{site}/scorecard?lang={lang}")
        table = page.locator("#section-withdrawals_remain table")
        column = table.locator("thead th").nth(4)  # the first scenario
        column.locator("button.sort").focus()
        page.keyboard.press("Enter")
        assert column.get_attribute("aria-sort") == "ascending"
        got = values(page, "#section-withdrawals_remain tbody tr td:nth-child(5)")
        assert got == sorted(got) and len(got) > 3
        page.keyboard.press("Space")
        assert column.get_attribute("aria-sort") == "descending"
        got = values(page, "#section-withdrawals_remain tbody tr td:nth-child(5)")
        assert got == sorted(got, reverse=True)
        found = axe_violations(page)
        assert not found, describe(found)

        page.goto(f"{site}/programme?lang={lang}&at=2026-12-01")
        page.locator("#indicator-table summary").click()
        column = page.locator("#indicators thead th").nth(3)  # the first year's figure
        column.locator("button.sort").focus()
        page.keyboard.press("Enter")
        assert column.get_attribute("aria-sort") == "ascending"
        got = values(page, "#indicators tbody tr td:nth-child(4)[data-value]")
        assert got == sorted(got) and len(got) > 3
        due = page.locator("#measures thead th").nth(2)
        due.locator("button.sort").focus()
        page.keyboard.press("Enter")
        dates = page.locator("#measures tbody tr td:nth-child(3)").evaluate_all("cells => cells.map(c => c.textContent.trim().slice(0, 10))")
        assert due.get_attribute("aria-sort") == "ascending" and dates == sorted(dates)
        found = axe_violations(page)
        assert not found, describe(found)
    assert not errors, errors
