"""Rows repeated in a table: exact repeats of a whole row, and repeated keys (code, year, tax, ...).

A row key is built from a cheap signature of every value (a number's bits,
a dictionary's codes) or, for integer columns of small range, exactly by a
mixed radix; one sort finds the keys that repeat, and only those rows are
compared exactly.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import Problems
from .arrow import from_np, indices
from .cells import NUMBER_RE, RawTable, _numeric, to_np


def _dense(col, nrows: int) -> tuple[np.ndarray, int]:
    """Integer codes of a column's values (equal exactly when the values are) and their number: small-range
    integers as they are, anything else hash-encoded once in Arrow."""
    if isinstance(col, np.ndarray) and col.dtype.kind in "iu" and col.size:
        lo, hi = int(col.min()), int(col.max())
        if hi - lo <= 4 * nrows + 1024:
            return col.astype(np.int64) - lo, hi - lo + 1
    if isinstance(col, np.ndarray):
        col = from_np(col)
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    if pa.types.is_dictionary(col.type):  # each distinct value once (a dictionary may repeat a value), spread by the indices
        values, m = _dense(col.dictionary, len(col.dictionary))
        if col.null_count == 0:
            return values[indices(col)], m
        idx = to_np(col.indices.fill_null(len(values)), np.int64)
        return np.append(values, m)[idx], m + 1
    enc = pc.dictionary_encode(col, null_encoding="encode")
    return to_np(enc.indices, np.int64), len(enc.dictionary)


def _signature(col) -> np.ndarray:
    """One int64 per value, equal whenever the values are equal (unequal values may share one): the values of a
    numeric or numeric-text column as bits, exact codes otherwise. Cheap on millions of rows; a filter only."""
    if isinstance(col, np.ndarray):
        return col.view(np.int64) if col.dtype == np.float64 else col.astype(np.int64)  # a number's bits
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    if pa.types.is_dictionary(col.type):
        return _dense(col, len(col))[0]
    if not _numeric(col.type):
        # a numeric text by its value ("100" and "100.0" only share a signature); a failed cast is slow, so a
        # sample decides whether to try
        sample = col.slice(0, 64)
        if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)) or \
                not pc.all(pc.match_substring_regex(sample, NUMBER_RE)).as_py():
            return _dense(col, len(col))[0]
        try:
            col = pc.cast(col, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return _dense(col, len(col))[0]
    if col.type != pa.float64():
        col = col.cast(pa.float64())
    v = to_np(col.fill_null(np.nan) if col.null_count else col, np.float64)
    nan = np.isnan(v)
    if nan.any():
        v = np.where(nan, np.nan, v)  # one NaN
    return v.view(np.int64)


def _repeating(key: np.ndarray) -> np.ndarray:
    """Which entries of KEY occur more than once (one sort; a lookup only when some do)."""
    s = np.sort(key)
    same = s[1:] == s[:-1]
    if not same.any():  # the common case: one sort and done
        return np.zeros(key.size, dtype=bool)
    return np.isin(key, s[1:][same])


def _cheap_codes(col, nrows: int) -> tuple[np.ndarray, int] | None:
    """Dense non-negative integer codes of a column that has them at little cost, and their number: integers of
    small range as they are, a dictionary column by its indices (a dictionary listing a value twice mapped once);
    None for any other column. The codes may be a read-only view."""
    if isinstance(col, (pa.Array, pa.ChunkedArray)):
        if pa.types.is_dictionary(col.type):
            if isinstance(col, pa.ChunkedArray):
                col = col.combine_chunks()
            values, m = _dense(col.dictionary, len(col.dictionary))
            if col.null_count:
                return np.append(values, m)[to_np(col.indices.fill_null(len(values)), np.int64)], m + 1
            idx = indices(col)
            return (idx, m) if m == len(values) else (values[idx], m)  # a dictionary of distinct values: its indices
        if not pa.types.is_integer(col.type) or col.null_count or not len(col):
            return None
        col = to_np(col, col.type.to_pandas_dtype())
    if not (isinstance(col, np.ndarray) and col.dtype.kind in "iu" and col.size):
        return None
    lo, hi = int(col.min()), int(col.max())
    if hi - lo > 4 * nrows + 1024:
        return None
    return (col if lo == 0 else col - np.array(lo, dtype=col.dtype)), hi - lo + 1


#: up to this many rows, cheap codes beyond the bitmap's budget narrow the candidates by a sort (`_candidates`)
REFINE_ROWS = 1 << 22


def _candidates(columns: list, nrows: int) -> tuple[np.ndarray | None, bool]:
    """Rows whose values repeat an other row's in every column with cheap codes (a mixed radix of those codes whose
    ranges multiply to a few times the rows, a bitmap of the keys seen, no sort): any row repeated exactly is among
    them. (None, False) when no column has cheap codes; the flag says whether every column took part (then the
    candidates repeat exactly)."""
    budget = 4 * nrows + 1024
    dtype: type[np.signedinteger[Any]] = np.int32 if budget < 2**31 else np.int64  # half the memory traffic of int64 keys
    key, k, used = None, 1, 0
    later: list = []  # columns with cheap codes beyond the bitmap's budget (REFINE_ROWS)
    for col in columns:
        if isinstance(col, pa.DictionaryArray) and k * (len(col.dictionary) + 1) > budget:
            later.append(col)  # its codes could not join the key: not worth computing (names beside unique codes)
            continue
        c = _cheap_codes(col, nrows)
        if c is not None and k * c[1] > budget:
            later.append(c)
        if c is None or k * c[1] > budget:
            continue
        if key is None:
            key = c[0].astype(dtype)  # a copy, written in place below
        else:
            key *= c[1]
            key += c[0]
        k, used = k * c[1], used + 1
    if key is None:
        return None, False
    seen = np.zeros(k, dtype=bool)
    seen[key] = True
    if np.count_nonzero(seen) == nrows:  # the common case: every key once, and done
        return np.zeros(0, dtype=np.int64), used == len(columns)
    counts = np.bincount(key, minlength=k)
    rows = np.flatnonzero(counts[key] > 1)
    if later and rows.size and nrows <= REFINE_ROWS:
        # a small table: the other cheap codes join the candidates' key too (one sort of the candidates)
        sub, _ = _dense(key[rows], rows.size)
        for c in later:
            codes = _cheap_codes(c, nrows) if not isinstance(c, tuple) else c
            if codes is None:
                continue
            sub, _ = _dense(sub * codes[1] + codes[0][rows], rows.size)  # re-densified: the product cannot overflow
            used += 1
        rows = rows[_repeating(sub)]
    return rows, used == len(columns)


def repeated_rows(columns: list, nrows: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows equal to an earlier row in every column (Arrow arrays or numpy integer arrays), and for each the
    first such row. Columns with cheap integer codes (small-range integers, dictionary columns) are mixed into an
    exact key by a mixed radix and counted, so that only rows whose key repeats stay candidates (in the common
    case none, and the check ends there); for the candidates, or for all rows when no column has cheap codes, a
    cheap signature of every value (a number's bits, a dictionary's codes) is mixed into one row key and one
    sort keeps the rows whose key repeats; those (repeats, and the rare collisions) are compared exactly."""
    none = np.zeros(0, dtype=np.int64)
    rows, exact_key = _candidates(columns, nrows)
    if rows is not None and not rows.size:
        return none, none
    if not exact_key:
        sub = columns if rows is None else [c[rows] if isinstance(c, np.ndarray) else c.take(from_np(rows)) for c in columns]
        key = np.zeros(nrows if rows is None else rows.size, dtype=np.int64)
        for col in sub:
            key = key * np.int64(1_000_003) + _signature(col)  # wraps around: a collision only costs the exact pass
        keep = np.flatnonzero(_repeating(key))
        rows = keep if rows is None else rows[keep]
        if not rows.size:
            return none, none
    assert rows is not None  # _candidates says the key is exact only with the candidate rows of that key
    exact = np.zeros(rows.size, dtype=np.int64)  # dense codes of the columns seen so far
    for col in columns:
        part = col[rows] if isinstance(col, np.ndarray) else col.take(from_np(rows))
        codes, m = _dense(part, rows.size)
        exact, _ = _dense(exact * m + codes, rows.size)  # re-densified each step: the product cannot overflow
    _, first, inverse = np.unique(exact, return_index=True, return_inverse=True)
    earlier = first[inverse.reshape(-1)]
    dup = earlier != np.arange(rows.size)
    return rows[dup], rows[earlier[dup]]


