"""The programme in the web workbench: a public page in three languages with measures, evidence, audit trail,
acts, indicators and charts; status updates only by the Commission and the analysts, with the session's CSRF
token and evidence, each in the audit log; an akimat sees the measures that concern its region."""
from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from interbudget.store import Store
from interbudget.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "example"
PASSWORD = "programme password 1"


@pytest.fixture(scope="module")
def w(tmp_path_factory):
    store = Store.open(tmp_path_factory.mktemp("prog") / "wb.duckdb")
    app = create_app(EXAMPLE, EXAMPLE / "scenarios", ROOT / "registry" / "kz", store)
    public = TestClient(app, base_url="https://testserver")
    region = public.get("/api/scenarios/current-law/budgets").json()["budgets"][0]["code"]
    for name, role, reg in [("ana", "analyst", None), ("com", "commission", None), ("aki", "akimat", region)]:
        store.add_user(name, PASSWORD, role, reg)

    def login(user):
        c = TestClient(app, base_url="https://testserver")
        r = c.post("/api/login", json={"username": user, "password": PASSWORD})
        assert r.status_code == 200, r.text
        c.csrf = r.json()["csrf_token"]
        return c

    class W:
        pass

    w = W()
    w.store, w.public, w.region = store, public, region
    w.ana, w.com, w.aki = login("ana"), login("com"), login("aki")
    return w


@pytest.mark.parametrize("lang,word", [("kk", "Реформа бағдарлама ретінде"), ("ru", "Реформа как программа"),
                                       ("en", "The reform as a programme")])
def test_the_public_page_speaks_three_languages(w, lang, word):
    r = w.public.get(f"/programme?lang={lang}&at=2026-12-01")
    assert r.status_code == 200 and word in r.text
    assert 'id="measures-optimal_function_list"' in r.text and 'id="acts"' in r.text and 'id="chart-timeline"' in r.text
    assert 'id="chart-subvention_share-district"' in r.text and '<script src="/programme/plotly.js">' in r.text
    assert "cdn" not in r.text.lower()
    js = w.public.get("/programme/plotly.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("application/javascript") and len(js.content) > 1e6


def test_the_api_gives_the_status_on_a_date_and_the_published_indicators(w):
    data = w.public.get("/api/programme?at=2004-01-01").json()
    assert data["counts"]["late"] == 4 and data["measures"][0]["status"] == "late"
    names = {s["name"] for s in w.public.get("/api/scenarios").json()}
    assert set(data["indicators"]["scenarios"]) == names and data["indicators"]["registry"]
    assert w.public.get("/api/programme?at=2004-1-1").status_code == 422


def _post(client, mid, body, csrf=True):
    return client.post(f"/api/programme/measures/{mid}/status", json=body,
                       headers={"X-CSRF-Token": client.csrf} if csrf and hasattr(client, "csrf") else {})


def test_only_the_commission_and_analysts_update_with_csrf_and_evidence(w):
    body = {"status": "in_progress", "evidence": "order No. 1", "reference": "adilet"}
    assert _post(w.public, "draft_bills", body).status_code == 401
    assert _post(w.aki, "draft_bills", body).status_code == 403
    assert _post(w.com, "draft_bills", body, csrf=False).status_code == 403
    assert _post(w.com, "no_such_measure", body).status_code == 404
    assert _post(w.com, "draft_bills", dict(body, evidence=" ")).status_code == 422
    assert _post(w.com, "draft_bills", dict(body, status="finished")).status_code == 422
    assert not next(u for u in w.public.get("/api/programme").json()["measures"] if u["id"] == "draft_bills")["trail"]
    assert _post(w.ana, "function_inventory", body).status_code == 201


def test_the_commission_marks_a_measure_done_and_the_public_sees_it_with_the_trail(w):
    r = w.com.post("/programme/measures/priority_bills/status", data={"csrf_token": w.com.csrf, "status": "done", "lang": "ru",
                   "evidence": "Law of 2003 on amendments (test)", "reference": "test reference"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/programme/measures/priority_bills?lang=ru"
    m = next(x for x in w.public.get("/api/programme").json()["measures"] if x["id"] == "priority_bills")
    assert m["status"] == "done" and m["evidence"] == "Law of 2003 on amendments (test)" and m["updated_by"] == "com"
    assert [u["author"] for u in m["trail"]] == ["com"]
    page = w.public.get("/programme/measures/priority_bills?lang=en").text
    assert "Law of 2003 on amendments (test)" in page and 'id="trail"' in page and "com" in page
    assert 'id="status-form"' not in page  # the public cannot edit
    assert 'id="status-form"' in w.com.get("/programme/measures/priority_bills").text
    assert any(e["action"] == "programme.status" and e["target"] == "kz/priority_bills" for e in w.store.audit_log())
    # its dependant may start now: transition_2004's precondition is met
    t = next(x for x in w.public.get("/api/programme").json()["measures"] if x["id"] == "transition_2004")
    assert t["preconditions_met"] == 1


def test_an_akimat_sees_the_measures_of_its_region(w):
    mine = w.aki.get("/programme?lang=en").text
    assert 'id="mine"' in mine and 'id="mine-rural_own_budgets"' in mine and 'id="mine-medium_term_action_plan"' not in mine
    assert 'id="mine"' not in w.public.get("/programme").text


def test_the_catalogues_name_every_status_stage_body_and_indicator_in_three_languages():
    from interbudget.analysis.programme import REGISTRY_INDICATORS, RUN_INDICATORS
    from interbudget.i18n import catalog
    from interbudget.programme.data import BODIES, STAGES, STATUSES

    def keys(d, prefix=""):
        return {prefix + k for k in d} | {x for k, v in d.items() if isinstance(v, dict) for x in keys(v, prefix + k + ".")}

    cats = {lg: catalog(lg)["programme"] for lg in ("kk", "ru", "en")}
    assert keys(cats["kk"]) == keys(cats["ru"]) == keys(cats["en"])
    ids = [i[0] for i in RUN_INDICATORS] + [i[0] for i in REGISTRY_INDICATORS]
    for c in cats.values():
        assert set(c["statuses"]) == set(STATUSES) and set(c["stages"]) == set(STAGES) and set(c["bodies"]) == set(BODIES)
        assert set(c["indicators_names"]) == set(ids) == set(c["definitions"])
        assert all(isinstance(v, str) and v for v in c["definitions"].values())


def test_the_downloaded_reports_carry_the_programme(w):
    import io

    from openpyxl import load_workbook

    x = w.public.get("/download/current-law/report.xlsx")
    assert x.status_code == 200
    wb = load_workbook(io.BytesIO(x.content), read_only=True)
    assert "Programme" in wb.sheetnames and "Programme indicators" in wb.sheetnames
    ids = [r[2] for r in wb["Programme"].iter_rows(min_row=2, values_only=True)]
    assert "optimal_function_list" in ids and len(ids) == 35
    page = w.public.get("/download/current-law/report.html").text
    assert "<section id='programme'>" in page and "optimal_function_list" in page
