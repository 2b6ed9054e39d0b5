"""The scenario validator's messages in the editor's language.

The validator (scenario.py, shared with the CLI) writes its problems in English; the editor shows them beside the
form's fields. This module reads the common ones back into a message key and its values, by pattern, and writes them
from the topic catalogue web_validator.{kk,ru,en}.yaml; a message no pattern knows is shown as the validator wrote it
(English), never dropped. The patterns are tested against the validator's own output (tests/test_web_validator_text.py),
so a reworded message there fails a test here rather than silently going untranslated.
"""
from __future__ import annotations

import re

from ..i18n import catalog

NUM = r"-?[\d.eE+-]+"
PATTERNS = [
    ("outside", re.compile(rf"(?P<what>share|rate) (?P<value>{NUM}) is outside \[0, 1\].*")),
    ("sum_above_one", re.compile(rf"shares sum to (?P<value>{NUM}), above 1")),
    ("negative", re.compile(rf"(?P<what>rate|pool|total|limit|[a-z_]+) (?P<value>{NUM}) is negative")),
    ("unknown_option", re.compile(r"unknown option (?P<value>\S+): choose 1, 2, 3 or 4")),
    ("unknown_method", re.compile(r"unknown method '(?P<value>[^']*)'(?P<at>.*): choose M1, M2, M3 or M4")),
    ("unknown_choice", re.compile(r"unknown (?P<what>[\w ]+) '(?P<value>[^']*)': choose (?P<allowed>.+)")),
    ("year_twice", re.compile(r"year (?P<value>\d+) is listed twice")),
    ("no_year", re.compile(r"at least one year is needed")),
    ("floor_above_ceiling", re.compile(rf"floor (?P<floor>{NUM}) is above ceiling (?P<ceiling>{NUM})")),
    ("required", re.compile(r"required key is missing")),
    ("unknown_key", re.compile(r"unknown key \(check its spelling against METHOD\.md\)")),
    ("not_list", re.compile(r"Input should be a valid list")),
    ("not_map", re.compile(r"Input should be a valid dictionary.*")),
    ("not_integer", re.compile(r"Input should be a valid integer.*")),
    ("not_number", re.compile(r"Input should be a valid number.*")),
    ("not_boolean", re.compile(r"Input should be a valid boolean.*")),
]
_PREFIX = re.compile(r"(?P<prefix>[\w.\[\]-]+: )(?P<rest>.+)", re.DOTALL)


def one(msg: str, lang: str) -> str:
    """MSG (one validator message, maybe 'key.path: message') in LANG, or as written when no pattern knows it."""
    if lang == "en":
        return msg
    say = catalog(lang)["web_validator"]
    for key, pat in PATTERNS:
        m = pat.fullmatch(msg.strip())
        if m:
            return say[key].format(**m.groupdict())
    m = _PREFIX.fullmatch(msg.strip())
    if m and one(m["rest"], lang) != m["rest"]:
        return m["prefix"] + one(m["rest"], lang)
    return msg


def translated(msg: str, lang: str) -> str:
    """A field's messages ('; ' between them) each in LANG."""
    return "; ".join(one(part, lang) for part in msg.split("; "))
