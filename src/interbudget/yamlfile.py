"""The one way the project reads YAML: safe, and a key given twice in a map is an error.

PyYAML's SafeLoader keeps the last of two equal keys without a word, so a scenario with
`withdrawal_rate:` written twice would run on whichever came last. `UniqueKeyLoader` checks
every mapping as it is built and names the line of the second key and of the first.
"""
from __future__ import annotations

from typing import Any

import yaml
from yaml import YAMLError

from .errors import InterbudgetError, Problem

__all__ = ["DuplicateKey", "UniqueKeyLoader", "YAMLError", "error_of", "load", "parse"]


class DuplicateKey(yaml.MarkedYAMLError):
    """A mapping key given twice; `key` and both lines (counting from 1) are kept."""

    def __init__(self, key: Any, line: int, first_line: int, mark):
        super().__init__(problem=f"key '{key}' is given twice (first on line {first_line})", problem_mark=mark)
        self.key, self.line, self.first_line = key, line, first_line


class UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (merge keys `<<` keep their meaning)."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key: SafeLoader reports it below
                    continue
                if first is not None:
                    raise DuplicateKey(key, key_node.start_mark.line + 1, first, key_node.start_mark)
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


# the stubs type a constructor by the loader it is registered on; construct_yaml_map is SafeConstructor's own
UniqueKeyLoader.add_constructor("tag:yaml.org,2002:map", UniqueKeyLoader.construct_yaml_map)  # type: ignore[type-var]


def parse(text: str) -> Any:
    """TEXT as YAML; `yaml.YAMLError` (a `DuplicateKey` for a key given twice) on bad input."""
    return yaml.load(text, Loader=UniqueKeyLoader)  # noqa: S506 — a SafeLoader subclass


def error_of(exc: yaml.YAMLError, source: str) -> InterbudgetError:
    """A YAML error as the project's error: file, line, key and the problem."""
    if isinstance(exc, DuplicateKey):
        return InterbudgetError(Problem(source, f"key given twice (first on line {exc.first_line}); keep one",
                                        f"line {exc.line}", str(exc.key)))
    mark = getattr(exc, "problem_mark", None)
    return InterbudgetError(Problem(source, f"not valid YAML: {getattr(exc, 'problem', None) or exc}",
                                    f"line {mark.line + 1}" if mark else None))


def load(text: str, source: str) -> Any:
    """TEXT (read from SOURCE) as YAML, or an `InterbudgetError` naming SOURCE, the line and the key."""
    try:
        return parse(text)
    except yaml.YAMLError as exc:
        raise error_of(exc, source) from None
