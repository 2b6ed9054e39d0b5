"""Issue 14, the web's part: what an akimat sees of a draft (one projection, a property over random documents and
viewers), error pages for people and JSON for programs, 401 to the login page and back, request limits (streamed,
JSON depth and size, text), the editor's problems all at once, compare at any name@version with amendments, the
API docs served offline, interrupted runs' page."""
import json

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings, strategies as hs

from interbudget.store import Store
from interbudget.web import projection
from interbudget.web.app import create_app
from interbudget.web.guard import MAX_JSON_BYTES, MAX_JSON_DEPTH, MAX_UPLOAD_BYTES, json_depth
from test_web import EXAMPLE, ROOT, SCEN

PASSWORD = "correct horse battery"
HTML = {"Accept": "text/html,application/xhtml+xml"}
ENVELOPE_TOTAL, POOL = 6_360_000.5, 500_000.25  # marks that must not reach an akimat


class Site:
    def __init__(self, tmp):
        self.store = Store.open(tmp / "wb.duckdb")
        self.app = create_app(EXAMPLE, SCEN, ROOT / "registry" / "kz", self.store)
        self.wb = self.app.state.workbench
        self.regions = [c for c, _ in self.wb.regions()]
        self.A, self.B = self.regions[0], self.regions[1]
        self.store.add_user("ana", PASSWORD, "analyst")
        self.store.add_user("aki", PASSWORD, "akimat", self.A)
        self.ana, self.aki = self.login("ana"), self.login("aki")
        self.public = TestClient(self.app, base_url="https://testserver")
        law = self.store.content("current-law")
        h = self.wb.ds.hierarchy
        districts_a = [c for c in h.codes.tolist() if c != self.A and c.startswith(self.A[:2])][:2]
        for name, extra in [("env-draft", {"envelope": {"total": ENVELOPE_TOTAL}}),
                            ("pool-draft", {"transfer_model": "targeted", "targeted": {"pool": POOL, "region_cap": 0.4}}),
                            ("maps-draft", {"option": 2, "region_shares": {self.A: 0.31, self.B: 0.77},
                                            "district_method": {self.A: "M1", self.B: "M4"},
                                            "child_shares": {c: {"vat": 0.1} for c in districts_a + [self.B]}})]:
            self.store.create_scenario(name, "example", dict(law, name=name, **extra), "ana", base="current-law")
            self.store.share(name, self.A, "ana")

    def login(self, user):
        c = TestClient(self.app, base_url="https://testserver")
        r = c.post("/api/login", json={"username": user, "password": PASSWORD})
        assert r.status_code == 200, r.text
        c.csrf = r.json()["csrf_token"]
        c.headers["X-CSRF-Token"] = c.csrf
        return c


@pytest.fixture(scope="module")
def s(tmp_path_factory):
    return Site(tmp_path_factory.mktemp("hardening"))


# ---- 2. what an akimat sees of a draft ------------------------------------------------------------
def _leaves(x):
    if isinstance(x, dict):
        for k, v in x.items():
            yield k
            yield from _leaves(v)
    elif isinstance(x, list):
        for v in x:
            yield from _leaves(v)
    else:
        yield x


def test_an_akimat_sees_no_national_aggregate_of_a_draft(s):
    for name, mark in (("env-draft", ENVELOPE_TOTAL), ("pool-draft", POOL)):
        mine = s.aki.get(f"/api/scenarios/{name}").json()
        assert mine["version"] == 1 and "envelope" not in mine["content"] and '"pool"' not in json.dumps(mine)
        assert mark not in set(_leaves(mine)) and str(mark) not in json.dumps(mine)
        assert str(mark) in json.dumps(s.ana.get(f"/api/scenarios/{name}").json())  # the ministry sees it
    assert s.aki.get("/api/scenarios/pool-draft").json()["content"]["targeted"] == {"region_cap": 0.4}
    ex = s.aki.get(f"/api/scenarios/env-draft/budgets/{s.A}").json()
    full = s.ana.get(f"/api/scenarios/env-draft/budgets/{s.A}").json()
    assert full["envelope"]["scale"] > 0 and ex["envelope"]["scale"] is None
    assert ex["envelope"]["allocated"] == full["envelope"]["allocated"]  # its own figure stays
    page = s.aki.get(f"/budget/{s.A}?scenario=env-draft").text
    assert f"{full['envelope']['scale']:.6g}" not in page and f"{full['envelope']['scale']:.6g}" in s.ana.get(
        f"/budget/{s.A}?scenario=env-draft").text
    maps = s.aki.get("/api/scenarios/maps-draft").json()["content"]
    assert maps["region_shares"] == {s.A: 0.31} and maps["district_method"] == {s.A: "M1"}
    assert s.B not in json.dumps(maps) and all(c.startswith(s.A[:2]) for c in maps["child_shares"])


