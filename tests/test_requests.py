"""Requests that soften the budget constraint (§1.7), filed in the web like an objection and priced, on DuckDB and on
a real PostgreSQL server: who may file, see and decide; the price against the engine's own figures."""
import pytest
from fastapi.testclient import TestClient

from interbudget.analysis.requests import price
from interbudget.dataset import load_dataset
from interbudget.engine import run
from interbudget.errors import InterbudgetError
from interbudget.scenario import load_scenario
from interbudget.store import Store
from interbudget.store.migrations import available
from interbudget.web.app import create_app
from test_web import EXAMPLE, ROOT, SCEN
from test_workbench import PASSWORD, store_url  # noqa: F401 — the store fixture (DuckDB and PostgreSQL)


@pytest.fixture(scope="module")
def result():
    return run(load_dataset(EXAMPLE), load_scenario(SCEN / "current-law.yaml")[0], "current-law.yaml")


@pytest.fixture(scope="module")
def world(store_url, result):  # noqa: F811
    st = Store.open(store_url)
    app = create_app(EXAMPLE, SCEN, ROOT / "registry" / "kz", st)
    h = result.hierarchy
    regions = [h.codes[u] for u in range(h.n) if h.level[u] == 1]
    a, b = regions[0], regions[1]
    for name, role, region in [("ana", "analyst", None), ("com", "commission", None), ("aki-a", "akimat", a), ("aki-b", "akimat", b)]:
        st.add_user(name, PASSWORD, role, region)

    def login(user):
        c = TestClient(app, base_url="https://testserver")
        r = c.post("/api/login", json={"username": user, "password": PASSWORD})
        assert r.status_code == 200, r.text
        c.csrf = r.json()["csrf_token"]
        c.headers["X-CSRF-Token"] = c.csrf
        return c

    return {"A": a, "B": b, "ana": login("ana"), "com": login("com"), "a": login("aki-a"), "b": login("aki-b"),
            "public": TestClient(app, base_url="https://testserver"), "store": st}


def test_the_migration_is_shipped():
    assert (6, "requests") in [(v, n) for v, n, _ in available()]


def test_a_request_is_priced_against_the_fixed_amounts(result):
    h, tr = result.hierarchy, result.transfers
    code = next(h.codes[u] for u in range(h.n) if h.level[u] == 1)
    b = h.budget_index_of_unit[h.unit_index()[code]]
    p = price(result, code, 2026, "targeted_transfer", 1000.0)
    fixed = tr.subvention[b, 0] - tr.withdrawal[b, 0]
    assert p["fixed_net_transfer"] == fixed and p["new_net_transfer"] == fixed + 1000 and p["cost_to_republic"] == 1000
    assert p["change_of_fixed_amount"] == pytest.approx(1000 / abs(fixed))
    assert p["republic_balance_after"] == pytest.approx(result.plan.balance[h.b_republic, 0] - 1000) and p["recoverable"] == 0
    with pytest.raises(InterbudgetError, match="cannot be lowered"):
        price(result, code, 2026, "lower_withdrawal", tr.withdrawal[b, 0] + 1.0)
    with pytest.raises(InterbudgetError, match=r"debt service in 2026 is 0\.0"):
        price(result, code, 2026, "restructuring", 5.0)
    with pytest.raises(InterbudgetError) as e:
        price(result, "nowhere", 1999, "gift", -1)
    assert {p.column for p in e.value.problems} == {"kind", "amount", "code", "year"}


def test_an_akimat_files_the_commission_decides_others_see_only_what_they_may(world):
    a, b, com, ana = world["a"], world["b"], world["com"], world["ana"]
    r = a.get("/api/requests/price", params={"scenario": "current-law", "code": world["A"], "kind": "targeted_transfer",
                                             "amount": 2500, "year": 2026})
    assert r.status_code == 200 and r.json()["cost_to_republic"] == 2500
    form = {"csrf_token": a.csrf, "scenario": "current-law", "code": world["A"], "year": "2026", "kind": "targeted_transfer",
            "amount": "2500", "text": "the oil price fell; our receipts are 8 % short"}
    r = a.post("/requests", data=form, follow_redirects=False)
    assert r.status_code == 303
    rid = int(r.headers["location"].split("/")[2].split("?")[0])
    for lang, word in (("en", "targeted transfer"), ("ru", "целевой трансферт"), ("kk", "нысаналы трансферт")):
        page = a.get(f"/requests/{rid}?lang={lang}")
        assert page.status_code == 200 and word in page.text and 'id="request-cost"' in page.text
    assert b.get(f"/api/requests/{rid}").status_code == 404 and b.get("/api/requests").json() == []
    assert world["public"].get("/api/requests").status_code == 401
    assert [x["id"] for x in ana.get("/api/requests").json()] == [rid]
    # B may not file for A's budget; the analyst and the commission may not file at all
    assert b.post("/api/requests", json={**form, "code": world["A"]}).status_code == 404
    assert com.post("/api/requests", json=form).status_code == 403
    # only the commission decides, once
    assert a.post(f"/api/requests/{rid}/events", json={"kind": "granted", "text": "yes"}).status_code == 403
    assert a.post(f"/api/requests/{rid}/events", json={"kind": "comment", "text": "figures attached"}).status_code == 201
    assert com.post(f"/api/requests/{rid}/events", json={"kind": "granted", "text": "one-off, 2026 only"}).status_code == 201
    assert com.post(f"/api/requests/{rid}/events", json={"kind": "refused", "text": "no"}).status_code == 409
    got = ana.get(f"/api/requests/{rid}").json()
    assert got["status"] == "granted" and [e["kind"] for e in got["events"]] == ["comment", "granted"]
    assert got["price"]["amount"] == 2500 and got["amount"] == 2500
    assert {"request.file", "request.comment", "request.granted"} <= {x["action"] for x in world["store"].audit_log()}


@pytest.mark.parametrize("body, status, message", [
    ({"kind": "lower_withdrawal", "amount": 1e15}, 422, "cannot be lowered"),
    ({"kind": "gift", "amount": 5}, 422, "unknown kind 'gift'"),
    ({"amount": "lots"}, 422, "'lots' is not a number"),
    ({"text": "  "}, 422, "text is empty"),
    ({"year": 1999}, 422, "year 1999 is not among"),
])
def test_bad_requests_are_refused_with_a_clear_message(world, body, status, message):
    base = {"scenario": "current-law", "code": world["A"], "year": 2026, "kind": "targeted_transfer", "amount": 10, "text": "why"}
    r = world["a"].post("/api/requests", json={**base, **body})
    assert r.status_code == status and message in r.text, r.text
