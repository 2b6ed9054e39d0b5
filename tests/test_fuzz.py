"""Fuzzing the web API from its own OpenAPI schema (schemathesis): whatever a client sends, the answer is never a
server error (status < 500), for the public, for a logged-in analyst (session cookie + CSRF header), and for the
other two roles, the commission and an akimat.

Every operation of /openapi.json is fuzzed (the JSON API, and the pages and downloads it lists), in-process over
ASGI, with EXAMPLES_PER_OPERATION generated examples each, plus the schema's examples and schemathesis's coverage
cases. Generation is derandomized, so a CI run is reproducible.

Random strings almost never name a scenario, a budget, a year or an objection that exists, so two things take the
fuzzer past the 404s in front of the engine:
- the store is seeded with what the API reads: a draft `fuzz-draft` whose versions are the example scenarios with
  one to three values changed at random (seeded), each accepted by PUT /api/scenarios/{scenario}, shared with the
  akimat's region and partly published; an objection with an attachment; a finished run;
- hooks on the schema (`steer`) put known values (those names, versions, codes, years, ids) into the generated
  path, query and body parameters often, odd strings (a lone surrogate, NUL) and any JSON into body fields, and
  mutated scenario documents into PUT bodies; one body in four carries a deep (up to 900 levels) or large (past
  the 2 MB limit) value (`extreme`). Nesting deeper than a client can encode is sent as raw bytes to every JSON
  operation (test_deep_json_bytes_never_crash).
"""
import copy
import csv
import random
import time
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings, strategies as st
from schemathesis.checks import not_a_server_error

from interbudget.store import Store
from interbudget.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "example"
EXAMPLES_PER_OPERATION = 20
# no shrinking: a failure is reported as found (with its curl command), which keeps a failing run as short as a
# passing one instead of minutes longer
FUZZ = settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
                phases=[Phase.explicit, Phase.reuse, Phase.generate], suppress_health_check=list(HealthCheck))
USERS = {"analyst": "analyst-password", "commission": "commission-password", "akimat": "akimat-password"}
BIG = [0, -1, 2**31, 2**63, 10**30]  # ids and numbers at and past the database's integer types
MUTANT, MUTANT_VERSIONS, MUTANT_ATTEMPTS = "fuzz-draft", 16, 200
SCENARIO_KEYS = ["name", "description", "years", "option", "district_method", "rural_method", "regulated_taxes", "sharing",
                 "sharing_base", "child_shares", "withdrawal_rate", "references", "base_payers", "rural_budgets",
                 "capacity", "revision", "transfer_model", "targeted", "envelope", "mandates", "region_shares"]
# what a changed value becomes: in and out of range, other types, the scenario language's own words
VALUES = [0, 1, -1, 0.5, 0.99, 1.5, 2, 3, 4, 1e12, 2025, 2026, 2027, 2028, 2030, [2026], [2027, 2028], [2028, 2026], [],
          {}, None, "", "x", True, False, "M1", "M2", "M3", "M4", "general", "targeted", "republic", "region", "district",
          "rural", "iit_source", "vat", {"value": 0.5}, {"region": 0.5}]
GONE = object()


def _login(client: TestClient, user: str) -> dict:
    r = client.post("/api/login", json={"username": user, "password": USERS[user]})
    assert r.status_code == 200, r.text
    return {"Cookie": f"ib_session={r.cookies['ib_session']}", "X-CSRF-Token": r.json()["csrf_token"]}


def _paths(x, prefix=()):
    """Every key path into a document: (key, ...) for maps, (.., index) for lists."""
    if prefix:
        yield prefix
    items = x.items() if isinstance(x, dict) else enumerate(x) if isinstance(x, list) else ()
    for k, v in items:
        yield from _paths(v, (*prefix, k))


