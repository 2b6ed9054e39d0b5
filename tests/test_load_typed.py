"""A CSV read typed (tables/csvread.py: numbers as float64, codes and years as dictionaries) gives the arrays, the
vocabularies, the problems and the warnings of the text read on any cells: the typed read falls back to the text
wherever it could differ."""
from __future__ import annotations

import csv
import math
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from interbudget import tables as T
from interbudget.dataset import KINDS, TABLES
from interbudget.dataset.parts import _load_needs, _load_receipts
from interbudget.errors import Problems
from interbudget.tables import csvread
from interbudget.tables.arrow import filled, from_np, to_np, untrimmed

CODES = ["0", "1", "11"]
VOCAB = pa.array(CODES)
NUMBERS = ["1", "-2.5", "0", "-0", " 1 ", "+.5", "5.", ".5e-3", "1E+5", "1e999", "-1e999", "1.5e-400", "00012",
           "nan", "NaN", "inf", "-inf", "infinity", "", " ", "1,5", "0x10", "1_0", "+-1", "1e", "e5", "abc", "١",
           "12345678901234567890", "3"]
YEARS = ["2026", "2027", " 2026", "2026 ", "+2026", "-5", "2026.0", "0x7EA", "", "x", "020", "99999999999999999999"]
CODES_CELLS = CODES + [" 1", "11 ", "", "9", "1\t", "\u00a01", "01"]
TEXT = ["iit", "vat", " iit", "iit ", "", "Iit", "\u2003vat", "a,b", 'say "x"', "iit\x1c"]
PAYERS = ["regional", "base", " Regional", "BASE", "", "other"]
PRIORITIES = ["mandatory", "basic", "additional", " basic", "", "Basic", "optional"]
KINDS_CELLS = ["current", "capital", "", " capital", "new"]


def _write(rows: list[list[str]], header: list[str]) -> Path:
    d = Path(tempfile.mkdtemp(prefix="ib-typed-"))
    path = d / "t.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def _outcome(load, stem: str, path: Path, typed: bool, allow: bool):
    """What a loader makes of the file: its arrays, the vocabulary, the problems and the warnings."""
    problems = Problems()
    req, opt, _ = TABLES[stem]
    t = T.read_table(path, req, opt, problems, allow_duplicates=allow, kinds=KINDS[stem] if typed else None)
    if t is None:
        return None, [str(p) for p in problems.items], problems.warnings
    vocab: dict[str, int] = {}
    rec = load(t, vocab, problems)
    arrays = {k: (v.dtype.str, v.tolist()) for k, v in vars(rec).items() if isinstance(v, np.ndarray)}
    return arrays, vocab, [str(p) for p in problems.items], problems.warnings


def _same(a, b) -> None:
    # NaN == NaN for the comparison (float lists)
    assert repr(a) == repr(b)


CLEAN = {id(NUMBERS): ["1", "-2.5", "0", "3", "1E+5", " 1 ", "+.5", "-0", "00012"], id(YEARS): ["2026", "2027", "020"],
         id(CODES_CELLS): CODES + ["9"], id(TEXT): ["iit", "vat", "Iit", "a,b"], id(PAYERS): ["regional", "base", "BASE", "other"],
         id(PRIORITIES): ["mandatory", "basic", "Basic", "optional"], id(KINDS_CELLS): ["current", "capital", "new"]}


def rows_of(cols: list[list[str]], n: int, draw) -> list[list[str]]:
    """Rows of cells: each column drawn from its cells that Arrow reads typed, or (half the time) from all."""
    pools = [c if draw(st.booleans()) else CLEAN[id(c)] for c in cols]
    return [[draw(st.sampled_from(c)) for c in pools] for _ in range(n)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), allow=st.booleans())
def test_receipts_read_typed_are_the_receipts_read_as_text(data, allow):
    n = data.draw(st.integers(1, 12))
    rows = rows_of([CODES_CELLS, YEARS, TEXT, PAYERS, NUMBERS], n, data.draw)
    if data.draw(st.booleans()) and rows:  # an exact repeat, or a repeat by value only ("1" and "1.0")
        rows.append(list(data.draw(st.sampled_from(rows))))
    path = _write(rows, ["code", "year", "tax", "payer", "amount"])

    def load(t, vocab, problems):
        return _load_receipts(t, VOCAB, vocab, ["regional", "base", "other"], problems)

    _same(_outcome(load, "receipts", path, True, allow), _outcome(load, "receipts", path, False, allow))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_needs_read_typed_are_the_needs_read_as_text(data):
    n = data.draw(st.integers(1, 12))
    rows = rows_of([CODES_CELLS, YEARS, TEXT, PRIORITIES, NUMBERS, KINDS_CELLS], n, data.draw)
    if data.draw(st.booleans()):
        rows += [list(r) for r in rows[: data.draw(st.integers(1, 3))]]
    path = _write(rows, ["code", "year", "function", "priority", "amount", "kind"])

    def load(t, vocab, problems):
        return _load_needs(t, VOCAB, vocab, problems)

    _same(_outcome(load, "needs", path, True, False), _outcome(load, "needs", path, False, False))


