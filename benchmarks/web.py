"""Web load benchmark: `make bench-web`. Starts `interbudget serve` on data/kz like a user does, then N
concurrent clients on loopback read budget pages (each budget's explanation, drill-down tables, comparisons)
and run scenarios (as a logged-in analyst: start a run, poll it until done) for S seconds; prints errors and
p50/p95 latency per kind of request against a baseline measured in the same run (/api/scenarios, which touches
no engine). Target of the web issue: 50 clients, 60 s, no errors."""
from __future__ import annotations

import argparse
import asyncio
import random
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import httpx
import numpy as np

from interbudget.web.launch import served

ROOT = Path(__file__).resolve().parents[1]


PASSWORD = "bench password 123"
KINDS = ("baseline", "budget page", "drill-down", "compare", "run scenario")


async def run_scenario(c: httpx.AsyncClient, scenario: str, csrf: str) -> bool:
    """Start a run and poll it until it is done: the time a ministry analyst waits for a result."""
    r = await c.post(f"/api/scenarios/{scenario}/runs", headers={"X-CSRF-Token": csrf})
    if r.status_code != 202:
        return False
    rid = r.json()["run"]
    while True:
        st = (await c.get(f"/api/runs/{rid}?wait=30")).json()
        if st["status"] in ("done", "failed"):
            return st["status"] == "done"


async def client(base: str, codes: list[str], scenarios: list[str], until: float, seed: int, out: dict) -> None:
    rnd = random.Random(seed)
    async with httpx.AsyncClient(base_url=base, timeout=60) as c:
        login = await c.post("/api/login", json={"username": "bench", "password": PASSWORD})
        csrf = login.json()["csrf_token"]
        c.cookies.set("ib_session", login.cookies["ib_session"])  # httpx sends a Secure cookie over https only
        while time.perf_counter() < until:
            kind = rnd.choice(KINDS)
            s = rnd.choice(scenarios)
            t = time.perf_counter()
            if kind == "run scenario":
                try:
                    ok = await run_scenario(c, s, csrf)
                except httpx.HTTPError:
                    ok = False
                out.setdefault(kind, []).append((time.perf_counter() - t, ok))
                continue
            url = {"baseline": "/api/scenarios",
                   "budget page": f"/budget/{rnd.choice(codes)}?scenario={s}&lang={rnd.choice(['kk', 'ru', 'en'])}",
                   "drill-down": f"/?scenario={s}&parent={rnd.choice(codes[:20])}",
                   "compare": f"/compare?draft={s}"}[kind]
            try:
                r = await c.get(url)
                ok = r.status_code == 200
            except httpx.HTTPError:
                ok = False
            out.setdefault(kind, []).append((time.perf_counter() - t, ok))


async def load(base: str, clients: int, seconds: float) -> dict:
    async with httpx.AsyncClient(base_url=base) as c:
        scenarios = [s["name"] for s in (await c.get("/api/scenarios")).json()]
        regions = (await c.get("/api/scenarios/current-law/budgets")).json()["budgets"]
        codes = [r["code"] for r in regions]
        for r in regions[:5]:
            codes += [d["code"] for d in (await c.get(f"/api/scenarios/current-law/budgets?parent={r['code']}")).json()["budgets"]]
    out: dict = {}
    until = time.perf_counter() + seconds
    await asyncio.gather(*(client(base, codes, scenarios, until, i, out) for i in range(clients)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--postgresql", action="store_true", help="store on a throw-away PostgreSQL server (tests/pgserver.py)")
    ap.add_argument("--workers", type=int, default=1, help="server processes (with --postgresql)")
    args = ap.parse_args()
    with ExitStack() as stack:
        if args.postgresql:
            sys.path.insert(0, str(ROOT / "tests"))
            from pgserver import postgres_server

            store = stack.enter_context(postgres_server())
        else:
            store = str(Path(stack.enter_context(tempfile.TemporaryDirectory())) / "workbench.duckdb")
        subprocess.run([sys.executable, "-m", "interbudget", "users", "add", "bench", "--role", "analyst", "--password-stdin",
                        "--store", store], input=PASSWORD + "\n", text=True, check=True, capture_output=True)
        extra = ["--workers", str(args.workers)] if args.workers > 1 else []
        with served(ROOT / "data" / "kz", ROOT / "scenarios", store, *extra) as base:
            out = asyncio.run(load(base, args.clients, args.seconds))
    kind = f"PostgreSQL store, {args.workers} server process(es)" if args.postgresql else "one server process, DuckDB store"
    print(f"{args.clients} clients x {args.seconds:g} s on loopback, {kind} (data/kz, every scenario)")
    print("| request | count | errors | p50 ms | p95 ms | p50 / baseline p50 |")
    print("|---|---|---|---|---|---|")
    b50 = float(np.percentile([t for t, _ in out["baseline"]], 50)) * 1000
    for kind in KINDS:
        ts = np.array([t for t, _ in out.get(kind, [])]) * 1000
        errs = sum(1 for _, ok in out.get(kind, []) if not ok)
        if ts.size:
            p50, p95 = np.percentile(ts, 50), np.percentile(ts, 95)
            print(f"| {kind} | {ts.size} | {errs} | {p50:.1f} | {p95:.1f} | {p50 / b50:.1f}x |")


if __name__ == "__main__":
    main()
