"""The web shows which needs basis the figures rest on: the dashboard and a budget's explanation (kk/ru/en)."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from helpers import write_scenario
from interbudget.web.app import create_app
from test_needs_basis import SC, dataset

WORDS = {"en": "Needs basis: law (needs_law.csv)", "ru": "База потребностей: по закону (needs_law.csv)",
         "kk": "Қажеттіліктер базасы: заң бойынша (needs_law.csv)"}


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
    assert page.status_code == 200 and 'id="needs-basis"' in page.text and WORDS[lang] in page.text
    budget = client.get(f"/budget/11?scenario=law&year=2026&lang={lang}")
    assert budget.status_code == 200 and WORDS[lang] in budget.text


def test_the_observed_basis_is_named_too(client):
    page = client.get("/?scenario=observed&lang=en")
    assert "Needs basis: observed (needs.csv)" in page.text and "needs_law.csv" not in page.text


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
    assert page.status_code == 200 and "База потребностей: наблюдаемая (needs.csv)" in page.text
