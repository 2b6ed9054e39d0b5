"""The scenario validator's messages in the editor's language.

The validator (scenario.py, shared with the CLI) writes its problems in English; the editor shows them beside the
form's fields. This module reads the common ones back into a message key and its values, by pattern, and writes them
from the topic catalogue web_validator.{kk,ru,en}.yaml; a message no pattern knows is shown as the validator wrote it
(English), never dropped. The patterns are tested against the validator's own output (tests/test_web_validator_text.py),
so a reworded message there fails a test here rather than silently going untranslated.

The rarer messages (every other text the validator and the engine's scenario checks can write, which the editor
shows) are read by templates instead: the topic catalogue validator_messages.en.yaml holds each message exactly as
the code writes it, its values as `{fields}`; each English template becomes one pattern, and the kk/ru templates of
the same key write it back with the same fields. Values that are words (a level, "envelope 2026") are read the same
way from `validator_values`. tests/test_web_validator_rare.py reads the messages out of the code's source and
fails on one that no pattern or template knows.
"""
from __future__ import annotations

import re
import string
from functools import cache

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


#: fields of the templates that hold one figure or year (no blank inside): "{what} {value} is outside [0, 1]"
FIGURES = ("value", "share", "local", "cap", "total", "floors", "ceilings", "reach", "year", "line", "first")


def template_pattern(template: str) -> re.Pattern:
    """The pattern of an English TEMPLATE: its text as written, each `{field}` any text but "; " (a figure of
    FIGURES: no blank), `{{` a brace."""
    out = []
    for text, field, _, _ in string.Formatter().parse(template):
        out.append(re.escape(text))
        if field is not None:
            out.append(f"(?P<{field}>\\S+)" if field in FIGURES else f"(?P<{field}>(?:(?!; ).)*?)")
    return re.compile("".join(out), re.DOTALL)


@cache
def templates(table: str) -> tuple[tuple[str, re.Pattern], ...]:
    """(key, pattern) of every English template of the catalogue TABLE (validator_messages, validator_values)."""
    return tuple((key, template_pattern(t)) for key, t in catalog("en")[table].items())


def _value(text: str, lang: str, depth: int = 0) -> str:
    """A value inside a message in LANG: a level's name, or a phrase of `validator_values`; else as written."""
    c = catalog(lang)
    if text in c["levels"]:
        return c["levels"][text]
    if depth < 3:
        for key, pat in templates("validator_values"):
            m = pat.fullmatch(text)
            if m:
                return c["validator_values"][key].format(**{k: _value(v, lang, depth + 1) for k, v in m.groupdict().items()})
    return text


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
    rare = catalog(lang)["validator_messages"]
    for key, pat in templates("validator_messages"):
        m = pat.fullmatch(msg.strip())
        if m:
            return rare[key].format(**{k: _value(v, lang) for k, v in m.groupdict().items()})
    return msg


def translated(msg: str, lang: str) -> str:
    """A field's messages ('; ' between them) each in LANG."""
    return "; ".join(one(part, lang) for part in msg.split("; "))