CODES = hs.sampled_from(["110000000", "111000000", "470000000", "471000000", "750000000", "000000000", "999"])
NUM = hs.floats(-1e12, 1e12, allow_nan=False) | hs.integers(-10**9, 10**9)
VALUE = hs.recursive(NUM | hs.text(max_size=5) | hs.booleans(),
                     lambda kids: hs.lists(kids, max_size=3) | hs.dictionaries(hs.text(max_size=5) | CODES, kids, max_size=3), max_leaves=8)
KEYS = hs.sampled_from(["years", "option", "sharing", "withdrawal_rate", "envelope", "targeted", "region_shares", "child_shares",
                        "district_method", "rural_method", "mandates", "references", "capacity", "revision", "totals",
                        "national_pool", "description"])
DOCS = hs.dictionaries(KEYS, VALUE | hs.dictionaries(CODES, VALUE, max_size=4), max_size=10)
MARK = 123456789.987  # a national amount planted in the aggregates of each random document


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=DOCS, region=hs.sampled_from([None, "110000000", "470000000", "750000000"]))
def test_nothing_outside_the_viewers_region_survives_the_projection(doc, region):
    doc = dict(doc)
    if "envelope" in doc or region is None:
        doc["envelope"] = {"total": MARK, "scale": MARK}
    doc["targeted"] = {"pool": MARK, "region_cap": 0.5}
    region_of = {c: c[:2] + "0000000" for c in ["110000000", "111000000", "470000000", "471000000", "750000000"]}
    in_region = lambda code: region_of.get(code) == region  # noqa: E731
    out = projection.document(doc, region, in_region)
    if region is None:
        assert out == doc  # the ministry sees the document as it is
        return
    assert set(out) <= set(projection.RULES) | set(projection.PER_UNIT) | set(projection.PER_REGION_OR_ALL) | {"targeted", "references"}
    assert MARK not in set(_leaves(out)) and "envelope" not in out and "pool" not in out.get("targeted", {})
    for key in projection.PER_UNIT:
        assert all(in_region(c) for c in out.get(key) or {})
    for key in projection.PER_REGION_OR_ALL:
        if isinstance(out.get(key), dict):
            assert set(out[key]) <= {region}
    assert all(str(k).split(".")[0] in out for k in out.get("references") or {})
    for key in set(out) & set(projection.RULES):
        assert out[key] == doc[key]  # rules pass unchanged


@given(ex=hs.fixed_dictionaries({"code": CODES, "envelope": hs.fixed_dictionaries({"scale": NUM, "allocated": NUM, "need": NUM})}),
       region=hs.sampled_from([None, "110000000"]))
def test_an_explanations_national_scale_is_cut_for_a_region(ex, region):
    out = projection.explanation(ex, region)
    assert out == ex if region is None else (out["envelope"]["scale"] is None and out["envelope"]["allocated"] == ex["envelope"]["allocated"])


# ---- 7. errors for people, JSON for programs --------------------------------------------------------
@pytest.mark.parametrize("lang,title,home", [("kk", "Табылмады", "Бюджеттерге оралу"), ("ru", "Не найдено", "К бюджетам"),
                                            ("en", "Not found", "Back to the budgets")])
