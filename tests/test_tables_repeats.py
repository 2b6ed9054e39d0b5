"""The repeat check (tables/repeats.py) against a plain-Python oracle, on columns of every kind it meets: plain
text, dictionaries (unique or repeating values, nulls), integers of small and large range, floats with NaN; and
the Parquet reading path (text read as a dictionary) giving the same dataset, names and problems as CSV."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings, strategies as st

from interbudget.dataset import load_dataset
from interbudget.errors import InterbudgetError
from interbudget.tables import repeated_rows

ROOT = Path(__file__).resolve().parent.parent


def oracle(rows: list[tuple]) -> tuple[list[int], list[int]]:
    first: dict[tuple, int] = {}
    dup, earlier = [], []
    for i, r in enumerate(rows):
        key = tuple(("nan",) if isinstance(v, float) and v != v else (type(v).__name__, v) for v in r)
        if key in first:
            dup.append(i)
            earlier.append(first[key])
        else:
            first[key] = i
    return dup, earlier


def column(kind: str, values: list):
    if kind == "text":
        return pa.array([None if v is None else f"v{v}" for v in values], pa.string())
    if kind == "dict":
        return pa.array([None if v is None else f"v{v}" for v in values], pa.string()).dictionary_encode()
    if kind == "dict-repeating":  # a dictionary that lists a value twice (as concatenated row groups give)
        idx = pa.array([None if v is None else 2 * v + (i % 2) for i, v in enumerate(values)], pa.int32())
        return pa.DictionaryArray.from_arrays(idx, pa.array([f"v{k // 2}" for k in range(2 * 8)]))
    if kind == "int":
        return np.array([0 if v is None else v for v in values], dtype=np.int64)
    if kind == "wide-int":
        return np.array([0 if v is None else v * 10**12 for v in values], dtype=np.int64)
    if kind == "arrow-int":
        return pa.array([0 if v is None else v for v in values], pa.int16())
    return pa.array([float("nan") if v is None else v / 3 for v in values], pa.float64())


def python_value(kind: str, v):
    if v is None:
        return "" if kind in ("int", "wide-int", "arrow-int") else None
    return {"int": v, "wide-int": v * 10**12, "arrow-int": v, "float": v / 3}.get(kind, f"v{v}")


KINDS = ["text", "dict", "dict-repeating", "int", "wide-int", "arrow-int", "float"]


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_repeated_rows_agree_with_the_oracle(data):
    kinds = data.draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=4))
    n = data.draw(st.integers(2, 40))
    width = data.draw(st.integers(1, 7))
    cols, py = [], []
    for kind in kinds:
        vals = data.draw(st.lists(st.one_of(st.none(), st.integers(0, width)), min_size=n, max_size=n))
        if kind in ("int", "wide-int", "arrow-int"):
            vals = [0 if v is None else v for v in vals]
        cols.append(column(kind, vals))
        py.append([python_value(kind, v) for v in vals])
    rows, first = repeated_rows(cols, n)
    want = oracle(list(zip(*py, strict=True)))
    assert (rows.tolist(), first.tolist()) == want


def test_a_repeated_key_among_unique_codes_is_found_by_the_radix_alone():
    n = 100_000
    code = pa.array([f"{i:09d}" for i in range(n)]).dictionary_encode()
    year = np.full(n, 2026, dtype=np.int64)
    rows, first = repeated_rows([code, year], n)
    assert rows.size == 0
    idx = np.arange(n, dtype=np.int32)
    idx[77_777] = 5
    rows, first = repeated_rows([pa.DictionaryArray.from_arrays(pa.array(idx), code.dictionary), year], n)
    assert rows.tolist() == [77_777] and first.tolist() == [5]


def _as_parquet(src: Path, dst: Path) -> Path:
    """The CSV dataset SRC written as Parquet with plain string columns, as pandas or pyarrow would write it."""
    dst.mkdir()
    for f in src.glob("*.csv"):
        t = pacsv.read_csv(f, convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in
                                                                                 pacsv.read_csv(f).column_names}))
        pq.write_table(t, dst / f"{f.stem}.parquet")
    return dst


def test_parquet_text_read_as_a_dictionary_gives_the_csv_dataset(tmp_path):
    csv_ds = load_dataset(ROOT / "data" / "example")
    pq_ds = load_dataset(_as_parquet(ROOT / "data" / "example", tmp_path / "pq"))
    assert pq_ds.taxes == csv_ds.taxes and pq_ds.functions == csv_ds.functions
    for a, b in ((csv_ds.receipts, pq_ds.receipts), (csv_ds.needs, pq_ds.needs)):
        for f in ("unit", "year", "amount"):
            assert np.array_equal(getattr(a, f), getattr(b, f))
    assert csv_ds.hierarchy.codes.tolist() == pq_ds.hierarchy.codes.tolist()


def test_parquet_problems_name_the_same_cells_as_csv(tmp_path):
    bad = tmp_path / "csv"
    shutil.copytree(ROOT / "data" / "example", bad)
    rec = (bad / "receipts.csv").read_text(encoding="utf-8").splitlines()
    rec.insert(3, rec[1])  # an exact repeat of the first data row
    code = rec[2].split(",")[0]
    rec[2] = rec[2].replace(code, "nope", 1)  # an unknown unit code
    (bad / "receipts.csv").write_text("\n".join(rec) + "\n", encoding="utf-8")
    with pytest.raises(InterbudgetError) as from_csv:
        load_dataset(bad)
    with pytest.raises(InterbudgetError) as from_parquet:
        load_dataset(_as_parquet(bad, tmp_path / "pq"))
    norm = [str(p).replace("receipts.csv", "F").replace("line ", "@") for p in from_csv.value.problems]
    # Parquet rows count from 1, CSV lines from the header: line k is row k - 1
    got = [str(p).replace("receipts.parquet", "F") for p in from_parquet.value.problems]
    import re
    shift = [re.sub(r"row (\d+)", lambda m: f"@{int(m.group(1)) + 1}", g) for g in got]
    assert shift == norm and any("unknown unit code 'nope'" in g for g in got) and any("duplicate row" in g for g in got)
