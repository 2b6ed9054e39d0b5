"""Issue 14 against a real `interbudget serve` process: run workers end with the server (kill -9 and a clean stop),
a restart fails the runs the dead server left (none stays `running`), a 300 MB chunked upload is refused without
the server's memory growing by it,
and the README's httpx session works over plain http://127.0.0.1 (the Secure flag is off on loopback only)."""
import os
import re
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from interbudget.store import Store
from test_web import EXAMPLE, ROOT, SCEN

PASSWORD = "correct horse battery"


@contextmanager
def serving(store: Path, *extra: str):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "interbudget", "serve", str(EXAMPLE), "--scenarios", str(SCEN), "--port",
                             str(port), "--store", str(store), *extra], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/api/scenarios", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read()
                assert time.monotonic() < deadline, "serve did not answer in 60 s"
                time.sleep(0.2)
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(30)


def children(pid: int) -> list[int]:
    """Every live descendant of PID (from /proc)."""
    parents = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            parents[int(d.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parents.items() if pp == p]
        out += kids
        todo += kids
    return out


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def analyst(store: Path) -> None:
    st = Store.open(store)
    if "ana" not in {u["username"] for u in st.users()}:
        st.add_user("ana", PASSWORD, "analyst")
    st.close()


def session(url: str) -> httpx.Client:
    c = httpx.Client(base_url=url, timeout=60)
    login = c.post("/api/login", json={"username": "ana", "password": PASSWORD})
    assert login.status_code == 200, login.text
    c.headers["X-CSRF-Token"] = login.json()["csrf_token"]
    return c


@pytest.mark.parametrize("stop", ["kill -9", "terminate"])
def test_run_workers_end_with_the_server(tmp_path, stop):
    store = tmp_path / "wb.duckdb"
    analyst(store)
    with serving(store) as (url, proc):
        c = session(url)  # plain http on loopback: the cookie is kept (no Secure flag there)
        rid = c.post("/api/scenarios/current-law/runs").json()["run"]
        assert c.get(f"/api/runs/{rid}", params={"wait": 30}).json()["status"] == "done"
        workers = children(proc.pid)
        assert len(workers) >= 2  # the run workers and multiprocessing's resource tracker
        proc.send_signal(signal.SIGKILL if stop == "kill -9" else signal.SIGTERM)
        proc.wait(30)
        deadline = time.monotonic() + 15
        while any(alive(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [p for p in workers if alive(p)] == []


def test_after_kill_9_and_a_restart_no_run_is_running(tmp_path):
    store = tmp_path / "wb.duckdb"
    analyst(store)
    with serving(store) as (url, proc):
        c = session(url)
        done = c.post("/api/scenarios/current-law/runs").json()["run"]
        assert c.get(f"/api/runs/{done}", params={"wait": 30}).json()["status"] == "done"
        proc.kill()
        proc.wait(30)
    st = Store.open(store)  # what the killed server had in flight
    queued = st.start_run("current-law", 1, "ana")
    running = st.start_run("current-law", 1, "ana")
    st.progress(running, "computing", 0.3)
    st.close()
    with serving(store) as (url, proc):
        c = session(url)
        runs = {r: c.get(f"/api/runs/{r}").json() for r in (done, queued, running)}
        assert runs[done]["status"] == "done"
        for r in (queued, running):
            assert (runs[r]["status"], runs[r]["stage"]) == ("failed", "interrupted"), runs[r]
        page = c.get(f"/runs/{running}?lang=kk").text
        assert "үзілді" in page and 'id="run-again"' in page
        assert "running" not in {x["status"] for x in runs.values()}


def test_an_upload_is_refused_while_it_streams_in(tmp_path):
    store = tmp_path / "wb.duckdb"
    st = Store.open(store)
    st.add_user("aki", PASSWORD, "akimat", "110000000")
    st.close()
    from interbudget.web.guard import MAX_UPLOAD_BYTES

    total = MAX_UPLOAD_BYTES // 2**20 + 250  # about 300 MB, without Content-Length
    sent = []

    def body():
        yield b"--xyz\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"big.bin\"\r\n\r\n"
        for _ in range(total):
            sent.append(1)
            yield b"x" * 2**20

    def peak_mb(pid):  # the server's peak resident memory
        status = Path(f"/proc/{pid}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024

    with serving(store) as (url, proc):
        c = httpx.Client(base_url=url, timeout=60)
        login = c.post("/api/login", json={"username": "aki", "password": PASSWORD})
        before = peak_mb(proc.pid)
        try:
            r = c.post("/objections", content=body(), headers={"content-type": "multipart/form-data; boundary=xyz",
                                                               "X-CSRF-Token": login.json()["csrf_token"]})
            assert r.status_code == 413 and "larger than" in r.text
        except (httpx.WriteError, httpx.RemoteProtocolError, httpx.ReadError):
            pass  # the server answered 413 and closed the connection while the client was still sending
        assert peak_mb(proc.pid) - before < 60, f"the server's memory grew {peak_mb(proc.pid) - before:.0f} MB"
        assert c.get("/api/me").status_code == 200  # and it still serves


def test_a_spoofed_forwarded_header_changes_nothing(tmp_path):
    """uvicorn itself trusts X-Forwarded-For from 127.0.0.1: the lock-out and the audit log must not."""
    store = tmp_path / "wb.duckdb"
    analyst(store)
    with serving(store) as (url, _proc):
        codes = [httpx.post(f"{url}/api/login", json={"username": "ana", "password": "guess"},
                            headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code for i in range(12)]
        assert codes == [401] * 10 + [429] * 2
        c = session_from(url, "198.51.100.9")  # the real analyst, on another machine behind no proxy: also 127.0.0.1
    st = Store.open(store)
    clients = {a["details"] for a in st.audit_log(100) if a["action"] == "login.failed"}
    st.close()
    assert clients == {'{"client": "127.0.0.1"}'} and c == 429


def session_from(url: str, forwarded: str) -> int:
    return httpx.post(f"{url}/api/login", json={"username": "ana", "password": PASSWORD},
                      headers={"X-Forwarded-For": forwarded}).status_code


def test_the_readmes_httpx_session_works(tmp_path):
    store = tmp_path / "wb.duckdb"
    analyst(store)
    block = re.search(r"<!-- api-python -->\n```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.DOTALL).group(1)
    with serving(store) as (url, _proc):
        r = subprocess.run([sys.executable, "-c", block], capture_output=True, text=True, timeout=120,
                           env={**os.environ, "INTERBUDGET_URL": url, "INTERBUDGET_USER": "ana", "INTERBUDGET_PASSWORD": PASSWORD})
    assert r.returncode == 0, r.stderr
    assert "'role': 'analyst'" in r.stdout and r.stdout.strip().endswith("done")


@pytest.mark.parametrize("extra,secure", [((), False), (("--secure-cookies",), True), (("--trusted-proxy", "127.0.0.1"), True)])
def test_secure_cookies_are_off_by_default_on_loopback_only(tmp_path, extra, secure):
    from interbudget.cli.web import _secure_cookies

    store = tmp_path / "wb.duckdb"
    analyst(store)
    with serving(store, *extra) as (url, _proc):
        r = httpx.post(f"{url}/api/login", json={"username": "ana", "password": PASSWORD})
        assert r.status_code == 200 and ("; secure" in r.headers["set-cookie"].lower()) == secure
    assert _secure_cookies(None, "0.0.0.0", []) and _secure_cookies(None, "10.1.2.3", []) and not _secure_cookies(None, "::1", [])
    assert not _secure_cookies(True, "0.0.0.0", []) and _secure_cookies(False, "127.0.0.1", [])


def test_serve_refuses_a_bad_trusted_proxy_in_one_line(tmp_path):
    r = subprocess.run([sys.executable, "-m", "interbudget", "serve", str(EXAMPLE), "--scenarios", str(SCEN), "--store",
                        str(tmp_path / "wb.duckdb"), "--trusted-proxy", "proxy.example"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "--trusted-proxy 'proxy.example': not an IP address" in r.stdout + r.stderr
    assert "Traceback" not in r.stdout + r.stderr