def _exact_repeats(t: RawTable, problems: Problems, allow: bool) -> None:
    if t.nrows < 2:
        return
    rows, first = repeated_rows(list(t.columns.values()), t.nrows)  # every column the contract reads
    if not rows.size:
        return
    if allow:
        problems.warn(f"{t.name}: {rows.size} row(s) repeat an earlier row exactly; kept as given (--allow-duplicates), "
                      "so each counts")
        return
    t.repeated = np.zeros(t.nrows, dtype=bool)
    t.repeated[rows] = True
    shown = rows[: Problems.PER_KIND + 1]
    msgs = [f"duplicate row: the same values as {t.row_label(int(f))} (--allow-duplicates keeps both)"
            for f in first[: shown.size]]
    problems.add_rows(t.name, None, [t.row_label(int(i)) for i in rows], msgs + [""] * (rows.size - shown.size))


def duplicates(t: RawTable, keys: list[np.ndarray], problems: Problems, what: str, column: str | None = None,
               allow: str | None = None) -> None:
    """Report rows whose key (a tuple of integer arrays) repeats an earlier row; rows already reported as exact
    repeats are not reported again. `allow`: accept them with a warning that says so (e.g. "summed")."""
    if t.nrows < 2:
        return
    rows, first = repeated_rows([np.asarray(k) for k in keys], t.nrows)
    if t.repeated is not None:
        keep = ~t.repeated[rows]
        rows, first = rows[keep], first[keep]
    if not rows.size:
        return
    if allow is not None:
        problems.warn(f"{t.name}: {rows.size} row(s) repeat the {what} of an earlier row (first: {t.row_label(int(rows[0]))} "
                      f"repeats {t.row_label(int(first[0]))}); {allow}")
        return
    labels = [t.row_label(int(i)) for i in rows]
    msgs = [f"duplicate {what} (first given on {t.row_label(int(f))})" for f in first[: Problems.PER_KIND + 1]]
    msgs += [""] * (rows.size - len(msgs))
    problems.add_rows(t.name, column, labels, msgs)
