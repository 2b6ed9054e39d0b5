"""Parse one table's cells vectorized: text, numbers, whole numbers, choices, codes, free vocabularies.

Every helper reports bad cells to a `Problems` collector with the file, the
row and the column, and returns arrays that are safe to use (bad cells are
replaced by a neutral value) so that reading can go on and report all
problems of a dataset at once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import Problems
from .arrow import filled, from_bools, from_np, indices, to_np, untrimmed

NUMBER_RE = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
INTEGER_RE = r"^[+-]?[0-9]+$"
_PLAIN_INT = re.compile(INTEGER_RE)  # for Python's re.fullmatch (then "2026\n" does not match, as in Arrow)
MAX_DIGITS = 18  # a whole number of more significant digits may not fit int64: too large


@dataclass
class RawTable:
    """One file's columns as Arrow arrays, with the way its rows are named."""

    path: Path
    columns: dict[str, pa.Array]
    nrows: int
    is_csv: bool
    repeated: np.ndarray | None = None  # rows already reported as exact repeats (key checks skip them)
    plain_text: frozenset[str] = frozenset()  # text columns of the file read as a dictionary (tables.read_table)

    @property
    def name(self) -> str:
        return self.path.name

    def row_label(self, i: int) -> str:
        # CSV: the header is line 1, so data row i (from 0) is line i + 2.
        return f"line {i + 2}" if self.is_csv else f"row {i + 1}"

    def has(self, column: str) -> bool:
        return column in self.columns



def _numeric(t: pa.DataType) -> bool:
    return pa.types.is_floating(t) or pa.types.is_integer(t) or pa.types.is_decimal(t)


def _as_strings(col: pa.Array) -> pa.Array:
    if pa.types.is_dictionary(col.type) or not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        col = col.cast(pa.string())
    return pc.utf8_trim_whitespace(col.fill_null("") if col.null_count else col)


def _report(t: RawTable, column: str, bad: np.ndarray, values: pa.Array | None, what: str, problems: Problems) -> None:
    rows = np.flatnonzero(bad)
    if rows.size == 0:
        return
    shown = rows[: Problems.PER_KIND + 1]
    msgs = []
    for i in shown:
        v = values[int(i)].as_py() if values is not None else None
        msgs.append(what.format(value=v))
    labels = [t.row_label(int(i)) for i in shown]
    # keep the count of the rest right although only a few rows are formatted
    labels += [""] * (rows.size - shown.size)
    msgs += [""] * (rows.size - shown.size)
    problems.add_rows(t.name, column, labels, msgs)


def strings(t: RawTable, column: str, problems: Problems, allow_empty: bool = False) -> pa.Array:
    """A text column, trimmed; empty cells are a problem unless allowed."""
    col = _as_strings(t.columns[column])
    if not allow_empty:
        bad = to_np(pc.equal(pc.utf8_length(col), 0), bool)
        _report(t, column, bad, None, "empty value", problems)
    return col


def numbers(t: RawTable, column: str, problems: Problems, negative_ok: bool = True, what: str = "value",
            empty: float | None = None) -> np.ndarray:
    """A float64 column; non-numbers (and negatives unless allowed) are problems.
    `empty`: the value of an empty cell where emptiness is allowed (None: a problem)."""
    col = t.columns[column]
    allow_nan = empty is not None and np.isnan(empty)  # NaN marks "not given" in optional columns
    if _numeric(col.type):
        arr = col if col.type == pa.float64() else col.cast(pa.float64())
        nulls = to_np(arr.is_null(), bool) if arr.null_count else None
        out = to_np(arr.fill_null(0.0) if nulls is not None else arr, np.float64, copy=nulls is not None)
        if nulls is not None and empty is not None:
            out[nulls] = empty
            nulls = None
        finite = np.isfinite(out) | (allow_nan & np.isnan(out))
        if nulls is None and finite.all() and (negative_ok or not (out < 0).any()):
            return out  # the common case: one pass, no copy beyond Arrow's
        bad = ~finite if nulls is None else nulls | ~finite
        _report(t, column, bad, None, f"missing or non-finite {what}", problems)
    else:
        s = _as_strings(col)
        blank = to_np(pc.equal(pc.utf8_length(s), 0), bool) if empty is not None else np.zeros(t.nrows, bool)
        ok = to_np(pc.match_substring_regex(s, NUMBER_RE), bool) | blank
        _report(t, column, ~ok, s, f"'{{value}}' is not a number ({what})", problems)
        s = pc.if_else(from_bools(ok & ~blank), s, pa.scalar("0"))
        out = to_np(pc.cast(s, pa.float64()), np.float64, copy=True)
        bad = ~np.isfinite(out)
        _report(t, column, bad & ok, s, f"'{{value}}' is too large ({what})", problems)
        if blank.any():
            out[blank] = empty
    out = np.where(np.isfinite(out) | (allow_nan & np.isnan(out)), out, 0.0)
    if not negative_ok:
        neg = out < 0
        vals = from_np(out)
        _report(t, column, neg, vals, f"negative {what} {{value}}", problems)
        out = np.where(neg, 0.0, out)
    return out


