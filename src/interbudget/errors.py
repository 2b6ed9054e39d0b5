"""The project's one error type: every message is written for a person.

A `Problem` names the file, the row (line in a CSV, counting the header as
line 1) and the column; `InterbudgetError` carries one or more of them so
that `interbudget validate` can report everything it found at once.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    file: str
    message: str
    row: str | None = None  # "line 7" for CSV, "row 6" for Parquet
    column: str | None = None

    def __str__(self) -> str:
        where = [self.file] if self.file else []
        if self.row:
            where.append(self.row)
        if self.column:
            # a table's column (CSV, Parquet, an Excel sheet); a scenario's key (a YAML file, a stored version, a diff)
            kind = "column" if self.file.endswith((".csv", ".parquet", ".xlsx", "]")) else "key"
            where.append(f"{kind} '{self.column}'")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class InterbudgetError(Exception):
    """Bad input or an impossible request; the CLI prints it without a traceback."""

    def __init__(self, problems: Sequence[Problem | str] | Problem | str):
        if isinstance(problems, (str, Problem)):
            problems = [problems]
        # a bare message is a problem with no file: every item of `problems` has .file, .row, .column, .message
        self.problems: list[Problem] = [p if isinstance(p, Problem) else Problem(file="", message=p) for p in problems]
        super().__init__("\n".join(str(p) for p in self.problems))


class Problems:
    """Collects problems while a dataset is read, so all are reported at once."""

    #: rows listed one by one for the same (file, column, kind of problem)
    PER_KIND = 5

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.warnings: list[str] = []  # accepted on request (--allow-duplicates, ...), still said

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def add(self, file: str, message: str, row: str | None = None, column: str | None = None) -> None:
        self.items.append(Problem(file, message, row, column))

    def add_rows(self, file: str, column: str | None, rows: list[str], messages: list[str]) -> None:
        """Add one problem per offending row, capped, with a count of the rest."""
        for row, msg in zip(rows[: self.PER_KIND], messages[: self.PER_KIND], strict=True):
            self.add(file, msg, row, column)
        if len(rows) > self.PER_KIND:
            self.add(file, f"... and {len(rows) - self.PER_KIND} more rows with the same kind of problem", None, column)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise InterbudgetError(self.items)
