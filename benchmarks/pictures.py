"""Render time of the workbench's pages with their pictures (issue 19: under 300 ms p50 on data/kz, charts included):
`.venv/bin/python benchmarks/pictures.py [--n 20]`. In process (FastAPI's TestClient, no network), after one warm-up
request per page (the run is cached by the workbench, as on a served site); prints p50 / p95 per page in ms. The
charts are drawn by the browser; the server's part is the chart data, the map and the page."""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

PAGES = {
    "dashboard, regions (ru)": "/?scenario=current-law&year=2026&lang=ru",
    "dashboard, Kyzylorda's districts, net per person (kk)": "/?scenario=current-law&year=2026&lang=kk&parent=430000000&show=net_pp",
    "dashboard, a district's okrugs, need per person (en)": "/?scenario=current-law&year=2026&lang=en&parent=431900000&show=need_pp",
    "budget page, Kyzylorda region (ru)": "/budget/430000000?scenario=current-law&year=2026&lang=ru",
    "budget page, a district (kk)": "/budget/431900000?scenario=current-law&year=2026&lang=kk",
    "report page (en)": "/report?scenario=current-law&lang=en",
    "scorecard page (ru)": "/scorecard?lang=ru",
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20)
    args = ap.parse_args()
    from fastapi.testclient import TestClient

    from interbudget.web.app import create_app

    c = TestClient(create_app(ROOT / "data" / "kz", ROOT / "scenarios"))
    print("| page | first request ms | p50 ms | p95 ms | KiB |\n|---|---|---|---|---|")
    for name, url in PAGES.items():
        t = time.perf_counter()
        r = c.get(url)
        first = (time.perf_counter() - t) * 1000
        assert r.status_code == 200, (url, r.status_code)
        times = []
        for _ in range(args.n):
            t = time.perf_counter()
            c.get(url)
            times.append((time.perf_counter() - t) * 1000)
        print(f"| {name} | {first:.0f} | {np.percentile(times, 50):.0f} | {np.percentile(times, 95):.0f} | {len(r.content) / 1024:.0f} |")


if __name__ == "__main__":
    main()
