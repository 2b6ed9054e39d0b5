"""Read one dataset table (CSV or Parquet) and parse its columns vectorized.

Every helper reports bad cells to a `Problems` collector with the file, the
row and the column, and returns arrays that are safe to use (bad cells are
replaced by a neutral value) so that reading can go on and report all
problems of a dataset at once.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .errors import Problems

NUMBER_RE = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
INTEGER_RE = r"^[+-]?[0-9]+$"


def to_np(arr: pa.Array | pa.ChunkedArray, dtype, copy: bool = False) -> np.ndarray:
    """A numpy view (zero-copy where Arrow allows; then read-only) or a writable copy."""
    out = arr.to_numpy(zero_copy_only=False) if isinstance(arr, pa.ChunkedArray) else arr.to_numpy(zero_copy_only=False)
    return np.array(out, dtype=dtype) if copy else np.asarray(out, dtype=dtype)


@dataclass
class RawTable:
    """One file's columns as Arrow arrays, with the way its rows are named."""

    path: Path
    columns: dict[str, pa.Array]
    nrows: int
    is_csv: bool
    repeated: np.ndarray | None = None  # rows already reported as exact repeats (key checks skip them)

    @property
    def name(self) -> str:
        return self.path.name

    def row_label(self, i: int) -> str:
        # CSV: the header is line 1, so data row i (from 0) is line i + 2.
        return f"line {i + 2}" if self.is_csv else f"row {i + 1}"

    def has(self, column: str) -> bool:
        return column in self.columns


def find_table(folder: Path, stem: str) -> Path | None:
    """The CSV or Parquet file of a table, or None; both at once is ambiguous."""
    found = [p for p in (folder / f"{stem}.csv", folder / f"{stem}.parquet") if p.is_file()]
    if len(found) == 2:
        return found  # type: ignore[return-value]  # the caller reports the ambiguity
    return found[0] if found else None