def _mutant(doc: dict, rnd: random.Random) -> dict:
    """DOC with one to three values changed, removed or added (the name stays)."""
    doc = copy.deepcopy(doc)
    for _ in range(rnd.randint(1, 3)):
        choices = [p for p in _paths(doc) if p != ("name",)] + [(k,) for k in SCENARIO_KEYS if k not in doc]
        path = rnd.choice(choices)
        parent = doc
        for k in path[:-1]:
            parent = parent[k]
        if isinstance(parent, dict) and rnd.random() < 0.2:
            parent.pop(path[-1], None)
        else:
            parent[path[-1]] = copy.deepcopy(rnd.choice(VALUES))
    return doc


@pytest.fixture(scope="module")
def workbench(tmp_path_factory):
    """The app on the example dataset with its scenarios and one user per role, seeded as the module says.
    Yields (app, headers of each user's session, known values of the parameters, the scenario documents)."""
    store = Store.open(str(tmp_path_factory.mktemp("fuzz") / "fuzz.duckdb"))
    store.add_user("analyst", USERS["analyst"], "analyst")
    store.add_user("commission", USERS["commission"], "commission")
    app = create_app(EXAMPLE, EXAMPLE / "scenarios", ROOT / "registry" / "kz", store)
    client = TestClient(app, base_url="https://testserver")  # the session cookie is Secure
    regions = [r["code"] for r in client.get("/api/scenarios/current-law/budgets").json()["budgets"]]
    store.add_user("akimat", USERS["akimat"], "akimat", region=regions[0])
    headers = {user: _login(client, user) for user in USERS}
    analyst, akimat = headers["analyst"], headers["akimat"]
    scenarios = [s["name"] for s in client.get("/api/scenarios", headers=analyst).json()]
    docs = [client.get(f"/api/scenarios/{s}", headers=analyst).json()["content"] for s in scenarios]

    # the draft's versions: example scenarios with something changed, as far as the validator lets them through
    assert client.post("/api/scenarios", json={"name": MUTANT, "base": "current-law"}, headers=analyst).status_code == 201
    rnd, latest = random.Random(20260), 1
    for _ in range(MUTANT_ATTEMPTS):
        doc = dict(_mutant(rnd.choice(docs), rnd), name=MUTANT)
        r = client.put(f"/api/scenarios/{MUTANT}", json={"base_version": latest, "content": doc}, headers=analyst)
        assert r.status_code in (200, 422), r.text
        latest = r.json()["version"] if r.status_code == 200 else latest
        if latest > MUTANT_VERSIONS:
            break
    for v in range(2, latest + 1, 3):  # every third one published in turn (the public sees the last); the akimat the latest
        assert client.post(f"/api/scenarios/{MUTANT}/publish?version={v}", headers=analyst).status_code == 200
    assert client.post(f"/api/scenarios/{MUTANT}/share?region={regions[0]}", headers=analyst).status_code == 200

    r = client.post("/objections", headers=akimat, data={"scenario": "current-law", "code": regions[0], "kind": "objection",
                                                         "text": "the population is out of date"},
                    files={"attachment": ("figures.csv", b"code,population\n", "text/csv")}, follow_redirects=False)
    assert r.status_code == 303, r.text
    oid = int(r.headers["location"].split("?")[0].rsplit("/", 1)[1])
    aid = client.get(f"/api/objections/{oid}", headers=akimat).json()["attachments"][0]["id"]
    rid = client.post("/api/scenarios/current-law/runs", headers=analyst).json()["run"]
    for _ in range(600):
        if client.get(f"/api/runs/{rid}", headers=analyst).json()["status"] != "running":
            break
        time.sleep(0.1)

    units = list(csv.DictReader((EXAMPLE / "units.csv").open(encoding="utf-8")))
    codes = [u["code"] for u in units if u["level"] in ("republic", "region")]
    codes += [u["code"] for u in units if u["level"] == "district"][::6] + [u["code"] for u in units if u["level"] == "rural"][::5]
    years = sorted({y for d in docs for y in d["years"]})
    named = [MUTANT] * len(scenarios) + scenarios  # the mutants weigh as much as all the others
    proposals = [p["name"] for p in client.get("/api/proposals").json()]
    known = {
        "scenario": named + ["", "nope"], "code": codes + ["", "1"], "parent": codes + ["1"],
        "year": years + [years[0] - 1, years[-1] + 1, *BIG], "version": list(range(1, latest + 2)) + BIG[2:],
        "lang": ["kk", "ru", "en", "de"], "base": named + ["current-law@1", f"{MUTANT}@2", "option-2@x", "@", "nope"],
        "draft": named + [f"{MUTANT}@{v}" for v in range(1, latest + 1)] + ["option-2@99", "nope"],
        "amendment": [[s] for s in named] + [[f"{MUTANT}@{latest}", f"{MUTANT}@1"], []],
        "region": regions + ["000000000", ""], "shared": [True, False], "status": ["open", "resolved", "rejected"],
        "oid": [oid, oid + 1, *BIG], "aid": [aid, aid + 1, *BIG], "run_id": [rid, rid + 1, *BIG], "limit": [1, 5000],
        # bodies
        "username": list(USERS) + [""], "password": list(USERS.values()) + [""],
        "name": named + proposals * 3 + ["new", "a" * 81, " ", "ä"],  # a new scenario's, or a proposal's
        "base_version": list(range(1, latest + 2)) + [True, *BIG],
        "kind": ["objection", "correction", "comment", "resolved", "rejected", "reopened"],
        "text": ["why", "", " "], "note": ["a note", None, 5, ["x"]],
    }
    yield app, headers, known, docs
    app.state.workbench.close()  # wait for the runs the fuzzer started
    store.close()


