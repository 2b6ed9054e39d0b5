"""load_dataset reads two files at once (dataset/reading.py): the problems, the warnings and the dataset are
those of one file after another, and a failure on the other thread is raised on the caller's."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from interbudget.dataset import load_dataset, reading
from interbudget.errors import InterbudgetError, Problems

ROOT = Path(__file__).resolve().parents[1]


def _broken(tmp_path: Path) -> Path:
    ds = tmp_path / "ds"
    shutil.copytree(ROOT / "data" / "example", ds)
    for name, row in (("receipts.csv", 3), ("needs.csv", 2), ("units.csv", 4), ("receipts_actual.csv", 5)):
        lines = (ds / name).read_text(encoding="utf-8").splitlines()
        cells = lines[row].split(",")
        cells[-1] = "many"
        lines[row] = ",".join(cells)
        lines.insert(row + 1, lines[row - 1])  # and an exact repeat
        (ds / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ds


def _outcome(folder: Path, processors: int, monkeypatch, **kw):
    monkeypatch.setattr(reading, "_processors", lambda: processors)
    try:
        ds = load_dataset(folder, **kw)
    except InterbudgetError as exc:
        return [str(p) for p in exc.problems]
    return ds.warnings, ds.taxes, ds.functions, ds.receipts.amount.tolist(), ds.needs.amount.tolist()


def test_problems_come_in_the_order_of_one_file_after_another(tmp_path, monkeypatch):
    ds = _broken(tmp_path)
    one, two = _outcome(ds, 1, monkeypatch), _outcome(ds, 2, monkeypatch)
    assert one == two and len(one) >= 6
    assert {p.split(",")[0] for p in one} == {"units.csv", "receipts.csv", "receipts_actual.csv", "needs.csv"}
    assert any("is not a number" in p for p in one)
    # the files' own problems (exact repeats) first, in the order of the dataset's tables, not the largest first
    dup = [p.split(",")[0] for p in one if "duplicate row" in p]
    assert dup == ["units.csv", "receipts.csv", "receipts_actual.csv", "needs.csv"]
    assert one[: len(dup)] == [p for p in one if "duplicate row" in p]


def test_a_dataset_read_on_two_threads_is_the_dataset_read_on_one(monkeypatch):
    for kw in ({}, {"needs_basis": "law"}):
        a, b = _outcome(ROOT / "data" / "kz", 1, monkeypatch, **kw), _outcome(ROOT / "data" / "kz", 2, monkeypatch, **kw)
        assert a == b and not np.isnan(a[3]).any()


def test_a_failure_on_the_other_thread_is_raised_here():
    def boom(problems: Problems):
        raise RuntimeError("a bug")

    jobs = [("big", 10, boom)] + [(f"small {i}", 1, lambda p: p.add("x.csv", "fine")) for i in range(5)]
    with pytest.raises(RuntimeError, match="a bug"):
        reading.read_all(jobs, Problems())
    problems = Problems()
    assert reading.read_all([("a", 1, lambda p: p.add("a.csv", "first") or 1), ("b", 9, lambda p: p.add("b.csv", "second") or 2)],
                            problems) == {"a": 1, "b": 2}
    assert [p.file for p in problems.items] == ["a.csv", "b.csv"]
