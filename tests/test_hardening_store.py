"""Issue 14, the store's part, on DuckDB and on PostgreSQL: parallel wrong logins never exceed the lock-out's
limit; a spoofed X-Forwarded-For changes nothing (only a --trusted-proxy's header is read); concurrent saves of
different scenarios never conflict and of one scenario exactly one wins; runs a dead server left are failed
(interrupted); texts have limits."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from interbudget.errors import InterbudgetError
from interbudget.store import Conflict, Store, TooManyAttempts
from interbudget.store.store import MAX_TEXT
from interbudget.web.app import create_app
from test_web import EXAMPLE, ROOT, SCEN
from test_workbench import PASSWORD, store_url  # noqa: F401  (the DuckDB / PostgreSQL fixture)


@pytest.fixture(scope="module")
def st(store_url):  # noqa: F811
    s = Store.open(store_url)
    create_app(EXAMPLE, SCEN, ROOT / "registry" / "kz", s)  # imports and publishes the example scenarios
    s.add_user("victim", PASSWORD, "commission")
    s.add_user("ana", PASSWORD, "analyst")
    return s


def test_parallel_wrong_logins_never_exceed_the_limit(st):
    outcomes = []

    def guess(i):
        try:
            outcomes.append("checked" if st.authenticate("victim", f"guess {i}", "198.51.100.1") is None else "in")
        except TooManyAttempts:
            outcomes.append("refused")

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(guess, range(60)))
    assert outcomes.count("checked") == st.MAX_FAILURES and outcomes.count("refused") == 60 - st.MAX_FAILURES
    with pytest.raises(TooManyAttempts):  # the right password too, from that address
        st.authenticate("victim", PASSWORD, "198.51.100.1")
    assert st.authenticate("victim", PASSWORD, "198.51.100.2")["username"] == "victim"  # no lock-out of others
    failed = [a for a in st.audit_log(500) if a["action"] == "login.failed" and a["target"] == "victim"]
    assert len(failed) == st.MAX_FAILURES and all('"198.51.100.1"' in a["details"] for a in failed)


def test_a_success_starts_the_count_again(st):
    st.add_user("forgetful", PASSWORD, "commission")
    for _ in range(3):
        for _ in range(st.MAX_FAILURES - 1):
            assert st.authenticate("forgetful", "wrong", "192.0.2.5") is None
        assert st.authenticate("forgetful", PASSWORD, "192.0.2.5") is not None


@pytest.mark.parametrize("proxies,peer,forwarded,seen", [
    ((), "192.0.2.10", "203.0.113.1", "192.0.2.10"),                           # no proxy configured: header ignored
    (("10.0.0.1",), "192.0.2.10", "203.0.113.1", "192.0.2.10"),               # not from the proxy: ignored
    (("10.0.0.1",), "10.0.0.1", "6.6.6.6, 203.0.113.1", "203.0.113.1"),       # the proxy's own hop, not the client's
    (("10.0.0.0/8",), "10.0.0.1", "203.0.113.1, 10.0.0.7", "203.0.113.1"),    # chains of trusted proxies
    (("10.0.0.1",), "10.0.0.1", "not-an-address", "10.0.0.1"),
])
def test_forwarded_headers_count_only_from_trusted_proxies(st, proxies, peer, forwarded, seen):
    app = create_app(EXAMPLE, SCEN, ROOT / "registry" / "kz", st, trusted_proxies=proxies)
    c = TestClient(app, base_url="https://testserver", client=(peer, 40000))
    user = f"spoof{abs(hash((proxies, peer, forwarded))) % 10**8}"
    for i in range(st.MAX_FAILURES + 3):  # a different spoofed address each time
        r = c.post("/api/login", json={"username": user, "password": "x"},
                   headers={"X-Forwarded-For": forwarded if proxies else f"203.0.113.{i}"})
        assert r.status_code == (401 if i < st.MAX_FAILURES else 429), (i, r.text)
    clients = {a["details"] for a in st.audit_log(2000) if a["action"] == "login.failed" and a["target"] == user}
    assert clients == {f'{{"client": "{seen}"}}'}


def test_a_bad_trusted_proxy_is_a_clear_error(st):
    with pytest.raises(InterbudgetError, match="--trusted-proxy 'nonsense': not an IP address"):
        create_app(EXAMPLE, SCEN, ROOT / "registry" / "kz", st, trusted_proxies=["nonsense"])


def test_concurrent_saves_of_different_scenarios_never_conflict(st):
    names = [f"own-{i}" for i in range(3)]
    for n in names:
        st.create_scenario(n, "example", dict(st.content("current-law"), name=n), "ana", base="current-law")
    st.scenarios()  # a cached listing, as pages keep asking for it
    results, errors = {n: [] for n in names}, []

    def analyst(n):
        doc = st.content(n)
        try:
            for k in range(8):
                v = st.save_version(n, k + 1, dict(doc, withdrawal_rate=round(0.5 + k / 100, 2)), f"ana-{n}")
                results[n].append(v)
                st.scenarios()  # another request reads the listing in between
        except Conflict as exc:
            errors.append(str(exc))

    threads = [threading.Thread(target=analyst, args=(n,)) for n in names]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert errors == []
    for n in names:
        assert results[n] == list(range(2, 10))  # each save returns the version it saved
        assert st.scenario(n)["latest"] == 9 and st.latest(n) == 9
        assert st.content(n)["withdrawal_rate"] == 0.57


def test_concurrent_saves_of_one_scenario_keep_exactly_one(st):
    st.create_scenario("contested-14", "example", dict(st.content("current-law"), name="contested-14"), "ana", base="current-law")
    doc = st.content("contested-14")
    outcomes = []

    def save(i):
        try:
            outcomes.append(st.save_version("contested-14", 1, dict(doc, withdrawal_rate=i / 10), f"user{i}"))
        except Conflict as exc:
            outcomes.append("conflict" if "after you opened version 1" in str(exc) else str(exc))

    threads = [threading.Thread(target=save, args=(i,)) for i in range(1, 9)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert outcomes.count(2) == 1 and outcomes.count("conflict") == 7
    assert [v["version"] for v in st.versions("contested-14")] == [1, 2]


def test_runs_a_dead_server_left_are_failed_interrupted(st):
    queued = st.start_run("current-law", 1, "ana")
    running = st.start_run("current-law", 1, "ana")
    st.progress(running, "computing", 0.3)
    done = st.start_run("current-law", 1, "ana")
    st.finish_run(done, {"ok": True}, "code\n")
    assert st.interrupt_runs() == sorted([queued, running])
    for rid in (queued, running):
        r = st.run(rid)
        assert (r["status"], r["stage"]) == ("failed", "interrupted") and "run it again" in r["error"]
    assert st.run(done)["status"] == "done" and st.interrupt_runs() == []
    assert any(a["action"] == "run.interrupted" for a in st.audit_log(50))


def test_texts_have_limits(st):
    oid = st.file_objection("current-law", 1, "x", "r", 2026, "objection", "fine", "aki")
    with pytest.raises(InterbudgetError, match=f"at most {MAX_TEXT:,}"):
        st.file_objection("current-law", 1, "x", "r", 2026, "objection", "a" * (MAX_TEXT + 1), "aki")
    with pytest.raises(InterbudgetError, match=f"at most {MAX_TEXT:,}"):
        st.add_event(oid, "comment", "b" * (MAX_TEXT + 1), "com")
    with pytest.raises(InterbudgetError, match="note has 1,001 characters"):
        st.save_version("current-law", st.latest("current-law"), dict(st.content("current-law"), option=2), "ana", "n" * 1001)