def read_table(
    path: Path,
    required: list[str],
    optional: list[str],
    problems: Problems,
    must_have_rows: bool = False,
    allow_duplicates: bool = False,
) -> RawTable | None:
    """Read `path`; None (with problems added) if it cannot be used at all.

    A row that repeats an earlier row in every column read is an error naming both rows, or, with
    `allow_duplicates`, kept as given and counted in a warning."""
    name = path.name
    if path.stat().st_size == 0:
        problems.add(name, "the file is empty (expected a header row with columns " + ", ".join(required) + ")")
        return None
    is_csv = path.suffix == ".csv"
    try:
        if is_csv:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                header = next(csv.reader(fh), [])
            header = [h.strip() for h in header]
            present = [c for c in required + optional if c in header]
            missing = [c for c in required if c not in header]
            if missing:
                problems.add(name, f"missing column(s) {', '.join(missing)}; found {', '.join(header) or 'no header'}", "line 1")
                return None
            table = pacsv.read_csv(
                path,
                read_options=pacsv.ReadOptions(use_threads=True),
                parse_options=pacsv.ParseOptions(newlines_in_values=False),
                convert_options=pacsv.ConvertOptions(
                    include_columns=present,
                    column_types={c: pa.string() for c in present},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            # Header cells with surrounding spaces were matched after stripping.
        else:
            schema = pq.read_schema(path)
            header = list(schema.names)
            missing = [c for c in required if c not in header]
            if missing:
                problems.add(name, f"missing column(s) {', '.join(missing)}; found {', '.join(header)}")
                return None
            present = [c for c in required + optional if c in header]
            table = pq.read_table(path, columns=present)
    except UnicodeDecodeError as exc:
        problems.add(name, f"not valid UTF-8 ({exc.reason} at byte {exc.start})")
        return None
    except (pa.ArrowInvalid, pa.ArrowException, OSError) as exc:
        problems.add(name, f"cannot be read: {exc}")
        return None
    if must_have_rows and table.num_rows == 0:
        problems.add(name, "has a header but no data rows")
        return None
    # numeric columns stay chunked and are concatenated once, into numpy;
    # text and dictionary columns are combined (one dictionary for the lookups)
    cols = {c: (col if _numeric(col.type) and col.num_chunks > 0 else col.combine_chunks())
            for c in table.column_names for col in [table.column(c)]}
    t = RawTable(path, cols, table.num_rows, is_csv)
    _exact_repeats(t, problems, allow_duplicates)
    return t


def _dense(col, nrows: int) -> tuple[np.ndarray, int]:
    """Integer codes of a column's values (equal exactly when the values are) and their number: small-range
    integers as they are, anything else hash-encoded once in Arrow."""
    if isinstance(col, np.ndarray) and col.dtype.kind in "iu" and col.size:
        lo, hi = int(col.min()), int(col.max())
        if hi - lo <= 4 * nrows + 1024:
            return col.astype(np.int64) - lo, hi - lo + 1
        col = pa.array(col)
    if isinstance(col, np.ndarray):
        col = pa.array(col)
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    if pa.types.is_dictionary(col.type):  # each distinct value once (a dictionary may repeat a value), spread by the indices
        values, m = _dense(col.dictionary, len(col.dictionary))
        if col.null_count == 0:
            return values[to_np(col.indices, col.indices.type.to_pandas_dtype())], m
        idx = to_np(col.indices.fill_null(len(values)), np.int64)
        return np.append(values, m)[idx], m + 1
    enc = pc.dictionary_encode(col, null_encoding="encode")
    return to_np(enc.indices, np.int64), len(enc.dictionary)


def _signature(col) -> np.ndarray:
    """One int64 per value, equal whenever the values are equal (unequal values may share one): the values of a
    numeric or numeric-text column as bits, exact codes otherwise. Cheap on millions of rows; a filter only."""
    if isinstance(col, np.ndarray):
        return col.astype(np.int64)
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


def _small_int_key(columns: list, nrows: int) -> np.ndarray | None:
    """The exact row key of integer columns whose ranges multiply to a few times the rows (codes, years, taxes,
    payers: a mixed radix, no sort), else None."""
    key, k = np.zeros(nrows, dtype=np.int64), 1
    for col in columns:
        if not (isinstance(col, np.ndarray) and col.dtype.kind in "iu"):
            return None
        lo, hi = int(col.min()), int(col.max())
        m = hi - lo + 1
        if k * m > 4 * nrows + 1024:
            return None
        key = key * m + (col.astype(np.int64) - lo)
        k *= m
    return key if np.bincount(key, minlength=k).max() > 1 else np.zeros(0, dtype=np.int64)


def repeated_rows(columns: list, nrows: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows equal to an earlier row in every column (Arrow arrays or numpy integer arrays), and for each the
    first such row. Integer keys of small range are compared exactly by a mixed radix; otherwise a cheap
    signature of every value (a number's bits, a dictionary's codes) is mixed into one row key, one sort finds
    the rows whose key repeats, and only those (repeats, and the rare collisions) are compared exactly."""
    none = np.zeros(0, dtype=np.int64)
    key = _small_int_key(columns, nrows)
    if key is None:
        key = np.zeros(nrows, dtype=np.int64)
        for col in columns:
            key = key * np.int64(1_000_003) + _signature(col)  # wraps around: a collision only costs the exact pass
    if not key.size:
        return none, none
    rows = np.flatnonzero(_repeating(key))
    if not rows.size:
        return none, none
    exact, k = np.zeros(rows.size, dtype=np.int64), 1  # exact codes below k of the columns seen so far
    for col in columns:
        part = col[rows] if isinstance(col, np.ndarray) else col.take(pa.array(rows))
        codes, m = _dense(part, rows.size)
        exact, k = _dense(exact * m + codes, rows.size)  # below k * m <= rows**2: no overflow
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


def _numeric(t: pa.DataType) -> bool:
    return pa.types.is_floating(t) or pa.types.is_integer(t) or pa.types.is_decimal(t)


def _as_strings(col: pa.Array) -> pa.Array:
    if pa.types.is_dictionary(col.type):
        col = col.cast(pa.string())
    elif not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        col = col.cast(pa.string())
    return pc.utf8_trim_whitespace(col.fill_null(""))


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
        s = pc.if_else(pa.array(ok & ~blank), s, pa.scalar("0"))
        out = to_np(pc.cast(s, pa.float64()), np.float64, copy=True)
        bad = ~np.isfinite(out)
        _report(t, column, bad & ok, s, f"'{{value}}' is too large ({what})", problems)
        if blank.any():
            out[blank] = empty
    out = np.where(np.isfinite(out) | (allow_nan & np.isnan(out)), out, 0.0)
    if not negative_ok:
        neg = out < 0
        vals = pa.array(out)
        _report(t, column, neg, vals, f"negative {what} {{value}}", problems)
        out = np.where(neg, 0.0, out)
    return out


def integers(t: RawTable, column: str, problems: Problems, what: str = "year") -> np.ndarray:
    col = t.columns[column]
    if pa.types.is_integer(col.type):
        if col.null_count == 0:
            return to_np(col, col.type.to_pandas_dtype())  # keep the stored width (years fit in int16)
        _report(t, column, to_np(col.is_null(), bool), None, f"missing {what}", problems)
        return to_np(col.fill_null(0), np.int64)
    s = _as_strings(col)
    ok = to_np(pc.match_substring_regex(s, INTEGER_RE), bool)
    _report(t, column, ~ok, s, f"'{{value}}' is not a whole number ({what})", problems)
    s = pc.if_else(pa.array(ok), s, pa.scalar("0"))
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
            return to_np(per_value, dtype)[to_np(col.indices, col.indices.type.to_pandas_dtype())]
    s = _as_strings(col)
    idx = _choice_index(s, allowed, default)
    bad = to_np(idx.is_null(), bool)
    _report(t, column, bad, s, f"'{{value}}' is not one of {', '.join(allowed)}", problems)
    return to_np(idx.fill_null(0), dtype)


def lookup(t: RawTable, column: str, vocabulary: pa.Array, problems: Problems, what: str = "unit code") -> np.ndarray:
    """Index of each code in `vocabulary` (int32); unknown codes are problems (-1).

    Dictionary-encoded columns (Parquet) are looked up once per distinct code.
    """
    col = t.columns[column]
    if pa.types.is_dictionary(col.type):
        dict_idx = pc.index_in(pc.utf8_trim_whitespace(col.dictionary.cast(pa.string())), value_set=vocabulary)
        dict_idx = to_np(dict_idx.fill_null(-1), np.int32)
        if col.null_count == 0:
            out = dict_idx[to_np(col.indices, col.indices.type.to_pandas_dtype())]
        else:
            codes = to_np(col.indices.fill_null(-1), np.int64)
            out = np.where(codes >= 0, dict_idx[np.maximum(codes, 0)], -1).astype(np.int32)
        s = None
    else:
        s = _as_strings(col)
        out = to_np(pc.index_in(s, value_set=vocabulary).fill_null(-1), np.int32)
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
    ids = np.array([vocabulary.setdefault(n, len(vocabulary)) for n in names] + [0], dtype=np.int32)
    if indices.null_count == 0 and not empty.any():
        return ids[to_np(indices, indices.type.to_pandas_dtype())]
    ind = to_np(indices.fill_null(len(names)), np.int64)
    _report(t, column, empty[ind] | (ind == len(names)), None, "empty value", problems)
    return ids[ind]


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
