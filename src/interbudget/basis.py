"""The data basis of a figure: which law transfers a dataset filled by a stated rule instead of a source.

A dataset may carry the published transfer law as `transfers_*.csv` files with the columns
`year, code, basis` (data/kz: transfers_2026_2028.csv). A row whose basis begins with "RULE" was
filled by the rule it states (for data/kz 2026: Turkestan, Ulytau and Shymkent, the law's total
minus the 14 published subventions, split by population); the needs calibrated on it inherit the
rule. Every table that shows such a region-year marks it (MARK) and names the basis in a footnote.
"""
from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from .errors import InterbudgetError, Problem

MARK = "†"


def rule_filled(folder: Path) -> dict[tuple[str, int], str]:
    """(code, year) -> the stated rule, for every rule-filled row of the dataset's transfers_*.csv files."""
    out: dict[tuple[str, int], str] = {}
    for path in sorted(Path(folder).glob("transfers_*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            rows = csv.DictReader(fh)
            if not {"year", "code", "basis"} <= set(rows.fieldnames or []):
                continue  # another kind of transfer table (e.g. transfers_published.csv): no basis per row
            for line, r in enumerate(rows, start=2):
                basis = (r["basis"] or "").strip()
                if not basis.upper().startswith("RULE"):
                    continue
                try:
                    year = int(r["year"])
                except (TypeError, ValueError):
                    raise InterbudgetError(Problem(path.name, f"'{r['year']}' is not a year", f"row {line}", "year")) from None
                out[(r["code"].strip(), year)] = basis.split(":", 1)[-1].strip()
    return out


@lru_cache(maxsize=8)
def rule_filled_cached(folder: str) -> dict[tuple[str, int], str]:
    """rule_filled for a served dataset, read once (the web's dataset does not change while it is served)."""
    return rule_filled(Path(folder))


def footnote(marks: dict[tuple[str, int], str], shown: list[tuple[str, int]]) -> str:
    """One footnote for the marked rows among `shown`: which rule filled them (empty if none is shown)."""
    rules = sorted({marks[k] for k in shown if k in marks})
    if not rules:
        return ""
    return (f"{MARK} the law's transfer of this region and year is not published: it is filled by a stated rule "
            f"({'; '.join(rules)}), and the region's needs are calibrated on it — illustrative, not a real figure")