def test_hand_checked_cells():
    """A few cells whose fate is known: a clean file stays typed, an odd cell sends its column (or the table) to
    the text path, and the messages are the text path's."""
    clean = _write([["1", "2026", "iit", "regional", "10.5"], ["11", "2026", "vat", "base", "-3"]],
                   ["code", "year", "tax", "payer", "amount"])
    cols, dicts = csvread.columns(clean, ["code", "year", "tax", "payer", "amount"], KINDS["receipts"])
    assert dicts == {"code", "year", "tax", "payer"} and cols["amount"].type == pa.float64()
    blank = _write([["1", "2026", "iit", "regional", ""]], ["code", "year", "tax", "payer", "amount"])
    cols, _ = csvread.columns(blank, ["code", "year", "tax", "payer", "amount"], KINDS["receipts"])
    assert cols["amount"].type == pa.string() and cols["code"].type != pa.string()  # only that column as text
    comma = _write([["1", "2026", "iit", "regional", "1,5"]], ["code", "year", "tax", "payer", "amount"])
    cols, dicts = csvread.columns(comma, ["code", "year", "tax", "payer", "amount"], KINDS["receipts"])
    assert dicts == set() and all(c.type == pa.string() for c in cols.values())  # the typed read failed: all text
    problems = Problems()
    t = T.read_table(blank, *TABLES["receipts"][:2], problems, kinds=KINDS["receipts"])
    _load_receipts(t, VOCAB, {}, ["regional", "base"], problems)
    assert [str(p) for p in problems.items] == ["t.csv, line 2, column 'amount': '' is not a number (amount)"]
    # a sign "+" and too many digits: Arrow's cast refuses both (once an internal error), here on both paths
    signs = _write([["1", "+2026", "iit", "regional", "1"], ["1", "12345678901234567890", "vat", "regional", "1"]],
                   ["code", "year", "tax", "payer", "amount"])
    for typed in (True, False):
        problems = Problems()
        t = T.read_table(signs, *TABLES["receipts"][:2], problems, kinds=KINDS["receipts"] if typed else None)
        assert _load_receipts(t, VOCAB, {}, ["regional", "base"], problems).year.tolist() == [2026, 0]
        assert [str(p) for p in problems.items] == ["t.csv, line 3, column 'year': '12345678901234567890' is too large (year)"]
    # "1" and "1.0" are one value but two texts: not an exact repeat
    twice = _write([["1", "2026", "iit", "regional", "1"], ["1", "2026", "iit", "regional", "1.0"]],
                   ["code", "year", "tax", "payer", "amount"])
    problems = Problems()
    t = T.read_table(twice, *TABLES["receipts"][:2], problems, kinds=KINDS["receipts"])
    assert not problems.items and t.columns["amount"].type == pa.string()  # read again as text to compare texts


@pytest.mark.parametrize("values", [[1.5, -2.0, math.inf], [], [0.0]])
def test_numpy_and_arrow_round_trip_without_pandas(values):
    a = np.array(values, dtype=np.float64)
    assert to_np(from_np(a), np.float64).tolist() == a.tolist()
    b = np.array([v > 0 for v in values], dtype=bool)
    assert to_np(from_np(b), bool).tolist() == b.tolist()
    assert to_np(from_np(np.arange(10))[3:], np.int64).tolist() == list(range(3, 10))
    x = pa.array([1, None, 3, None], pa.int32()).slice(1)
    assert filled(x, -1, np.int32).tolist() == [-1, 3, -1]


def test_untrimmed_is_conservative():
    assert not untrimmed(pa.array(["a", "b1", "", "x y"]))
    for v in [" a", "a ", "\ta", "a\u00a0", "\u2003a", "é", "a\x1c"]:
        assert untrimmed(pa.array(["ok", v])), v


def test_a_file_of_many_blocks_gives_the_vocabulary_in_the_order_of_its_rows():
    # Arrow parses 1 MB blocks, each dictionary column chunk with its own dictionary: unified, then ordered by rows
    rows = [["1", "2026", f"t{i % 3}", "regional", str(i)] for i in range(100_000)]
    rows += [["11", "2027", "late", "base", "1"], ["0", "2027", "t9", "regional", "2"], ["11", "2027", "t1", "base", "3"]]
    path = _write(rows, ["code", "year", "tax", "payer", "amount"])
    chunks = csvread._read(path, {c: csvread.KINDS[k] for c, k in KINDS["receipts"].items()}, typed=True).column("tax")
    assert chunks.num_chunks > 1 and pa.types.is_dictionary(chunks.type)
    last, first = chunks.chunk(chunks.num_chunks - 1).dictionary.to_pylist(), chunks.chunk(0).dictionary.to_pylist()
    assert "late" in last and "late" not in first  # each chunk its own dictionary

    def load(t, vocab, problems):
        return _load_receipts(t, VOCAB, vocab, ["regional", "base"], problems)

    typed = _outcome(load, "receipts", path, True, False)
    assert list(typed[1]) == ["t0", "t1", "t2", "late", "t9"]
    _same(typed, _outcome(load, "receipts", path, False, False))
