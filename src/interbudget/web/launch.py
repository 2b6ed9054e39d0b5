"""Start `interbudget serve` in a child process on a free loopback port, as a user would, and wait until it
answers: for the end-to-end tests and the load benchmark."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


@contextmanager
def served(dataset: Path, scenarios: Path, store: str | Path, *extra: str, wait_s: float | None = None) -> Iterator[str]:
    """Yields the server's base URL; stops the server on exit. STORE: a DuckDB file or a PostgreSQL URL. WAIT_S: how long
    a start may take (a loaded 2-core machine has taken a minute to build the app): 120 s by default, twice that with
    `--workers` (the parent builds the app, then each worker builds its own: two builds one after the other, 89 s at
    a load of 14 where one build took 45 s); a server that exits fails at once."""
    if wait_s is None:
        wait_s = 240.0 if "--workers" in extra else 120.0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "interbudget", "serve", str(dataset), "--scenarios", str(scenarios),
                             "--port", str(port), "--store", str(store), *extra], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                httpx.get(f"{url}/api/scenarios", timeout=1)
                break
            except httpx.TransportError:
                if proc.poll() is not None:
                    said = proc.stdout.read() if proc.stdout is not None else ""
                    raise RuntimeError(f"interbudget serve exited: {said}") from None
                if time.monotonic() > deadline:
                    raise RuntimeError(f"interbudget serve did not answer in {wait_s:g} s") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
