"""Read a dataset's files on this thread and one other: Arrow parses a CSV without holding Python's lock, so two
files are parsed at once on a machine with two processors or more.

Each file is read by itself into a `Problems` of its own; the problems and warnings are then joined in the order
the files are listed, so every message comes out in the order a read one after another gives.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

from ..errors import Problems


def _processors() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def read_all(jobs: list[tuple[str, int, Callable[[Problems], Any]]], problems: Problems) -> dict[str, Any]:
    """Run each job (name, bytes to read, function of a Problems), the largest first, on this thread and (with two
    processors or more) one other; their problems and warnings join `problems` in the order of `jobs`."""
    order = iter(sorted(range(len(jobs)), key=lambda i: -jobs[i][1]))
    results: list[Any] = [None] * len(jobs)
    own = [Problems() for _ in jobs]
    failed: list[BaseException] = []
    lock = threading.Lock()

    def work() -> None:
        while not failed:
            with lock:
                i = next(order, None)
            if i is None:
                return
            try:
                results[i] = jobs[i][2](own[i])
            except BaseException as exc:  # noqa: BLE001 — a bug or an interrupt: raised on the calling thread below
                failed.append(exc)

    other = threading.Thread(target=work, name="interbudget-read", daemon=True) if len(jobs) > 1 and _processors() > 1 else None
    if other is not None:
        other.start()
    work()
    if other is not None:
        other.join()
    if failed:
        raise failed[0]
    for p in own:
        problems.items += p.items
        problems.warnings += p.warnings
    return {name: r for (name, _, _), r in zip(jobs, results, strict=True)}
