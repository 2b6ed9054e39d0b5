"""Page render benchmark (issue 19: page render under 300 ms p50 on data/kz): the workbench built in-process on
data/kz, each main page requested once to warm the run cache, then N times; prints p50 / p95 per page and its size.
`python benchmarks/render.py [--repeat N] [--checkout DIR]` (DIR: another checkout's root, e.g. a worktree of
main, whose src/ is put first on sys.path, to compare before and after)."""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = {"dashboard (regions)": "/?scenario=current-law&year=2026&lang=ru",
         "region (districts)": "/?scenario=current-law&year=2026&lang=ru&parent=430000000",
         "budget": "/budget/430000000?scenario=current-law&year=2026&lang=ru",
         "compare": "/compare?draft=option-2&year=2026&lang=ru",
         "login": "/login?lang=kk"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--checkout", type=Path, default=ROOT)
    args = ap.parse_args()
    sys.path.insert(0, str(args.checkout / "src"))
    warnings.filterwarnings("ignore")
    from fastapi.testclient import TestClient

    from interbudget.web.app import create_app

    c = TestClient(create_app(args.checkout / "data" / "kz", args.checkout / "scenarios"))
    print(f"{'page':22} {'p50 ms':>8} {'p95 ms':>8} {'KiB':>6}   ({args.checkout})")
    for name, path in PAGES.items():
        assert c.get(path).status_code == 200, path
        ts = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            r = c.get(path)
            ts.append((time.perf_counter() - t) * 1000)
        ts.sort()
        print(f"{name:22} {statistics.median(ts):8.1f} {ts[int(0.95 * (len(ts) - 1))]:8.1f} {len(r.content) / 1024:6.0f}")


if __name__ == "__main__":
    main()
