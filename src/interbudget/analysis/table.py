"""The analyses' return type: a small column table with named, documented columns.

A `Table` holds one 1-D numpy array per column, all of one length, in a fixed order; nothing in it is
formatted (no thousands separators, no scenario names inside keys). The CLI, the web and the reports format
it; `rows()` gives plain Python rows (for JSON), `to_arrow()` and `to_pandas()` the usual frames.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


def _column(values: Any) -> np.ndarray:
    a = np.asarray(values)
    if a.dtype.kind in "US":  # text stays Python str (numpy's fixed-width strings would truncate on concatenation)
        if isinstance(values, np.ndarray):
            a = a.astype(object)
        else:  # from the values themselves: numpy's fixed-width strings drop trailing NUL characters
            a = np.empty(len(values), dtype=object)
            a[:] = list(values)
    if a.ndim != 1:
        raise ValueError(f"a table column must be one-dimensional, not of shape {a.shape}")
    return a


@dataclass(frozen=True)
class Table:
    """Columns by name (insertion order is the column order), each a 1-D numpy array of one common length."""

    columns: Mapping[str, np.ndarray]

    def __post_init__(self) -> None:
        cols = {k: _column(v) for k, v in self.columns.items()}
        lengths = {k: v.size for k, v in cols.items()}
        if len(set(lengths.values())) > 1:
            raise ValueError(f"table columns of different lengths: {lengths}")
        object.__setattr__(self, "columns", cols)

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]], names: Sequence[str]) -> Table:
        """A table of ROWS (mappings with at least NAMES); an empty ROWS gives empty columns."""
        rows = list(rows)
        return cls({n: _column([r[n] for r in rows]) if rows else np.array([], dtype=object) for n in names})

    @classmethod
    def concat(cls, tables: Sequence[Table], names: Sequence[str]) -> Table:
        """The tables one under another (each has NAMES)."""
        if not tables:
            return cls({n: np.array([], dtype=object) for n in names})
        return cls({n: np.concatenate([np.asarray(t[n], dtype=object) for t in tables]) if any(
            t[n].dtype == object for t in tables) else np.concatenate([t[n] for t in tables]) for n in names})

    @property
    def names(self) -> list[str]:
        return list(self.columns)

    def __len__(self) -> int:
        return next(iter(self.columns.values())).size if self.columns else 0

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows())

    def where(self, mask: np.ndarray) -> Table:
        """The rows where MASK (a boolean array of the table's length) holds."""
        return Table({k: v[mask] for k, v in self.columns.items()})

    def rows(self) -> list[dict[str, Any]]:
        """One dict per row with plain Python values (float, int, str), in column order: what JSON is written from."""
        cols = [(k, v.tolist()) for k, v in self.columns.items()]
        return [{k: v[i] for k, v in cols} for i in range(len(self))]

    def to_arrow(self) -> Any:
        """The table as a pyarrow.Table."""
        import pyarrow as pa

        return pa.table({k: v.tolist() if v.dtype == object else v for k, v in self.columns.items()})

    def to_pandas(self) -> Any:
        """The table as a pandas.DataFrame."""
        import pandas as pd

        return pd.DataFrame(dict(self.columns.items()))
