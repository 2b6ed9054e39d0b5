"""Read one dataset table (CSV or Parquet) into Arrow columns, refusing exact repeats of a row.

The cell parsers (`strings`, `numbers`, `lookup`, ...; cells.py) and
the repeat checks (`duplicates`, `repeated_rows`; repeats.py) are
importable from here too, so a loader needs one name: `tables as T`.
"""
from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa

from ..errors import Problems
from . import csvread

# the cell parsers and the repeat checks live in their own modules; their names stay importable from here
from .cells import (  # noqa: F401
    INTEGER_RE,
    NUMBER_RE,
    RawTable,
    _as_strings,
    _choice_index,
    _numeric,
    _report,
    choices,
    encode,
    integers,
    lookup,
    numbers,
    strings,
    to_np,
)
from .repeats import (  # noqa: F401
    _candidates,
    _cheap_codes,
    _dense,
    _exact_repeats,
    _repeating,
    _signature,
    duplicates,
    repeated_rows,
)


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
    kinds: dict[str, str] | None = None,
) -> RawTable | None:
    """Read `path`; None (with problems added) if it cannot be used at all.

    A row that repeats an earlier row in every column read is an error naming both rows, or, with
    `allow_duplicates`, kept as given and counted in a warning. `kinds` (column -> float, int or code) lets a
    CSV be read typed where that changes no value and no message (csvread.py)."""
    name = path.name
    if path.stat().st_size == 0:
        problems.add(name, "the file is empty (expected a header row with columns " + ", ".join(required) + ")")
        return None
    is_csv = path.suffix == ".csv"
    text: list[str] = []
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
            read, dicts = csvread.columns(path, present, kinds or {})
            nrows = len(next(iter(read.values()))) if read else 0
            # Header cells with surrounding spaces were matched after stripping.
        else:
            import pyarrow.parquet as pq  # only for Parquet tables

            schema = pq.read_schema(path)
            header = list(schema.names)
            missing = [c for c in required if c not in header]
            if missing:
                problems.add(name, f"missing column(s) {', '.join(missing)}; found {', '.join(header)}")
                return None
            present = [c for c in required + optional if c in header]
            # text as a dictionary (codes, taxes, payers: a few distinct values each), decoded so straight from the
            # file's dictionary pages: each distinct value is then looked up, checked and hashed once, not per row
            text = [c for c in present if pa.types.is_string(schema.field(c).type) or pa.types.is_large_string(schema.field(c).type)]
            table = pq.read_table(path, columns=present, read_dictionary=text)
            read, dicts, nrows = {c: table.column(c) for c in table.column_names}, set(text), table.num_rows
    except UnicodeDecodeError as exc:
        problems.add(name, f"not valid UTF-8 ({exc.reason} at byte {exc.start})")
        return None
    except (pa.ArrowInvalid, pa.ArrowException, OSError) as exc:
        problems.add(name, f"cannot be read: {exc}")
        return None
    if must_have_rows and nrows == 0:
        problems.add(name, "has a header but no data rows")
        return None
    t = _raw(path, read, nrows, is_csv, dicts)
    if is_csv and (dicts or any(_numeric(c.type) for c in read.values())):
        # read typed (csvread.py): a row repeated exactly as text is repeated by value, so the text is read and
        # checked only when some row repeats another by value (then exact repeats are those of the text as given)
        if nrows > 1 and repeated_rows(list(t.columns.values()), nrows)[0].size:
            t = _raw(path, csvread.text(path, list(read)), nrows, is_csv, set())
            _exact_repeats(t, problems, allow_duplicates)
        return t
    _exact_repeats(t, problems, allow_duplicates)
    return t


def _raw(path: Path, read: dict, nrows: int, is_csv: bool, dicts: set[str]) -> RawTable:
    # numeric columns stay chunked and are concatenated once, into numpy;
    # text and dictionary columns are combined (one dictionary for the lookups)
    cols = {c: (col if _numeric(col.type) and isinstance(col, pa.ChunkedArray) and col.num_chunks > 0
                else col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col)
            for c, col in read.items()}
    # plain text read as a dictionary: encode() takes new names in the order the rows give them
    return RawTable(path, cols, nrows, is_csv, plain_text=frozenset(dicts))


def read_column(path: Path, column: str) -> RawTable | None:
    """One text column of a table, as a dictionary and unchecked (no repeats, no cell checks); None if the file
    cannot be read or has no such column."""
    try:
        if path.suffix == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as fh:
                header = [h.strip() for h in next(csv.reader(fh), [])]
            if column not in header:
                return None
            read, dicts = csvread.columns(path, [column], {column: "code"})
        else:
            import pyarrow.parquet as pq

            if column not in pq.read_schema(path).names:
                return None
            table = pq.read_table(path, columns=[column], read_dictionary=[column])
            read, dicts = {column: table.column(column)}, {column}
    except (UnicodeDecodeError, pa.ArrowException, OSError):
        return None
    return _raw(path, read, len(read[column]), path.suffix == ".csv", dicts)