def test_a_browser_gets_an_error_page_in_its_language_with_navigation(s, lang, title, home):
    r = s.public.get(f"/budget/999?lang={lang}", headers=HTML)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert f'<html lang="{lang}">' in r.text and title in r.text and home in r.text and "unknown unit code &#39;999&#39;" in r.text
    assert '<nav>' in r.text and 'href="/compare?lang=' in r.text
    api = s.public.get(f"/api/scenarios/current-law/budgets/999?lang={lang}", headers=HTML)  # an API path stays JSON
    assert api.status_code == 404 and api.json()["detail"].startswith("unknown")
    assert s.public.get("/budget/999").json()["detail"]  # a program that does not ask for HTML: JSON


def test_the_language_comes_from_the_referring_page_or_the_browser(s):
    fresh = TestClient(s.app, base_url="https://testserver")  # no language chosen earlier (a cookie would win)
    r = fresh.get("/budget/999", headers={**HTML, "Referer": "https://testserver/?lang=ru"})
    assert "Не найдено" in r.text
    r = fresh.get("/budget/999", headers={**HTML, "Accept-Language": "kk-KZ,kk;q=0.9,ru;q=0.8"})
    assert "Табылмады" in r.text


@pytest.mark.parametrize("status,who,method,path,word", [
    (403, "aki", "GET", "/audit?lang=ru", "Нет доступа"),
    (404, "aki", "GET", "/?scenario=private-nothing&lang=kk", "Табылмады"),
    (422, "public", "GET", "/?year=abc&lang=ru", "Проверьте введённые данные"),
    (405, "public", "PUT", "/compare?lang=en", "Not allowed here"),
])
def test_every_error_status_has_a_page(s, status, who, method, path, word):
    c = s.aki if who == "aki" else s.public
    r = c.request(method, path, headers=HTML)
    assert r.status_code == status and word in r.text and "<nav>" in r.text


def test_a_conflict_and_the_lock_out_are_pages_for_a_person(s):
    s.store.add_user("locked", PASSWORD, "commission")
    c = TestClient(s.app, base_url="https://testserver")
    login = c.get("/login?lang=kk", headers=HTML)
    token = login.text.split('name="csrf_token" value="')[1].split('"')[0]
    for _ in range(s.store.MAX_FAILURES):
        r = c.post("/login", data={"username": "locked", "password": "x", "csrf_token": token, "lang": "kk"}, headers=HTML)
        assert r.status_code == 401 and "<form" in r.text
    r = c.post("/login?lang=kk", data={"username": "locked", "password": PASSWORD, "csrf_token": token, "lang": "kk"}, headers=HTML)
    assert r.status_code == 429 and "Әрекет тым көп" in r.text and "too many failed logins" in r.text


