"""Read one dataset table (CSV or Parquet) into Arrow columns, refusing exact repeats of a row.

The cell parsers (`strings`, `numbers`, `lookup`, ...; cells.py) and
the repeat checks (`duplicates`, `repeated_rows`; repeats.py) are
importable from here too, so a loader needs one name: `tables as T`.
"""
from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from ..errors import Problems

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
) -> RawTable | None:
    """Read `path`; None (with problems added) if it cannot be used at all.

    A row that repeats an earlier row in every column read is an error naming both rows, or, with
    `allow_duplicates`, kept as given and counted in a warning."""
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
    t = RawTable(path, cols, table.num_rows, is_csv, plain_text=frozenset(text))
    _exact_repeats(t, problems, allow_duplicates)
    return t

