"""The concept's 14 problem and move categories (§1.1-§1.3, §3.1, §3.2): the kinds of the audit's findings and of
the proposals' moves; and the budget classification's functional groups with the local spending of 2024.

categories.csv: id, section, name_kk, name_ru, name_en, used_as ('finding', 'proposal' or both, ';'), source.
classification.csv: group, name_kk, name_ru, name_en, local_spending_2024, share_of_local_2024, needs_lines, source.
"""
from __future__ import annotations

import csv
from pathlib import Path


def _read(folder: Path | None, name: str, key: str) -> dict[str, dict] | None:
    path = Path(folder) / name if folder else None
    if path is None or not path.is_file():
        return None
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return {r[key]: {k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(fh)}


def load_categories(folder: Path | None) -> dict[str, dict] | None:
    return _read(folder, "categories.csv", "id")


def load_classification(folder: Path | None) -> dict[str, dict] | None:
    return _read(folder, "classification.csv", "group")
