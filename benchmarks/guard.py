"""What the request guard (src/interbudget/web/guard.py) costs: the JSON depth check on the bytes against parsing
them, for bodies up to the 2 MB limit, and the login's lock-out count (one statement) on DuckDB.

    .venv/bin/python benchmarks/guard.py
"""
from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from timing import best  # benchmarks/timing.py (the script's folder is on the path)


def main() -> None:
    from interbudget.store import Store
    from interbudget.web.guard import json_depth, too_deep

    print("| body | bytes | too_deep (ms) | json_depth (ms) | json.loads (ms) |\n|---|---|---|---|---|")
    bodies = {
        "login": json.dumps({"username": "analyst", "password": "correct horse battery"}).encode(),
        "scenario, 20 taxes": json.dumps({"base_version": 3, "content": {"sharing": {f"t{i}": {"region": 0.5, "district": 0.3,
                                          "reference": "illustrative"} for i in range(20)}, "years": [2026, 2027, 2028]}}).encode(),
        "scenario, 20,000 keys (~2 MB)": json.dumps({"content": {"child_shares": {f"{i:09d}": {"vat": 0.5, "reference": "x" * 30}
                                                      for i in range(20_000)}}}).encode(),
        "nested 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
    }
    for name, body in bodies.items():
        try:
            parse = f"{best(lambda: json.loads(body), 5) * 1000:.2f}"
        except RecursionError:
            parse = "RecursionError"
        print(f"| {name} | {len(body):,} | {best(lambda: too_deep(body), 5) * 1000:.2f} | {best(lambda: json_depth(body), 5) * 1000:.2f} | {parse} |")
    with tempfile.TemporaryDirectory() as tmp:
        st = Store.open(Path(tmp) / "wb.duckdb")
        n = 200
        t = time.perf_counter()
        for i in range(n):
            st._attempt(f"user{i % 20}", "192.0.2.1")
        print(f"\nlock-out count (INSERT ... ON CONFLICT DO UPDATE ... RETURNING), DuckDB: {(time.perf_counter() - t) / n * 1000:.2f} ms per login")
        st.close()


if __name__ == "__main__":
    main()
