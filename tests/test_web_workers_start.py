"""`serve --workers N` starts each worker without redoing the parent's work: the parent imported the scenarios
folder and ran every scenario against the dataset once; a worker's app (web/app.py from_environment) serves them
from the shared store without running them again. (Three app builds, each running the folder's scenarios, made
the two-worker start take about twice a single start: 89 s at a load of 14 on this 2-core machine, past the
120 s that tests/test_workbench.py's PostgreSQL test waits when the load is higher.)"""
from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from interbudget.store import Store
from interbudget.web.app import create_app, from_environment
from interbudget.web.workbench import Workbench

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "example"


def test_a_worker_serves_the_parents_import_without_running_the_folder_again(tmp_path, monkeypatch):
    store = tmp_path / "wb.duckdb"
    st = Store.open(store)
    create_app(EXAMPLE, EXAMPLE / "scenarios", ROOT / "registry" / "kz", st)  # the parent: imports and checks
    st.close()
    runs = []
    real = Workbench.check
    monkeypatch.setattr(Workbench, "check", lambda self, doc, source: runs.append(source) or real(self, doc, source))
    monkeypatch.setenv("INTERBUDGET_SERVE", json.dumps({"dataset": str(EXAMPLE), "scenarios": str(EXAMPLE / "scenarios"),
                                                        "store": str(store), "registry": str(ROOT / "registry" / "kz"),
                                                        "secure": False, "trusted_proxies": [], "programme": None}))
    app = from_environment()
    assert runs == []  # no scenario of the folder run again at the worker's start
    served = {s["name"] for s in TestClient(app).get("/api/scenarios").json()}
    assert served == {p.stem for p in (EXAMPLE / "scenarios").glob("*.yaml")}
    app.state.workbench.store.close()


def test_a_multi_worker_start_is_given_the_time_of_two_builds(monkeypatch):
    """served() waits 120 s for one app build, 240 s for `--workers` (the parent's build, then the workers')."""
    import httpx
    import pytest

    from interbudget.web import launch

    clock = [0.0]

    class Starting:  # a server that keeps starting: alive, never answering
        stdout = None

        def __init__(self, args, **_):
            self.args = args

        def poll(self):
            return None

        def terminate(self):
            pass

        def wait(self, _):
            return 0

    def never(*_, **__):
        raise httpx.ConnectError("not yet")

    monkeypatch.setattr(launch.subprocess, "Popen", Starting)
    monkeypatch.setattr(launch.httpx, "get", never)
    monkeypatch.setattr(launch.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(launch.time, "sleep", lambda s: clock.__setitem__(0, clock[0] + s))
    for extra, limit in [((), "120"), (("--workers", "2"), "240")]:
        clock[0] = 0.0
        with pytest.raises(RuntimeError, match=f"did not answer in {limit} s"), launch.served(EXAMPLE, EXAMPLE, "x", *extra):
            pass