# strings a JSON body may carry that a URL cannot: a lone surrogate (valid JSON, not encodable as UTF-8), NUL, BOM;
# no NaN or infinity, which are not JSON (the client refuses to send them)
ODD_STRINGS = ["\ud800", "a\udfffb", "\x00", "a\x00b", "\ufeff", "\U0001d518", " " * 3, "a" * 300]
JSON = st.recursive(st.none() | st.booleans() | st.integers(-3, 3) | st.integers(2020, 2035) | st.integers()
                    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8) | st.sampled_from(ODD_STRINGS),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                    max_leaves=6)


def _nested(depth: int, leaf=1):
    for _ in range(depth):
        leaf = [leaf] if depth % 2 else {"x": leaf}
    return leaf


# deep and large JSON (issue 14): nesting around and far past the guard's limit (the client's own encoder stops near
# Python's recursion limit), strings and lists past the body's size limit; each in a field the operation declares
EXTREME = st.one_of(st.sampled_from([39, 40, 41, 60, 200, 900]).map(_nested),
                    st.sampled_from([10_001, 2 * 2**20 + 1]).map(lambda n: "x" * n),
                    st.sampled_from([100_000, 300_000]).map(lambda n: list(range(n))))


def extreme(body: dict, keys: list[str]) -> st.SearchStrategy:
    """BODY with one declared key (or a new one) holding a deep or large value."""
    return st.tuples(st.sampled_from(keys or ["x"]), EXTREME).map(lambda kv: {**body, kv[0]: kv[1]})


def mutated(doc, depth: int = 0) -> st.SearchStrategy:
    """A scenario document with one value somewhere replaced by any JSON value, or removed."""
    keys = list(doc) + [k for k in SCENARIO_KEYS if k not in doc] if depth == 0 else list(doc) + ["region", "x"]

    def at(key):
        inner = doc.get(key)
        options = [st.sampled_from(VALUES), JSON, st.just(GONE)]
        if isinstance(inner, dict) and inner and depth < 2:
            options.insert(0, mutated(inner, depth + 1))
        if isinstance(inner, list) and inner:
            options.insert(0, st.lists(JSON, min_size=len(inner), max_size=len(inner)) | st.just(inner[:1]) | st.just([]))
        return st.one_of(*options).map(lambda v: {k: x for k, x in {**doc, key: v}.items() if x is not GONE})

    return st.sampled_from(keys).flatmap(at)


