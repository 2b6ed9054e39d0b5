"""The store's shared pieces: roles and limits, its error types, the clock, and documents in the form the store
keeps them."""
from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from ..errors import InterbudgetError

ROLES = ("analyst", "akimat", "commission")
OBJECTION_KINDS = ("objection", "correction")
RESOLUTIONS = ("resolved", "rejected")
SESSION_HOURS = 8
MAX_TEXT = 10_000  # characters of an objection's text, a comment or a decision
MAX_NOTE = 1_000   # characters of a version's note


def _text(text: str, what: str, limit: int = MAX_TEXT) -> str:
    if not isinstance(text, str):
        raise InterbudgetError(f"the {what} must be text, not {type(text).__name__}")
    if len(text) > limit:
        raise InterbudgetError(f"the {what} has {len(text):,} characters: at most {limit:,}")
    return text


class Conflict(InterbudgetError):
    """Someone else saved first: the caller shows whose version is newer, nothing is overwritten."""


class NotFound(InterbudgetError):
    pass


class TooManyAttempts(InterbudgetError):
    """Logins of one name are refused for a while after repeated failures."""


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def as_stored(doc: dict) -> dict:
    """DOC as the store keeps it: JSON, so year keys are strings ({2027: x} -> {"2027": x}; the scenario model reads
    both) and nulls are gone. Compare documents in this form."""
    return json.loads(json.dumps(strip_nulls(doc), ensure_ascii=False))


def strip_nulls(doc: Any) -> Any:
    if isinstance(doc, dict):
        return {k: strip_nulls(v) for k, v in doc.items() if v is not None}
    if isinstance(doc, list):
        return [strip_nulls(v) for v in doc]
    return doc