def integers(t: RawTable, column: str, problems: Problems, what: str = "year") -> np.ndarray:
    col = t.columns[column]
    if pa.types.is_dictionary(col.type) and col.null_count == 0 and not untrimmed(col.dictionary):
        # each distinct text once (a CSV read these as a dictionary, tables.read_table); anything but a whole
        # number of at most MAX_DIGITS digits takes the path below, which says what is wrong with it
        values = [int(v) if _PLAIN_INT.fullmatch(v) else None for v in col.dictionary.to_pylist()]
        if all(v is not None and abs(v) < 10**MAX_DIGITS for v in values):
            return np.array(values, dtype=np.int64)[indices(col)]
    if pa.types.is_integer(col.type):
        if col.null_count == 0:
            return to_np(col, col.type.to_pandas_dtype())  # keep the stored width (years fit in int16)
        _report(t, column, to_np(col.is_null(), bool), None, f"missing {what}", problems)
        return to_np(col.fill_null(0), np.int64)
    s = _as_strings(col)
    ok = to_np(pc.match_substring_regex(s, INTEGER_RE), bool)
    _report(t, column, ~ok, s, f"'{{value}}' is not a whole number ({what})", problems)
    digits = pc.replace_substring_regex(s, r"^[+-]?0*", "")  # the significant digits
    big = ok & (to_np(pc.utf8_length(digits), np.int64) > MAX_DIGITS)
    _report(t, column, big, s, f"'{{value}}' is too large ({what})", problems)
    # Arrow's cast reads neither a sign "+" nor more digits than int64 holds
    s = pc.if_else(from_bools(ok & ~big), pc.replace_substring_regex(s, r"^\+", ""), pa.scalar("0"))
    return to_np(pc.cast(s, pa.int64()), np.int64)


def _choice_index(s: pa.Array, allowed: list[str], default: str | None) -> pa.Array:
    if default is not None:
        s = pc.if_else(pc.equal(pc.utf8_length(s), 0), pa.scalar(default), s)
    return pc.index_in(pc.utf8_lower(s), value_set=pa.array(allowed))


def choices(t: RawTable, column: str, allowed: list[str], problems: Problems, default: str | None = None,
            dtype=np.int8) -> np.ndarray:
    """Index of each cell in `allowed`; empty cells take `default` if given."""
    col = t.columns[column]
    if pa.types.is_dictionary(col.type) and col.null_count == 0:
        # each distinct value once, spread by the indices (no per-row strings)
        per_value = _choice_index(_as_strings(col.dictionary), allowed, default)
        if per_value.null_count == 0:
            return to_np(per_value, dtype)[indices(col)]
    s = _as_strings(col)
    idx = _choice_index(s, allowed, default)
    bad = to_np(idx.is_null(), bool)
    _report(t, column, bad, s, f"'{{value}}' is not one of {', '.join(allowed)}", problems)
    return filled(idx, 0, dtype)


def lookup(t: RawTable, column: str, vocabulary: pa.Array, problems: Problems, what: str = "unit code") -> np.ndarray:
    """Index of each code in `vocabulary` (int32); unknown codes are problems (-1).

    Dictionary-encoded columns (Parquet) are looked up once per distinct code.
    """
    col = t.columns[column]
    if pa.types.is_dictionary(col.type):
        dict_idx = pc.index_in(pc.utf8_trim_whitespace(col.dictionary.cast(pa.string())), value_set=vocabulary)
        dict_idx = filled(dict_idx, -1, np.int32)
        if col.null_count == 0:
            out = dict_idx[indices(col)]
        else:
            codes = to_np(col.indices.fill_null(-1), np.int64)
            out = np.where(codes >= 0, dict_idx[np.maximum(codes, 0)], -1).astype(np.int32)
        s = None
    else:
        s = _as_strings(col)
        out = filled(pc.index_in(s, value_set=vocabulary), -1, np.int32)
    bad = out < 0
    if bad.any():
        s = _as_strings(col) if s is None else s
        _report(t, column, bad, s, f"unknown {what} '{{value}}'", problems)
    return out


def encode(t: RawTable, column: str, problems: Problems, vocabulary: dict[str, int]) -> np.ndarray:
    """Integer ids for a free vocabulary (taxes, functions, drivers), growing it as needed."""
    col = t.columns[column]
    if pa.types.is_dictionary(col.type):
        dictionary, indices = col.dictionary.cast(pa.string()), col.indices
    else:
        enc = pc.dictionary_encode(_as_strings(col))
        dictionary, indices = enc.dictionary, enc.indices
    names = [str(x).strip() for x in dictionary.to_pylist()]
    empty = np.array([n == "" for n in names] + [False])
    # new names join in the order the rows give them (plain text read as a dictionary: its values in the order
    # they first appear, as the text gives them), else in the file's dictionary order
    order = to_np(pc.unique(indices.drop_null()), np.int64).tolist() if column in t.plain_text else range(len(names))
    for j in order:
        vocabulary.setdefault(names[j], len(vocabulary))
    ids = np.array([vocabulary.get(n, 0) for n in names] + [0], dtype=np.int32)
    if indices.null_count == 0 and not empty.any():
        return ids[to_np(indices, indices.type.to_pandas_dtype())]
    ind = to_np(indices.fill_null(len(names)), np.int64)
    _report(t, column, empty[ind] | (ind == len(names)), None, "empty value", problems)
    return ids[ind]

