"""Read a CSV table's columns: as text (every cell as given), or typed where the dataset's contract says what a
column holds, with an exact fall-back to text.

The text read is the reference: every cell a string, checked and converted by
the cell parsers (cells.py), which name each bad cell. The typed read lets
Arrow's CSV reader convert while it parses: numbers as float64, codes and
whole numbers as dictionaries (each distinct text once). It is used only
where it cannot change a result or a message:

- the typed read fails (a cell Arrow cannot convert): the table is read as text;
- a number column holds an empty or a non-finite cell: that column is read as
  text (the parsers' messages for "", "nan", "1e999" are the text path's);
- a dictionary holds a value with white space or other non-printable ASCII at
  either end: the column becomes plain text (the parsers trim as Arrow does);
- a whole row repeats another by value: the table is read as text, so that
  exact repeats are found (and reported) on the text as given (tables
  `read_table`).

Arrow's float parser and its string-to-float cast are the same code, so a
number read typed has the bits the text path gives it (tests/test_load_typed.py
checks both paths against each other on random cells).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from .arrow import to_np, untrimmed

#: a file at least this large is parsed by Arrow's thread pool; below it one thread is faster and steadier
#: (benchmarks/README.md "Loading a dataset")
THREADS_FROM = 32 << 20
_DICT = pa.dictionary(pa.int32(), pa.string())
KINDS = {"float": pa.float64(), "int": _DICT, "code": _DICT}  # what a column of each kind is read as


def _read(path: Path, types: dict[str, pa.DataType], typed: bool) -> pa.Table:
    size = path.stat().st_size
    return pacsv.read_csv(
        path,
        # Arrow's blocks of 1 MB (one block for a whole file of 20 MB is a third slower); a dictionary column's
        # chunks are unified when combined (tables/__init__.py), and encode() orders names by first appearance
        read_options=pacsv.ReadOptions(use_threads=size >= THREADS_FROM),
        parse_options=pacsv.ParseOptions(newlines_in_values=False),
        convert_options=pacsv.ConvertOptions(
            include_columns=list(types),
            column_types=types,
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            **({"null_values": [""]} if typed else {}),  # typed: only an empty cell is null (then read as text)
        ),
    )


def text(path: Path, columns: list[str]) -> dict[str, pa.ChunkedArray]:
    """Every column as the text of its cells."""
    table = _read(path, {c: pa.string() for c in columns}, typed=False)
    return {c: table.column(c) for c in table.column_names}


def columns(path: Path, present: list[str], kinds: dict[str, str]) -> tuple[dict[str, pa.ChunkedArray | pa.Array], set[str]]:
    """The columns of `path` (in the order of `present`), typed by `kinds` (column -> float, int or code) where
    that changes nothing, and the columns read as dictionaries. Raises what Arrow raises on a file it cannot read
    as text."""
    wanted = {c: KINDS[kinds[c]] if c in kinds else pa.string() for c in present}
    if all(t == pa.string() for t in wanted.values()):
        return text(path, present), set()
    try:
        table = _read(path, wanted, typed=True)
    except pa.ArrowInvalid:
        return text(path, present), set()
    cols: dict[str, pa.ChunkedArray | pa.Array] = {c: table.column(c) for c in table.column_names}
    again, dicts = [], set()
    for c, col in cols.items():
        if pa.types.is_floating(col.type):
            if col.null_count or not all(np.isfinite(to_np(k, np.float64)).all() for k in col.chunks):
                again.append(c)
        elif pa.types.is_dictionary(col.type):
            col = cols[c] = col.combine_chunks()
            if untrimmed(col.dictionary):
                cols[c] = col.cast(pa.string())
            else:
                dicts.add(c)
    if again:
        cols.update(text(path, again))
    return {c: cols[c] for c in present if c in cols}, dicts
