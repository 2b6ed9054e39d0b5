"""Page render benchmark (issue 19): p50/p95 of each main page of the workbench on data/kz, in-process (TestClient,
no network), after one warm-up request per page (the engine's results per scenario version are cached by the
workbench, so this measures rendering: the figures a page derives, the template, the map, the charts that are there).
Printed against two baselines measured in the same run: a minimal Jinja page through the same app (/search with no
query: the layout alone) and the /api JSON of the same data (the dashboard's budgets). Target: p50 < 300 ms.

    .venv/bin/python benchmarks/web_render.py [--repeat N] [--lang kk]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

PAGES = [
    ("baseline: layout only (/search)", "/search"),
    ("baseline: /api budgets JSON", "/api/scenarios/current-law/budgets?year=2026"),
    ("dashboard (regions, map)", "/?scenario=current-law&year=2026"),
    ("region (districts, map)", "/?scenario=current-law&year=2026&parent=430000000"),
    ("district (rural okrugs)", "/?scenario=current-law&year=2026&parent=101000000"),
    ("budget: region", "/budget/430000000?scenario=current-law&year=2026"),
    ("budget: rural okrug", "/budget/101033000?scenario=current-law&year=2026"),
    ("compare (current law → option 2)", "/compare?draft=option-2&year=2026"),
    ("scorecard (options 1-4)", "/scorecard"),
    ("search page (\"алма\")", "/search?q=алма"),
    ("search JSON (\"алма\")", "/api/search?q=алма"),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--lang", default="ru", choices=("kk", "ru", "en"))
    args = ap.parse_args()
    from fastapi.testclient import TestClient

    from interbudget.web.app import create_app

    t0 = time.perf_counter()
    c = TestClient(create_app(ROOT / "data" / "kz", ROOT / "scenarios", ROOT / "registry" / "kz"))
    print(f"app on data/kz built in {time.perf_counter() - t0:.1f} s; {args.repeat} renders per page, lang={args.lang}")
    rows = []
    for label, url in PAGES:
        url = url + ("&" if "?" in url else "?") + f"lang={args.lang}"
        t = time.perf_counter()
        r = c.get(url)  # warm-up: the scenario's results, the scorecard's figures, the search index
        first = time.perf_counter() - t
        assert r.status_code == 200, (url, r.status_code, r.text[:300])
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            r = c.get(url)
            times.append(time.perf_counter() - t)
        rows.append((label, first, np.percentile(times, 50), np.percentile(times, 95), len(r.content)))
    print("| page | first (s) | p50 (ms) | p95 (ms) | KiB | p50 < 300 ms |\n|---|---|---|---|---|---|")
    for label, first, p50, p95, size in rows:
        ok = "baseline" if label.startswith("baseline") else ("yes" if p50 < 0.3 else "NO")
        print(f"| {label} | {first:.2f} | {p50 * 1000:.0f} | {p95 * 1000:.0f} | {size / 1024:.0f} | {ok} |")


if __name__ == "__main__":
    main()
