"""The workbench's store, roles and workflow, on DuckDB and on a real PostgreSQL server: every role against
every route (direct API calls included), CSRF, sessions, the editor's field messages, edit conflicts, runs,
objections with attachments, published versus draft versions, atomic saves, migrations."""
import itertools
import threading

import psycopg
import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings, strategies as hs

from interbudget import patch as jpatch
from interbudget.store import Conflict, Store
from interbudget.store.db import connect
from interbudget.store.migrations import available, current, migrate
from interbudget.web.app import create_app
from test_web import EXAMPLE, ROOT, SCEN

PASSWORD = "correct horse battery"
_dbs = itertools.count()


@pytest.fixture(scope="module", params=["duckdb", "postgresql"])
def store_url(request, tmp_path_factory):
    """A fresh, empty store: a DuckDB file, or a new database on the session's PostgreSQL server."""
    if request.param == "duckdb":
        return str(tmp_path_factory.mktemp("store") / "workbench.duckdb")
    base = request.getfixturevalue("postgres_url")
    name = f"wb_{next(_dbs)}_{request.module.__name__.split('.')[-1]}"
    with psycopg.connect(base, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    return base.rsplit("/", 1)[0] + "/" + name


class World:
    """An app with an analyst, a commission member, two akimats (regions A and B), a draft shared with A, a private
    draft, an objection from each akimat (B's with an attachment) and a finished run."""

    def __init__(self, url):
        self.store = Store.open(url)
        self.app = create_app(EXAMPLE, SCEN, ROOT / "registry" / "kz", self.store)
        self.regions = [r["code"] for r in TestClient(self.app).get("/api/scenarios/current-law/budgets").json()["budgets"]]
        self.A, self.B = self.regions[0], self.regions[1]
        for name, role, region in [("ana", "analyst", None), ("com", "commission", None), ("aki-a", "akimat", self.A),
                                   ("aki-b", "akimat", self.B)]:
            self.store.add_user(name, PASSWORD, role, region)
        self.ana, self.com, self.a, self.b = (self.login(u) for u in ("ana", "com", "aki-a", "aki-b"))
        self.public = TestClient(self.app, base_url="https://testserver")
        for name in ("shared", "private"):
            assert self.ana.post("/api/scenarios", json={"name": name, "base": "current-law"}).status_code == 201
        doc = self.ana.get("/api/scenarios/shared").json()["content"]
        assert self.ana.put("/api/scenarios/shared", json={"base_version": 1, "content": dict(doc, option=2)}).status_code == 200
        assert self.ana.post(f"/api/scenarios/shared/share?region={self.A}").status_code == 200
        self.b.post(f"/api/scenarios/shared/share?region={self.B}")  # an akimat cannot share: stays A only
        self.share_b()
        self.oa = self.a.post("/api/objections", json={"scenario": "shared", "code": self.A,
                                                       "text": "our population is 2 % higher"}).json()["objection"]
        self.ob = self.b.post("/objections", data={"csrf_token": self.b.csrf, "scenario": "current-law", "code": self.B,
                                                   "kind": "correction", "text": "corrected receipts attached", "year": ""},
                              files={"attachment": ("receipts.csv", b"code,tax,year,amount\n", "text/csv")},
                              follow_redirects=False)
        assert self.ob.status_code == 303
        self.ob = int(self.ob.headers["location"].split("/")[2].split("?")[0])
        self.attachment_b = self.store.objection(self.ob)["attachments"][0]["id"]
        self.run = self.ana.post("/api/scenarios/shared/runs").json()["run"]
        assert self.ana.get(f"/api/runs/{self.run}?wait=30").json()["status"] == "done"  # waits for the worker process

    def share_b(self):
        pass

    def login(self, user):
        c = TestClient(self.app, base_url="https://testserver")
        r = c.post("/api/login", json={"username": user, "password": PASSWORD})
        assert r.status_code == 200, r.text
        c.csrf = r.json()["csrf_token"]
        c.headers["X-CSRF-Token"] = c.csrf
        return c

    def client(self, role):
        return {"public": self.public, "analyst": self.ana, "commission": self.com, "akimat-a": self.a, "akimat-b": self.b}[role]


@pytest.fixture(scope="module")
def w(store_url):
    return World(store_url)


ROLES = ["public", "akimat-a", "akimat-b", "commission", "analyst"]


def _expect(table):
    """Rows of (method, path template, body, statuses for ROLES in order)."""
    return [pytest.param(m, p, b, dict(zip(ROLES, s, strict=True)), id=f"{m} {p}") for m, p, b, s in table]


READS = _expect([
    ("GET", "/api/scenarios/current-law/budgets", None, [200, 200, 200, 200, 200]),
    ("GET", "/api/scenarios/private/budgets", None, [404, 404, 404, 200, 200]),
    ("GET", "/api/scenarios/shared/budgets", None, [404, 200, 404, 200, 200]),
    ("GET", "/api/scenarios/shared/budgets?parent={B}", None, [404, 404, 404, 200, 200]),
    ("GET", "/api/scenarios/shared/budgets/{A}", None, [404, 200, 404, 200, 200]),
    ("GET", "/api/scenarios/shared/budgets/{B}", None, [404, 404, 404, 200, 200]),
    ("GET", "/api/scenarios/shared", None, [404, 200, 404, 200, 200]),
    ("GET", "/api/scenarios/private", None, [404, 404, 404, 200, 200]),
    ("GET", "/api/scenarios/shared?version=1", None, [404, 404, 404, 200, 200]),
    ("GET", "/download/shared/budgets.csv", None, [404, 200, 404, 200, 200]),
    ("GET", "/download/shared/report.xlsx", None, [404, 403, 404, 200, 200]),
    ("GET", "/download/private/budgets.csv", None, [404, 404, 404, 200, 200]),
    ("GET", "/api/compare?draft=shared", None, [404, 200, 404, 200, 200]),
    ("GET", "/api/compare?draft=private", None, [404, 404, 404, 200, 200]),
    ("GET", "/api/objections", None, [401, 200, 200, 200, 200]),
    ("GET", "/api/objections/{oa}", None, [401, 200, 404, 200, 200]),
    ("GET", "/api/objections/{ob}", None, [401, 404, 200, 200, 200]),
    ("GET", "/attachments/{att}", None, [401, 404, 200, 200, 200]),
    ("GET", "/api/audit", None, [401, 403, 403, 200, 200]),
    ("GET", "/api/runs/{run}", None, [401, 403, 403, 200, 200]),
    ("GET", "/runs/{run}/budgets.csv", None, [401, 403, 403, 200, 200]),
    ("GET", "/", None, [200, 200, 200, 200, 200]),
    ("GET", "/?scenario=shared", None, [404, 200, 404, 200, 200]),
    ("GET", "/?scenario=shared&parent={B}", None, [404, 404, 404, 200, 200]),
    ("GET", "/budget/{B}?scenario=shared", None, [404, 404, 404, 200, 200]),
    ("GET", "/budget/{A}?scenario=shared", None, [404, 200, 404, 200, 200]),
    ("GET", "/compare?draft=shared", None, [404, 200, 404, 200, 200]),
    ("GET", "/scenarios", None, [401, 200, 200, 200, 200]),
    ("GET", "/scenarios/private/edit", None, [401, 403, 403, 403, 200]),
    ("GET", "/scenarios/private/versions", None, [401, 403, 403, 200, 200]),
    ("GET", "/objections", None, [401, 200, 200, 200, 200]),
    ("GET", "/objections/{oa}", None, [401, 200, 404, 200, 200]),
    ("GET", "/audit", None, [401, 403, 403, 200, 200]),
    ("GET", "/runs/{run}", None, [401, 403, 403, 200, 200]),
    ("GET", "/api/me", None, [200, 200, 200, 200, 200]),
])

# state-changing calls that must be refused (the successful ones are the workflow tests below)
WRITES = _expect([
    ("POST", "/api/scenarios", {"name": "x-{role}", "base": "current-law"}, [401, 403, 403, 403, 201]),
    ("PUT", "/api/scenarios/shared", {"base_version": 0, "content": {}}, [401, 403, 403, 403, 422]),
    ("POST", "/api/scenarios/private/publish?version=99", None, [401, 403, 403, 403, 404]),
    ("POST", "/api/scenarios/shared/share?region={B}&shared=false", None, [401, 403, 403, 403, 200]),
    ("POST", "/api/scenarios/private/runs?version=99", None, [401, 403, 403, 403, 404]),
    ("POST", "/api/objections", {"scenario": "shared", "code": "{B}", "text": "not ours"}, [401, 404, 404, 403, 403]),
    ("POST", "/api/objections", {"scenario": "private", "code": "{A}", "text": "hidden"}, [401, 404, 404, 403, 403]),
    ("POST", "/api/objections/{ob}/events", {"kind": "comment", "text": "hello"}, [401, 404, 201, 201, 201]),
    ("POST", "/api/objections/{oa}/events", {"kind": "resolved", "text": "mine"}, [401, 403, 404, 409, 403]),
])


def _fill(w, text, role="x"):
    return text.format(A=w.A, B=w.B, oa=w.oa, ob=w.ob, att=w.attachment_b, run=w.run, role=role)


def _body(w, body, role):
    if body is None:
        return None
    return {k: _fill(w, v, role) if isinstance(v, str) else v for k, v in body.items()}


@pytest.mark.parametrize("method,path,body,expect", READS)
def test_every_role_reads_only_what_it_may(w, method, path, body, expect):
    for role, status in expect.items():
        r = w.client(role).request(method, _fill(w, path))
        assert r.status_code == status, f"{role}: {method} {path} -> {r.status_code} {r.text[:200]}"


@pytest.mark.parametrize("method,path,body,expect", WRITES)
def test_every_role_changes_only_what_it_may(w, method, path, body, expect):
    if "{oa}/events" in path:  # resolving needs an open objection: the commission gets 409 after resolving it itself
        w.com.post(f"/api/objections/{w.oa}/events", json={"kind": "resolved", "text": "checked"})
    for role, status in expect.items():
        r = w.client(role).request(method, _fill(w, path), json=_body(w, body, role))
        assert r.status_code == status, f"{role}: {method} {path} -> {r.status_code} {r.text[:200]}"


def test_an_akimat_sees_only_its_region_in_a_shared_draft(w):
    rows = w.a.get("/api/scenarios/shared/budgets").json()["budgets"]
    assert [r["code"] for r in rows] == [w.A]
    csv = w.a.get("/download/shared/budgets.csv").text.splitlines()
    full = w.ana.get("/download/shared/budgets.csv").text.splitlines()
    assert csv[0] == full[0] and 1 < len(csv) < len(full)
    h = w.app.state.workbench.ds.hierarchy
    from interbudget.web.access import region_of

    assert set(region_of(h, [line.split(",")[1] for line in csv[1:]])) == {w.A}
    cmp = w.a.get("/api/compare?draft=shared").json()
    assert {r["code"] for r in cmp["regions"]} == {w.A}
    assert {r["code"] for r in cmp["comparisons"][0]["rows"]} <= set(h.codes[region_of(h, h.codes) == w.A].tolist())
    assert cmp["comparisons"][0]["bands"] == []  # no national aggregate of a draft
    # the published scenario is the public's: every region
    assert len(w.a.get("/api/scenarios/current-law/budgets").json()["budgets"]) == len(w.regions)
    assert [o["id"] for o in w.a.get("/api/objections").json()] == [w.oa]
    assert "private" not in {s["name"] for s in w.a.get("/api/scenarios").json()}
    assert {s["name"] for s in w.public.get("/api/scenarios").json()}.isdisjoint({"shared", "private"})


def test_state_changes_need_the_sessions_csrf_token(w):
    naked = TestClient(w.app, base_url="https://testserver")
    naked.cookies = w.ana.cookies
    r = naked.post("/api/scenarios", json={"name": "no-csrf", "base": "current-law"})
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    r = naked.post("/api/scenarios", json={"name": "no-csrf", "base": "current-law"}, headers={"X-CSRF-Token": w.a.csrf})
    assert r.status_code == 403  # another session's token does not do
    r = naked.post("/scenarios", data={"name": "no-csrf", "base": "current-law", "csrf_token": "forged"})
    assert r.status_code == 403
    assert "no-csrf" not in {s["name"] for s in w.ana.get("/api/scenarios").json()}


def test_login_logout_and_cookies(w):
    c = TestClient(w.app, base_url="https://testserver")
    page = c.get("/login")
    token = c.cookies.get("ib_login")
    assert token and f'value="{token}"' in page.text
    assert c.post("/login", data={"username": "ana", "password": PASSWORD, "csrf_token": "x"}).status_code == 403
    bad = c.post("/login", data={"username": "ana", "password": "wrong", "csrf_token": token})
    assert bad.status_code == 401 and 'id="login-error"' in bad.text
    ok = c.post("/login", data={"username": "ana", "password": PASSWORD, "csrf_token": token, "next": "//evil.example/"},
                follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/"  # no open redirect
    cookie = ok.headers["set-cookie"].lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=lax" in cookie
    assert c.get("/api/me").json()["role"] == "analyst"
    session = c.cookies.get("ib_session")
    me = c.get("/scenarios")
    csrf = me.text.split('name="csrf_token" value="')[1].split('"')[0]
    assert c.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    replay = TestClient(w.app, base_url="https://testserver", cookies={"ib_session": session})
    assert replay.get("/api/me").json()["role"] == "public"  # the session ended on the server, not only in the browser
    assert w.public.post("/api/login", json={"username": "ana", "password": "nope"}).status_code == 401
    assert w.public.post("/api/login", json={"username": "nobody", "password": PASSWORD}).status_code == 401
    assert all(u["username"] != PASSWORD for u in w.store.users())
    with w.store.db.transaction() as tx:
        hashes = [r["password_hash"] for r in tx.all("SELECT password_hash FROM users")]
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)


def test_the_editor_puts_each_problem_next_to_its_field(w):
    from interbudget.web.editor import form_values

    r = w.ana.get("/scenarios/private/edit")
    base = int(r.text.split('name="base_version" value="')[1].split('"')[0])
    form = form_values(w.store.content("private"), list(w.app.state.workbench.ds.taxes))  # what the page shows
    assert all(f'name="{k}" value="{v}"' in r.text for k, v in form.items() if k.startswith("sharing.") and v)
    form.update({"csrf_token": w.ana.csrf, "base_version": str(base), "option": "2", "withdrawal_rate": "abc",
                 "sharing.vat.region": "1.5", "envelope.floor": "0.9", "advanced": "mandates: [", "lang": "ru"})
    r = w.ana.post("/scenarios/private/edit", data=form)
    assert r.status_code == 422
    assert "«abc» — не число" in r.text.split('id="error-withdrawal_rate"')[1][:80]  # the form's language (issue 14)
    assert 'id="error-envelope-total"' in r.text and 'id="error-advanced"' in r.text
    assert "сценарий не сохранён" in r.text
    form.update(withdrawal_rate="1", advanced="", **{"envelope.floor": ""})
    r = w.ana.post("/scenarios/private/edit", data=form)
    assert r.status_code == 422 and "значение 1.5 вне диапазона [0, 1]" in r.text.split('id="error-sharing-vat-region"')[1][:80]  # in ru (issue 19)
    form["sharing.vat.region"] = "0.25"
    r = w.ana.post("/scenarios/private/edit", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    latest = w.store.versions("private")[-1]
    assert latest["version"] == base + 1 and latest["author"] == "ana"
    assert latest["diff"]["option"] == 2 and latest["diff"]["sharing"] == {"vat": {"region": 0.25}}  # a diff, not a copy
    assert "references" not in latest["diff"] and "name" not in latest["diff"]
    content = w.store.content("private")
    assert content["sharing"]["iit_source"] == w.store.content("current-law")["sharing"]["iit_source"]  # references kept


def test_two_editors_of_one_scenario_get_a_conflict_not_an_overwrite(w):
    w.ana.post("/api/scenarios", json={"name": "contested", "base": "current-law"})
    second = w.login("ana")
    doc = w.ana.get("/api/scenarios/contested").json()["content"]
    assert w.ana.put("/api/scenarios/contested", json={"base_version": 1, "content": dict(doc, withdrawal_rate=0.5)}).status_code == 200
    r = second.put("/api/scenarios/contested", json={"base_version": 1, "content": dict(doc, option=3)})
    assert r.status_code == 409 and "changed by ana" in r.json()["detail"] and "nothing was saved" in r.json()["detail"]
    assert w.store.content("contested")["withdrawal_rate"] == 0.5 and w.store.content("contested")["option"] == 1
    form = {"csrf_token": second.csrf, "base_version": "1", "years": "2026", "option": "4", "withdrawal_rate": "1"}
    page = second.post("/scenarios/contested/edit", data=form)
    assert page.status_code == 409 and 'id="conflict"' in page.text


def test_concurrent_saves_from_one_version_keep_exactly_one(w):
    w.ana.post("/api/scenarios", json={"name": "race", "base": "current-law"})
    doc = w.store.content("race")
    outcomes = []

    def save(i):
        try:
            outcomes.append(w.store.save_version("race", 1, dict(doc, withdrawal_rate=i / 10), f"user{i}"))
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=save, args=(i,)) for i in range(1, 7)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert outcomes.count(2) == 1 and outcomes.count("conflict") == 5
    assert [v["version"] for v in w.store.versions("race")] == [1, 2]


def test_an_interrupted_save_loses_nothing_saved_before(w, monkeypatch):
    w.ana.post("/api/scenarios", json={"name": "atomic", "base": "current-law"})
    doc = w.store.content("atomic")
    w.store.save_version("atomic", 1, dict(doc, option=2), "ana")

    def crash(*a, **k):
        raise RuntimeError("power cut")

    monkeypatch.setattr(Store, "_audit", staticmethod(crash))  # fails after the version row was inserted
    with pytest.raises(RuntimeError):
        w.store.save_version("atomic", 2, dict(doc, option=3), "ana")
    monkeypatch.undo()
    assert [v["version"] for v in w.store.versions("atomic")] == [1, 2] and w.store.content("atomic")["option"] == 2
    assert w.store.save_version("atomic", 2, dict(doc, option=4), "ana") == 3


def test_published_versions_are_what_the_public_sees(w):
    w.ana.post("/api/scenarios", json={"name": "pub", "base": "current-law"})
    assert w.public.get("/api/scenarios/pub/budgets").status_code == 404
    assert w.ana.post("/api/scenarios/pub/publish").status_code == 200
    before = w.public.get("/api/scenarios/pub/budgets?year=2026").json()
    doc = w.store.content("pub")
    w.ana.put("/api/scenarios/pub", json={"base_version": 1, "content": dict(doc, option=2)})
    assert w.public.get("/api/scenarios/pub/budgets?year=2026").json() == before  # the draft v2 stays inside
    assert w.public.get("/api/scenarios/pub/budgets?version=2").status_code == 404
    assert w.ana.get("/api/scenarios/pub/budgets?year=2026").json()["version"] == 2
    w.ana.post("/api/scenarios/pub/publish")
    assert w.public.get("/api/scenarios/pub/budgets?year=2026").json()["version"] == 2
    actions = [(a["actor"], a["action"], a["target"]) for a in w.ana.get("/api/audit").json()]
    assert ("ana", "scenario.publish", "pub") in actions and ("ana", "scenario.save", "pub") in actions


def test_a_run_reports_progress_and_keeps_its_manifest_and_results(w):
    import time

    rid = w.ana.post("/api/scenarios/shared/runs").json()["run"]
    seen = set()
    for _ in range(200):
        r = w.ana.get(f"/api/runs/{rid}").json()
        seen.add(r["stage"])
        if r["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert r["status"] == "done" and r["progress"] == 1, r
    man = r["manifest"]
    assert man["store_scenario"]["name"] == "shared" and man["store_scenario"]["version"] == 2
    assert man["scenario"]["option"] == 2 and man["dataset_files"]
    stored = w.ana.get(f"/runs/{rid}/budgets.csv").text
    assert stored == w.ana.get("/download/shared/budgets.csv?version=2").text
    page = w.ana.get(f"/runs/{rid}?lang=kk")
    assert page.status_code == 200 and 'id="progress"' in page.text and 'data-stage="done">дайын<' in page.text
    assert seen <= {"queued", "validating", "computing", "writing", "done"}


def test_objections_are_filed_commented_and_resolved(w):
    oid = w.a.post("/api/objections", json={"scenario": "current-law", "code": w.A, "year": 2027,
                                            "text": "the 2027 subvention ignores the new school"}).json()["objection"]
    assert w.com.get(f"/api/objections/{oid}").json()["status"] == "open"
    assert w.com.post(f"/api/objections/{oid}/events", json={"kind": "comment", "text": "which school?"}).status_code == 201
    assert w.a.post(f"/api/objections/{oid}/events", json={"kind": "comment", "text": "No. 12, opened in September"}).status_code == 201
    assert w.a.post(f"/api/objections/{oid}/events", json={"kind": "resolved", "text": "self-approved"}).status_code == 403
    assert w.com.post(f"/api/objections/{oid}/events", json={"kind": "resolved", "text": "accepted for 2027"}).status_code == 201
    o = w.a.get(f"/api/objections/{oid}").json()
    assert o["status"] == "resolved" and [e["kind"] for e in o["events"]] == ["comment", "comment", "resolved"]
    assert w.com.post(f"/api/objections/{oid}/events", json={"kind": "rejected", "text": "twice"}).status_code == 409
    assert w.com.post(f"/api/objections/{oid}/events", json={"kind": "reopened", "text": "new facts"}).status_code == 201
    assert w.a.get(f"/api/objections/{oid}").json()["status"] == "open"
    assert w.com.post(f"/api/objections/{oid}/events", json={"kind": "resolved", "text": "accepted again"}).status_code == 201
    att = w.b.get(f"/attachments/{w.attachment_b}")
    assert att.status_code == 200 and att.content == b"code,tax,year,amount\n" and "receipts.csv" in att.headers["content-disposition"]
    assert w.a.post("/api/objections", json={"scenario": "current-law", "code": w.A, "text": "   "}).status_code == 422
    page = w.a.get(f"/budget/{w.A}?scenario=current-law")
    assert f"/objections/{oid}" in page.text and 'id="object"' in page.text
    name = next(r["name"] for r in w.public.get("/api/scenarios/current-law/budgets").json()["budgets"] if r["code"] == w.A)
    assert f"{name} ({w.A})" in w.com.get(f"/objections/{oid}").text
    assert 'id="object"' not in w.com.get(f"/budget/{w.A}?scenario=current-law").text  # only akimats file


def test_budget_page_history_against_the_published_law(w):
    page = w.ana.get(f"/budget/{w.A}?scenario=shared&lang=en")
    assert page.status_code == 200 and 'id="history"' in page.text
    assert "history against the published law" in page.text and "v1</th>" in page.text


@pytest.mark.parametrize("lang,word", [("kk", "қарсылықтар"), ("ru", "возражения"), ("en", "objections")])
def test_workbench_pages_speak_three_languages(w, lang, word):
    assert word in w.a.get(f"/objections?lang={lang}").text


def test_migrations_are_versioned_and_idempotent(store_url):
    db = connect(store_url)
    assert current(db) == max(v for v, _, _ in available())
    assert migrate(db) == []  # nothing left to apply


def test_an_old_store_is_upgraded(tmp_path):
    db = connect(tmp_path / "old.duckdb")
    assert migrate(db, target=1) == [1] and current(db) == 1
    db.close()
    st = Store.open(tmp_path / "old.duckdb")
    assert current(st.db) == max(v for v, _, _ in available())
    with st.db.transaction() as tx:
        assert [r["version"] for r in tx.all("SELECT version FROM schema_migrations ORDER BY version")] == [v for v, _, _ in available()]


_json = hs.recursive(hs.one_of(hs.integers(), hs.text(max_size=5), hs.booleans(), hs.floats(allow_nan=False)),
                     lambda kids: hs.one_of(hs.lists(kids, max_size=3), hs.dictionaries(hs.text(max_size=3), kids, max_size=3)),
                     max_leaves=12)
_docs = hs.dictionaries(hs.text(max_size=4), _json, max_size=5)


@settings(max_examples=300, deadline=None)
@given(_docs, _docs)
def test_a_version_is_a_diff_that_rebuilds_it(old, new):
    assert jpatch.apply(old, jpatch.diff(old, new)) == new
    assert jpatch.diff(new, new) == {}


def test_a_shared_draft_hides_other_regions_keys(w):
    w.ana.post("/api/scenarios", json={"name": "per-region", "base": "current-law"})
    doc = w.store.content("per-region")
    w.ana.put("/api/scenarios/per-region", json={"base_version": 1, "content": dict(doc, district_method={w.A: "M2", w.B: "M1"})})
    w.ana.post(f"/api/scenarios/per-region/share?region={w.A}")
    seen = w.a.get("/api/scenarios/per-region").json()["content"]
    assert seen["district_method"] == {w.A: "M2"} and "versions" not in w.a.get("/api/scenarios/per-region").json()
    assert w.ana.get("/api/scenarios/per-region").json()["content"]["district_method"] == {w.A: "M2", w.B: "M1"}


def test_several_server_processes_share_one_postgresql_store(postgres_url, tmp_path):
    """`serve --workers 2` on PostgreSQL: what one process saves, the other serves; a run started in one ends for all."""
    import subprocess
    import sys

    import httpx

    from interbudget.web.launch import served

    name = f"wb_workers_{next(_dbs)}"
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    url = postgres_url.rsplit("/", 1)[0] + "/" + name
    r = subprocess.run([sys.executable, "-m", "interbudget", "users", "add", "ana", "--role", "analyst", "--password-stdin",
                        "--store", url], input=PASSWORD + "\n", capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    with served(EXAMPLE, SCEN, url, "--workers", "2") as base:
        c = httpx.Client(base_url=base, timeout=60)
        login = c.post("/api/login", json={"username": "ana", "password": PASSWORD})
        c.cookies.set("ib_session", login.cookies["ib_session"])  # plain HTTP on loopback: httpx keeps Secure cookies for https
        csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
        assert c.post("/api/scenarios", json={"name": "multi", "base": "current-law"}, headers=csrf).status_code == 201
        assert {c.get("/api/scenarios/multi").status_code for _ in range(12)} == {200}  # whichever process answers
        rid = c.post("/api/scenarios/multi/runs", headers=csrf).json()["run"]
        assert {c.get(f"/api/runs/{rid}?wait=30").json()["status"] for _ in range(4)} == {"done"}


def test_guessing_a_password_locks_the_name_for_a_while(w):
    w.store.add_user("target", PASSWORD, "commission")
    for _ in range(w.store.MAX_FAILURES):
        assert w.public.post("/api/login", json={"username": "target", "password": "guess"}).status_code == 401
    r = w.public.post("/api/login", json={"username": "target", "password": PASSWORD})
    assert r.status_code == 429 and "too many failed logins" in r.json()["detail"]
    others = TestClient(w.app, base_url="https://testserver")  # others are unaffected
    assert others.post("/api/login", json={"username": "ana", "password": PASSWORD}).status_code == 200
    elsewhere = TestClient(w.app, base_url="https://testserver", client=("203.0.113.7", 50000))
    assert elsewhere.post("/api/login", json={"username": "target", "password": PASSWORD}).status_code == 200  # no lock-out by others
    failed = [a for a in w.store.audit_log(500) if a["action"] == "login.failed" and a["target"] == "target"]
    assert len(failed) == w.store.MAX_FAILURES


def test_a_version_that_does_not_run_on_the_dataset_is_not_saved(w):
    w.ana.post("/api/scenarios", json={"name": "unrunnable", "base": "current-law"})
    doc = w.store.content("unrunnable")
    r = w.ana.put("/api/scenarios/unrunnable", json={"base_version": 1, "content": dict(doc, years=[2030])})
    assert r.status_code == 422 and "2030 has no receipts" in r.json()["errors"]["scenario"]
    r = w.ana.put("/api/scenarios/unrunnable", json={"base_version": 1, "content": dict(doc, region_shares={w.A: 0.5})})
    assert r.status_code == 422 and "options 2 and 4" in r.json()["errors"]["scenario"]
    assert [v["version"] for v in w.store.versions("unrunnable")] == [1]
    from interbudget.web.editor import form_values

    form = dict(form_values(doc, list(w.app.state.workbench.ds.taxes)), csrf_token=w.ana.csrf, base_version="1", years="2030")
    page = w.ana.post("/scenarios/unrunnable/edit", data=form)
    assert page.status_code == 422 and "2030 has no receipts" in page.text.split('id="error-scenario"')[1][:300]
    # a version stored before such a check (or a dataset that changed) answers 422, never 500
    w.store.save_version("unrunnable", 1, dict(doc, years=[2030]), "ana")
    r = w.ana.get("/api/scenarios/unrunnable/budgets")
    assert r.status_code == 422 and "cannot be computed on this dataset" in r.json()["detail"]
    w.store.save_version("unrunnable", 2, doc, "ana")
    assert w.ana.get(f"/budget/{w.A}?scenario=unrunnable").status_code == 200  # its history leaves v2 out


@pytest.mark.parametrize("path,body", [
    ("/api/login", b'{"username": "ana", "password": "\\ud800"}'),
    ("/api/login", b'{"username": "\\ud800", "password": "x"}'),
    ("/api/objections", b'{"scenario": "current-law", "code": "x", "text": "\\udfff"}'),
    ("/api/scenarios", b'{"name": "\\ud800", "base": "current-law"}'),
])
def test_strings_that_are_not_unicode_are_refused_not_crashed_on(w, path, body):
    r = w.a.post(path, content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422 and "not valid Unicode" in r.json()["detail"]
    ok = w.a.post("/api/objections", content='{"scenario": "current-law", "code": "x", "text": "\\ud83d\\ude00 ✓"}'.encode(),
                  headers={"content-type": "application/json"})
    assert ok.status_code == 404  # a surrogate pair (an emoji) is fine: the unknown code is what is refused


def test_an_attachments_name_cannot_break_its_header(w):
    r = w.a.post("/objections", data={"csrf_token": w.a.csrf, "scenario": "current-law", "code": w.A, "text": "see file"},
                 files={"attachment": ('дані"; x=1.csv', b"1", "text/csv")}, follow_redirects=False)
    oid = int(r.headers["location"].split("/")[2].split("?")[0])
    aid = w.store.objection(oid)["attachments"][0]["id"]
    disposition = w.a.get(f"/attachments/{aid}").headers["content-disposition"]
    assert disposition.startswith('attachment; filename="') and disposition.count('"') == 2
    from urllib.parse import unquote

    stored = w.store.attachment(aid)["filename"]
    assert stored.startswith("дані") and unquote(disposition.split("filename*=UTF-8''")[1]) == stored


def test_what_the_security_review_found_stays_fixed(w):
    other = w.a.get(f"/attachments/{w.attachment_b}")  # region B's attachment, asked by region A
    assert other.status_code == 404 and other.json()["detail"] == f"unknown attachment {w.attachment_b}"
    assert w.public.get("/api/compare?draft=current-law@%C2%B2").status_code == 404  # '²' is a digit to str.isdigit
    body = f'{{"username": "ana", "password": "{PASSWORD}"}}'
    assert w.public.post("/api/login", content=body).status_code in (415, 422)  # a cross-site request cannot log anyone in
    assert w.public.post("/api/login", content=body, headers={"content-type": "text/plain"}).status_code in (415, 422)
    r = w.public.get("/api/compare", params={"draft": "option-2", "amendment": ["option-3"] * 6})
    assert r.status_code == 422 and "at most 5 amendments" in r.json()["detail"]
    anonymous = TestClient(w.app, base_url="https://testserver")
    big = anonymous.post("/objections", files={"attachment": ("x.bin", b"0" * 2**20)}, data={"text": "x"})
    assert big.status_code == 401  # refused before the body is read


@pytest.mark.parametrize("args,message", [
    (["users", "add", "x", "--role", "boss"], "unknown role 'boss'"),
    (["users", "add", "x", "--role", "akimat"], "an akimat user needs --region"),
    (["users", "add", "x", "--role", "analyst", "--region", "110000000"], "other roles have none"),
    (["users", "add", "x y", "--role", "analyst"], "use letters, digits"),
])
def test_bad_users_get_one_clear_line(tmp_path, args, message):
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "interbudget", *args, "--password-stdin", "--store", str(tmp_path / "s.duckdb")],
                       input=PASSWORD + "\n", capture_output=True, text=True)
    assert r.returncode == 2 and message in r.stdout + r.stderr and "Traceback" not in r.stderr


def test_cli_refuses_a_short_password_a_taken_name_and_workers_on_duckdb(tmp_path):
    import subprocess
    import sys

    def cli(*args, stdin=PASSWORD):
        return subprocess.run([sys.executable, "-m", "interbudget", *args], input=stdin + "\n", capture_output=True, text=True)

    store = str(tmp_path / "s.duckdb")
    r = cli("users", "add", "ana", "--role", "analyst", "--password-stdin", "--store", store, stdin="short")
    assert r.returncode == 2 and "at least 8 characters" in r.stdout + r.stderr
    assert cli("users", "add", "ana", "--role", "analyst", "--password-stdin", "--store", store).returncode == 0
    r = cli("users", "add", "ana", "--role", "commission", "--password-stdin", "--store", store)
    assert r.returncode == 2 and "exists already" in r.stdout + r.stderr
    listed = cli("users", "list", "--store", store)
    assert listed.returncode == 0 and listed.stdout.split()[:2] == ["ana", "analyst"]
    r = cli("serve", str(EXAMPLE), "--scenarios", str(SCEN), "--store", store, "--workers", "2")
    assert r.returncode == 2 and "needs a PostgreSQL store" in r.stdout + r.stderr


def test_a_restart_on_the_same_store_keeps_the_versions(tmp_path):
    """Scenario files with year keys (an envelope's {2027: ...}) are stored as JSON: a second start on the same store
    finds them unchanged (no new version), and a changed file becomes one new published version."""
    import shutil

    folder = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", folder)
    store = tmp_path / "s.duckdb"
    for _ in range(2):
        st = Store.open(store)
        create_app(ROOT / "data" / "kz", folder, None, st)
        assert [v["version"] for v in st.versions("envelope-2027")] == [1]
        st.close()
    path = folder / "envelope-2027.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("ceiling: 1.5", "ceiling: 1.4"), encoding="utf-8")
    st = Store.open(store)
    app = create_app(ROOT / "data" / "kz", folder, None, st)
    assert [v["version"] for v in st.versions("envelope-2027")] == [1, 2] and st.scenario("envelope-2027")["published"] == 2
    assert st.versions("envelope-2027")[1]["diff"] == {"envelope": {"ceiling": 1.4}}
    r = TestClient(app).get("/api/scenarios/envelope-2027/budgets?year=2027")
    assert r.status_code == 200 and r.json()["version"] == 2
