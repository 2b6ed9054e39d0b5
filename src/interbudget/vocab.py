"""Words shared by the data files and the scenario (kept here so neither imports the other)."""
from __future__ import annotations

KINDS = ("current", "development")  # needs.csv `kind`: current or development (capital) spending, §3.3.3
CREDITORS = ("republic", "bank", "bond", "other")  # debt.csv `creditor`, scenario `borrowing.lenders`
STATUSES = ("planned", "in_progress", "done", "late", "dropped", "unknown")  # programme/kz measures.csv `status`