def steer(known: dict, declared: list[str], value, anything: bool = False) -> st.SearchStrategy:
    """VALUE (the generated parameters), each DECLARED key with a known value replaced by one of the known values
    or kept as generated (or left out); ANYTHING: or replaced by an odd string or any JSON value (bodies)."""
    if not isinstance(value, dict):
        return st.just(value)
    more = [st.sampled_from(ODD_STRINGS), JSON] if anything else []
    parts = {key: st.one_of(st.sampled_from(known[key]), st.just(value.get(key, GONE)), *more) for key in declared if key in known}
    return st.fixed_dictionaries(parts).map(lambda new: {k: v for k, v in {**value, **new}.items() if v is not GONE})


@pytest.fixture(scope="module")
def api(workbench):
    app, _, known, docs = workbench
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    contents = st.sampled_from(docs).flatmap(lambda d: st.one_of(st.just(d), mutated(d)))

    def declared(context, where: str) -> list[str]:
        return [p["name"] for p in context.operation.definition.raw.get("parameters", []) if p["in"] == where]

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        return steer(known, declared(context, "path"), path_parameters)

    @schema.hook
    def flatmap_query(context, query):
        return steer(known, declared(context, "query"), query or {})

    @schema.hook
    def flatmap_body(context, body):
        if not isinstance(body, dict):
            return st.just(body)
        example = (context.operation.definition.raw.get("requestBody", {}).get("content", {}).get("application/json", {})
                   .get("schema", {}).get("examples") or [{}])[0]
        out = steer(known, list(example) + (["note"] if "content" in example else []), body, anything=True)
        if "content" in example:  # a scenario document: a real one, or one with something wrong in it
            out = st.tuples(out, st.one_of(contents, st.just(body.get("content", GONE)))).map(
                lambda p: {k: v for k, v in {**p[0], "content": p[1]}.items() if v is not GONE})
        return st.one_of(out, out, out, extreme(body, list(example)))  # one body in four deep or large

    return schema


@pytest.fixture(autouse=True)
def _nodeid_for_schemathesis(request):
    """schemathesis 4.32.5's fixture-loaded schemas read and rename `item._nodeid`, which pytest 9 no longer has
    (it keeps the id in `item._id`): give the item a plain attribute to work with. Nothing else changes."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


schema = schemathesis.pytest.from_fixture("api")


def _call(case, headers: dict | None):
    case.call_and_validate(headers=headers, checks=[not_a_server_error])


# the analyst first: what it saves, publishes and shares, the others then read
@schema.parametrize()
@FUZZ
def test_no_server_error_for_the_analyst(case, workbench):
    _call(case, workbench[1]["analyst"])


@schema.parametrize()
@FUZZ
def test_no_server_error_for_the_commission(case, workbench):
    _call(case, workbench[1]["commission"])


@schema.parametrize()
@FUZZ
def test_no_server_error_for_an_akimat(case, workbench):
    _call(case, workbench[1]["akimat"])


@schema.parametrize()
@FUZZ
def test_no_server_error_for_the_public(case):
    _call(case, None)


@pytest.mark.parametrize("depth", [41, 5_000, 100_000])
@pytest.mark.parametrize("user", ["analyst", "akimat", None])
def test_deep_json_bytes_never_crash(workbench, depth, user):
    """Every operation with a JSON body, given nesting deeper than any encoder writes: 422, never a 500."""
    app, headers, _, _ = workbench
    client = TestClient(app, base_url="https://testserver")
    spec = client.get("/openapi.json").json()
    body = ("[" * depth + "]" * depth).encode()
    ops = [(m, p) for p, item in spec["paths"].items() for m, op in item.items()
           if "application/json" in op.get("requestBody", {}).get("content", {})]
    assert len(ops) >= 5
    for method, path in ops:
        url = path.replace("{scenario}", "current-law").replace("{oid}", "1")
        r = client.request(method.upper(), url, content=body, headers={**(headers[user] if user else {}),
                                                                        "content-type": "application/json"})
        assert r.status_code == 422 and "nests deeper" in r.json()["detail"], (method, path, r.status_code)
