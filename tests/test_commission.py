"""The Commission's workflow (issue 16, concept §3.2) on DuckDB and on PostgreSQL: an akimat submits a proposal, the
Commission reviews it by sector, decides it with reasons, the accepted proposal becomes a new dated registry state
with its priced effect on every budget, and the public sees it only once published; roles, CSRF and visibility as
everywhere else in the workbench."""
import itertools

import psycopg
import pytest
from fastapi.testclient import TestClient

from interbudget.dataset import load_dataset
from interbudget.store import Store
from interbudget.store.migrations import available
from interbudget.web.app import create_app
from test_web import EXAMPLE, ROOT, SCEN

PASSWORD = "correct horse battery"
_dbs = itertools.count()
SCHOOLS = ("name: schools to the oblasts\nkind: local_functions_to_central\neffective_year: 2027\nmoves:\n"
           "  - {function: school_education, from: district, to: region, body_from: district_akimat, body_to: oblast_akimat}\n")


@pytest.fixture(scope="module", params=["duckdb", "postgresql"])
def world(request, tmp_path_factory):
    if request.param == "duckdb":
        url = str(tmp_path_factory.mktemp("store") / "workbench.duckdb")
    else:
        base = request.getfixturevalue("postgres_url")
        name = f"wb_commission_{next(_dbs)}"
        with psycopg.connect(base, autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        url = base.rsplit("/", 1)[0] + "/" + name
    store = Store.open(url)
    app = create_app(EXAMPLE, SCEN, ROOT / "registry" / "kz", store)
    regions = [r["code"] for r in TestClient(app).get("/api/scenarios/current-law/budgets").json()["budgets"]]
    for user, role, region in [("ana", "analyst", None), ("com", "commission", None), ("aki-a", "akimat", regions[0]),
                               ("aki-b", "akimat", regions[1])]:
        store.add_user(user, PASSWORD, role, region)

    def login(user):
        c = TestClient(app, base_url="https://testserver")
        r = c.post("/api/login", json={"username": user, "password": PASSWORD})
        assert r.status_code == 200, r.text
        c.csrf = r.json()["csrf_token"]
        return c

    w = type("World", (), {})()
    w.store, w.app = store, app
    w.ana, w.com, w.a, w.b = (login(u) for u in ("ana", "com", "aki-a", "aki-b"))
    w.public = TestClient(app, base_url="https://testserver")
    yield w
    store.close()


def submit(client, text=SCHOOLS, title="Schools to the oblasts", csrf=None):
    return client.post("/commission", data={"csrf_token": client.csrf if csrf is None else csrf, "title": title,
                                             "body": "district_akimat", "document": text}, follow_redirects=False)


def pid_of(r) -> int:
    assert r.status_code == 303, r.text
    return int(r.headers["location"].split("/")[2].split("?")[0])


def test_the_migration_is_shipped():
    assert any(v == 4 and name == "commission" for v, name, _ in available())


def test_who_may_submit_and_what_is_refused(world):
    w = world
    assert submit(w.public, csrf="x").status_code == 401
    assert submit(w.com).status_code == 403  # the Commission decides, a body submits
    assert submit(w.a, csrf="wrong").status_code == 403  # CSRF
    unpriced = submit(w.a, "name: x\neffective_year: 2027\nmoves:\n  - {function: rural_procurement, from: rural, to: district}\n")
    assert unpriced.status_code == 422 and "function 'rural_procurement'" in unpriced.json()["detail"]
    assert "has no cost" in unpriced.json()["detail"]
    assert submit(w.a, "moves: [").status_code == 422
    assert submit(w.a, SCHOOLS.replace("local_functions_to_central", "teleportation")).status_code == 422


def test_review_decision_new_state_and_publication(world):
    w = world
    pid = pid_of(submit(w.a))
    # before publication: the submitting akimat, the ministry and the Commission see it; the public and region B do not
    assert w.a.get(f"/api/commission/{pid}").status_code == 200 and w.ana.get(f"/api/commission/{pid}").status_code == 200
    assert w.public.get(f"/api/commission/{pid}").status_code == 404 and w.public.get(f"/commission/{pid}").status_code == 404
    assert w.b.get(f"/api/commission/{pid}").status_code == 404
    assert pid not in {p["id"] for p in w.public.get("/api/commission").json()}
    detail = w.com.get(f"/api/commission/{pid}").json()
    assert [item["sector"] for item in detail["agenda"]] == ["04"] and detail["status"] == "submitted"
    # the review, sector by sector
    r = w.com.post(f"/commission/{pid}/reviews", data={"csrf_token": w.com.csrf, "sector": "04", "text": "education: agreed"},
                   follow_redirects=False)
    assert r.status_code == 303
    assert w.com.post(f"/commission/{pid}/reviews", data={"csrf_token": w.com.csrf, "sector": "04", "text": " "}).status_code == 422
    assert [v["sector"] for v in w.com.get(f"/api/commission/{pid}").json()["reviews"]] == ["04"]
    # only the Commission decides, with reasons
    assert w.a.post(f"/commission/{pid}/decision", data={"csrf_token": w.a.csrf, "decision": "accepted",
                                                         "reasons": "mine"}).status_code == 403
    assert w.com.post(f"/commission/{pid}/decision", data={"csrf_token": w.com.csrf, "decision": "accepted",
                                                           "reasons": ""}).status_code == 422
    assert w.com.post(f"/commission/{pid}/publish", data={"csrf_token": w.com.csrf}).status_code == 409  # nothing decided
    r = w.com.post(f"/commission/{pid}/decision", data={"csrf_token": w.com.csrf, "decision": "accepted",
                                                        "reasons": "§3.2: school education at the oblast level"},
                   follow_redirects=False)
    assert r.status_code == 303
    assert w.com.post(f"/commission/{pid}/decision", data={"csrf_token": w.com.csrf, "decision": "rejected",
                                                           "reasons": "again"}).status_code == 409
    assert w.com.post(f"/commission/{pid}/reviews", data={"csrf_token": w.com.csrf, "sector": "04",
                                                          "text": "late"}).status_code == 409
    got = w.com.get(f"/api/commission/{pid}").json()
    assert got["status"] == "accepted" and got["state_id"] == f"commission-{pid}" and got["effective_from"] == "2027-01-01"
    assert [(d["function"], d["levels_a"], d["levels_b"]) for d in got["state_diff"]] == [("school_education", "district", "region")]
    # the priced effect: each district gives the oblast exactly its share (0.75) of its education line, from 2027
    eff = got["effect"]
    ds = load_dataset(EXAMPLE)
    h, n = ds.hierarchy, ds.needs
    line = (n.function == ds.functions.index("education")) & (n.year == 2027)
    districts = {b["code"]: b["needs"] for b in eff["budgets"] if b["level"] == "district" and b["year"] == 2027}
    assert districts
    for code, delta in list(districts.items())[:10]:
        u = h.unit_index()[code]
        own = n.amount[line & (h.budget_units[h.budget_of[n.unit]] == u)].sum()
        assert delta == pytest.approx(-0.75 * own, rel=1e-9)
    assert sum(b["needs"] for b in eff["budgets"]) == pytest.approx(0, abs=1e-3)  # equal norms: moved, not made
    assert all(abs(r["change"]) < 1e-3 for r in eff["national_needs"])
    assert all(b["year"] >= 2027 for b in eff["budgets"])
    # publication: now the public sees the decision, the new state and its effect
    assert w.a.post(f"/commission/{pid}/publish", data={"csrf_token": w.a.csrf}).status_code == 403
    assert w.com.post(f"/commission/{pid}/publish", data={"csrf_token": w.com.csrf}).status_code == 200
    assert w.com.post(f"/commission/{pid}/publish", data={"csrf_token": w.com.csrf}).status_code == 409
    pub = w.public.get(f"/api/commission/{pid}").json()
    assert pub["published"] and pub["effect"]["budgets"] == eff["budgets"]
    assert f"commission-{pid}" in {s["id"] for s in w.public.get("/api/commission/states").json()}
    page = w.public.get(f"/commission/{pid}?lang=kk")
    assert page.status_code == 200 and "Тізілімнің жаңа жағдайы" in page.text and 'id="effect"' in page.text
    assert w.b.get(f"/api/commission/{pid}").status_code == 200  # published: every region sees it
    audit = [r["action"] for r in w.store.audit_log(actor="com")]
    assert {"commission.review", "commission.accepted", "commission.publish"} <= set(audit)


def test_a_rejected_proposal_makes_no_state(world):
    w = world
    pid = pid_of(submit(w.ana, title="by the ministry"))
    r = w.com.post(f"/commission/{pid}/decision", data={"csrf_token": w.com.csrf, "decision": "rejected",
                                                        "reasons": "not now"}, follow_redirects=False)
    assert r.status_code == 303
    got = w.com.get(f"/api/commission/{pid}").json()
    assert got["status"] == "rejected" and got["state_id"] is None and got["effect"] is None
    assert f"commission-{pid}" not in {s["id"] for s in w.com.get("/api/commission/states").json()}
    assert w.a.get(f"/api/commission/{pid}").status_code == 404  # the ministry's own, unpublished


@pytest.mark.parametrize("lang,word", [("kk", "Ұсыныстар"), ("ru", "Предложения"), ("en", "Proposals")])
def test_the_commission_page_speaks_three_languages(world, lang, word):
    r = world.public.get(f"/commission?lang={lang}")
    assert r.status_code == 200 and word in r.text and "baseline-2002" in r.text
    assert 'id="submit-proposal"' not in r.text  # the public does not submit
    assert 'id="submit-proposal"' in world.a.get(f"/commission?lang={lang}").text
