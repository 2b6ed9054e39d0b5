"""The web shows which needs basis the figures rest on: the dashboard and a budget's explanation (kk/ru/en), in words
on the page; the basis file is named in the budget page's folded CLI trace only."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from helpers import write_scenario
from interbudget.web.app import create_app
from test_needs_basis import SC, dataset

WORDS = {"en": "Needs basis — law: backed out", "ru": "База потребностей — по закону:",
         "kk": "Қажеттіліктер базасы — заң бойынша:"}
TRACE = {"en": "Needs basis: law (needs_law.csv)", "ru": "База потребностей: по закону (needs_law.csv)",
         "kk": "Қажеттіліктер базасы: заң бойынша (needs_law.csv)"}


def _line(page: str) -> str:
    import re

    return re.search(r'<p id="needs-basis">(.*?)</p>', page, re.DOTALL).group(1)


def _outside_trace(page: str) -> str:
    import re

    return re.sub(r'<pre id="trace-text">.*?</pre>', " ", page, flags=re.DOTALL)


@pytest.fixture
def client(tmp_path):
    ds = dataset(tmp_path)
    scen = tmp_path / "scenarios"
    scen.mkdir()
    write_scenario(scen / "law.yaml", {**SC, "name": "law", "needs_basis": "law"})
    write_scenario(scen / "observed.yaml", {**SC, "name": "observed"})
    return TestClient(create_app(ds, scen))


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_dashboard_and_a_budget_page_name_the_basis(client, lang):
    page = client.get(f"/?scenario=law&lang={lang}")
    assert page.status_code == 200 and WORDS[lang] in _line(page.text) and ".csv" not in _line(page.text)
    budget = client.get(f"/budget/11?scenario=law&year=2026&lang={lang}")
    assert budget.status_code == 200 and WORDS[lang] in budget.text
    # the file is named in the folded CLI trace, and nowhere else on the page
    assert TRACE[lang] in budget.text and "needs_law.csv" not in _outside_trace(budget.text)


def test_the_observed_basis_is_named_too(client):
    page = client.get("/?scenario=observed&lang=en")
    assert "Needs basis — observed: spending as executed or planned." in _line(page.text)
    assert "needs_law.csv" not in page.text and "needs.csv" not in page.text


def test_the_reconciliation_page_names_the_basis(tmp_path):
    import shutil

    from test_reconcile import setup

    ds, sc, pub = setup(tmp_path)
    shutil.copy(pub, ds / "published.csv")
    scen = tmp_path / "scenarios"
    scen.mkdir()
    shutil.move(sc, scen / "law.yaml")
    client = TestClient(create_app(ds, scen))
    assert client.get("/api/reconcile?scenario=law").json()["needs_basis"] == "observed"
    page = client.get("/reconcile?scenario=law&lang=ru")
    assert page.status_code == 200 and "База потребностей — наблюдаемая:" in _line(page.text)
    assert "needs.csv" not in _line(page.text)