def test_401_sends_a_browser_to_the_login_page_and_back(s):
    c = TestClient(s.app, base_url="https://testserver")
    r = c.get("/scenarios?lang=ru", headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?lang=ru&next=%2Fscenarios%3Flang%3Dru"
    page = c.get(r.headers["location"], headers=HTML)
    assert page.status_code == 200 and 'name="next" value="/scenarios?lang=ru"' in page.text and 'lang="ru"' in page.text
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    r = c.post("/login", data={"username": "ana", "password": PASSWORD, "csrf_token": token, "next": "/scenarios?lang=ru",
                               "lang": "ru"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/scenarios?lang=ru"
    assert c.get(r.headers["location"], headers=HTML).status_code == 200
    assert TestClient(s.app).get("/api/objections").status_code == 401  # the API: 401, no redirect


# ---- 6. limits --------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/api/login", "/api/scenarios", "/api/objections", "/api/scenarios/env-draft"])
def test_deep_json_is_refused_before_parsing(s, path):
    body = "[" * 100_000 + "]" * 100_000
    method = "PUT" if path == "/api/scenarios/env-draft" else "POST"
    r = s.ana.request(method, path, content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422 and f"deeper than {MAX_JSON_DEPTH}" in r.json()["detail"]
    r = s.ana.request(method, path, content='{"a": ' * 50 + "1" + "}" * 50, headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_json_depth_is_read_without_parsing():
    assert json_depth(b'{"a": [1, {"b": "[[[[{{{"}]}') == 3 and json_depth(b'"\\"[["') == 0 and json_depth(b"") == 0


def test_large_json_and_chunked_uploads_stop_at_the_limit(s):
    big = b'{"username": "' + b"a" * (MAX_JSON_BYTES + 10) + b'"}'
    r = s.public.post("/api/login", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413
    sent = []

    def chunks():  # a chunked upload: no Content-Length, larger than any limit
        boundary = b"--xyz\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"big.bin\"\r\n\r\n"
        yield boundary
        for _ in range(MAX_UPLOAD_BYTES // 2**20 + 40):
            sent.append(1)
            yield b"x" * 2**20

    aki = s.aki
    r = aki.post("/objections", content=chunks(), headers={"content-type": "multipart/form-data; boundary=xyz", **HTML})
    assert r.status_code == 413 and "larger than" in r.text


def test_texts_are_limited_on_the_api(s):
    r = s.aki.post("/api/objections", json={"scenario": "env-draft", "code": s.A, "text": "x" * 10_001})
    assert r.status_code == 422 and "at most 10,000" in r.json()["detail"]


# ---- the editor: every problem at once ---------------------------------------------------------------
def test_the_editor_shows_every_problem_at_once(s):
    from interbudget.web.editor import form_values

    s.store.create_scenario("editme", "example", dict(s.store.content("current-law"), name="editme"), "ana", base="current-law")
    form = form_values(s.store.content("editme"), list(s.wb.ds.taxes))
    form.update({"csrf_token": s.ana.csrf, "base_version": "1", "years": "2026, 2031", "option": "9", "withdrawal_rate": "abc",
                 "sharing.vat.region": "1.5", "lang": "kk"})
    r = s.ana.post("/scenarios/editme/edit", data=form)
    assert r.status_code == 422
    for field, words in [("years", "сценарийдің 2031 жылына түсімдер жоқ"), ("option", "белгісіз нұсқа «9»"),
                         ("withdrawal_rate", "«abc» — сан емес"), ("sharing-vat-region", "1.5 мәні [0, 1] аралығынан тыс")]:  # in kk (issue 19)
        assert f'id="error-{field}"' in r.text and words in r.text.split(f'id="error-{field}"')[1][:200], field
    api = s.ana.put("/api/scenarios/editme", json={"base_version": 1, "content": dict(s.store.content("editme"), years=[2026, 2031],
                                                                                      region_shares={s.A: 0.5})})
    errors = api.json()["errors"]
    assert "2031 has no receipts" in errors["years"] and "options 2 and 4" in errors["advanced"]
    assert "2031 has no receipts" in errors["scenario"] and "options 2 and 4" in errors["scenario"]


# ---- 8. compare at any version, with amendments -------------------------------------------------------
def test_compare_takes_any_name_at_version_and_shows_what_the_api_computes(s):
    doc = s.store.content("editme")
    s.ana.put("/api/scenarios/editme", json={"base_version": 1, "content": dict(doc, option=3)})
    url = "draft=editme@1&amendment=editme@2&amendment=option-4&year=2027"
    api = s.ana.get(f"/api/compare?{url}").json()
    page = s.ana.get(f"/compare?{url}&lang=ru").text
    assert '<option selected>editme@1</option>' in page.split('id="draft"')[1].split("</select>")[0]
    assert '<option selected>editme@2</option>' in page and '<option selected>option-4</option>' in page
    assert page.count('<section class="comparison"') == len(api["comparisons"]) == 5  # base and draft against each later one
    from interbudget.i18n import fmt_amount

    for c, sec in zip(api["comparisons"], page.split('<section class="comparison"')[1:], strict=True):
        for r in c["transfer_gains"] + c["transfer_losses"] + c["balance_gains"] + c["balance_losses"]:
            assert r["code"] in sec and fmt_amount(round(r["change"], 1) + 0.0, "ru") in sec
        for b in c["bands"]:
            assert fmt_amount(round(b["change_per_capita_tenge"], 1) + 0.0, "ru") in sec.split('class="bands"')[1]
        for v in c["transitions"].values():
            assert f": {len(v)}" in sec
    assert s.ana.get("/compare?draft=editme@0").status_code == 404


# ---- docs offline --------------------------------------------------------------------------------------
@pytest.mark.parametrize("path,asset", [("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")])
def test_the_api_docs_come_from_the_installed_package(s, path, asset):
    r = s.public.get(path)
    assert r.status_code == 200 and f"/docs-assets/{asset}" in r.text
    assert "cdn." not in r.text and "googleapis" not in r.text and "unpkg" not in r.text
    js = s.public.get(f"/docs-assets/{asset}")
    assert js.status_code == 200 and len(js.content) > 100_000


# ---- 4. an interrupted run's page -----------------------------------------------------------------------
def test_an_interrupted_run_says_so_with_run_again(s):
    rid = s.store.start_run("current-law", 1, "ana")
    assert rid in s.store.interrupt_runs()
    page = s.ana.get(f"/runs/{rid}?lang=ru").text
    assert "Сервер остановился до окончания расчёта" in page and "failed</span> (прерван)" in page and 'id="run-again"' in page
    r = s.ana.post("/scenarios/current-law/run", data={"csrf_token": s.ana.csrf, "version": "1", "lang": "ru"}, follow_redirects=False)
    assert r.status_code == 303
    again = int(r.headers["location"].split("/")[2].split("?")[0])
    assert s.ana.get(f"/api/runs/{again}?wait=30").json()["status"] == "done"


# ---- report.html in the chosen language, without server paths ---------------------------------------------
@pytest.mark.parametrize("lang,words", [("kk", ["Облыстар бойынша субвенциялар", "Көрсеткіштер"]),
                                        ("ru", ["Субвенции и изъятия по областям", "Показатели"]),
                                        ("en", ["Subventions and withdrawals by region", "Metrics"])])
def test_the_html_report_speaks_the_chosen_language_and_hides_server_paths(s, lang, words):
    r = s.public.get(f"/download/current-law/report.html?lang={lang}")
    assert r.status_code == 200 and f'<html lang="{lang}">' in r.text
    shown = lambda w: w in r.text or json.dumps(w)[1:-1] in r.text  # noqa: E731  (charts' texts are JSON, escaped)
    assert all(shown(w) for w in words)
    assert str(EXAMPLE.resolve()) not in r.text and str(ROOT) not in r.text and "data/example" not in r.text
    assert "example" in r.text  # the dataset is named, by its folder's name and fingerprint
    h = s.wb.ds.hierarchy
    region = h.codes.tolist().index(s.A)
    assert shown(h.name(region, lang))


# ---- 3. saves of different scenarios through the API never conflict ----------------------------------------
def test_analysts_saving_different_scenarios_at_once_never_conflict(s):
    """Each analyst reads its scenario, saves from the version it was shown, reads again (the old code showed a
    cached, older version in about one save in fifteen here, and the next save then conflicted with itself)."""
    import threading

    names = [f"parallel-{i}" for i in range(3)]
    for n in names:
        assert s.ana.post("/api/scenarios", json={"name": n, "base": "current-law"}).status_code == 201
    statuses, shown = [], []

    def analyst(n):
        c = s.login("ana")
        for k in range(15):
            d = c.get(f"/api/scenarios/{n}").json()
            shown.append(d["version"] == k + 1)
            r = c.put(f"/api/scenarios/{n}", json={"base_version": d["version"],
                                                   "content": dict(d["content"], withdrawal_rate=round(0.5 + k / 100, 2))})
            statuses.append(r.status_code)
            if r.status_code == 200:
                assert r.json()["version"] == d["version"] + 1  # the version just saved
            c.get("/api/scenarios")

    threads = [threading.Thread(target=analyst, args=(n,)) for n in names]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert statuses == [200] * 45 and all(shown)
    assert [s.store.latest(n) for n in names] == [16, 16, 16]
