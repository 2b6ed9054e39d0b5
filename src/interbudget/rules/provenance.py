"""Provenance stamps: which rule set a figure, under which concept section, from which scenario key.

A rule that sets figures stamps them as it computes. A stamp is a small record
(rule id, concept §, scenario parameter path, reference); figures carry stamp
ids in an integer array parallel to the values (a share table cell, a budget's
quantity), so stamping stays vectorised: one id per cell, a handful of
distinct stamps per run. `explain` reads the stamps back instead of
re-deriving what a rule means.

A stamp may name the unit and tax it applies to by the placeholders `{code}`
and `{tax}` (M1's parameter path is `child_shares.{code}.{tax}`); they are
filled with the row's unit and the cell's tax when read.

A stamp's `kind` says which mechanism it is, one key per mechanism, where the rule id alone is ambiguous:
"option 4" is both the base-payer rule and option 4's region share. Every stamp of a share has one of
`SHARE_KINDS`; a stamp of a run's quantity (transfers, capacity, envelope ...) is known by its rule id, which
names one mechanism, and its `kind` reads as that id. Readers that turn stamps into words
(web/explain_text.py) key on the kind, never on the rule text.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

#: the id of "no stamp": the republic keeps the rest of a receipt for no named rule
NONE = -1
STAMP_DTYPE = np.int16

#: the kinds of the stamps of shares (share table cells, computed shares), one per mechanism
SHARE_KINDS = (
    "uniform_share",  # the scenario's share for every budget of a level (`sharing`, `sharing_base`)
    "centralized",  # option 3: a regulated tax goes wholly to the republic
    "base_to_republic",  # option 4: the base enterprises' receipts go wholly to the republic
    "region_share_computed",  # options 2 and 4: a region's share computed as its no-withdrawal share
    "region_share_given",  # options 2 and 4: a region's share the scenario gives (`region_shares`)
    "not_shared",  # a tax no sharing table names: wholly republican
    "child_share_m1",  # M1: the child's share the scenario gives (`child_shares`)
    "child_share_m2",  # M2: the child's share computed (shares.csv)
    "child_share_m4",  # M4: the whole local part to the child
    "parent_keeps",  # M1/M2/M4: the parent keeps the local part minus the child's share
)


class Stamp(NamedTuple):
    rule: str  # the rule's id: "sharing", "option 3", "M1", "envelope" ...
    section: str  # the concept section it implements, e.g. "§3.3.2" ("" where the concept names none)
    parameter: str  # the scenario key path it reads, e.g. "sharing.vat.region" or "option"
    reference: str  # what the rule does, or the legal reference the scenario gives the key
    display: str = ""  # how explain shows it; "" means "{rule}: {reference}, {section}"
    kind: str = ""  # which mechanism (a share: one of SHARE_KINDS; "" reads as `rule`): what a reader keys on

    def filled(self, code: str = "", tax: str = "") -> Stamp:
        """The stamp with `{code}` and `{tax}` replaced (plain replacement: references may hold braces)."""
        def fill(text: str) -> str:
            return text.replace("{code}", code).replace("{tax}", tax)

        return Stamp(*(fill(v) for v in self))

    def text(self, code: str = "", tax: str = "") -> str:
        """The stamp as one line of an explanation."""
        f = self.filled(code, tax)
        return f.display or f"{f.rule}: {f.reference}" + (f", {f.section}" if f.section else "")

    def as_dict(self, code: str = "", tax: str = "") -> dict[str, str]:
        f = self.filled(code, tax)
        return {"rule": f.rule, "kind": f.kind or f.rule, "section": f.section, "parameter": f.parameter, "reference": f.reference}


class Stamps:
    """The distinct stamps of one run; figures refer to them by id (`STAMP_DTYPE`)."""

    def __init__(self) -> None:
        self.records: list[Stamp] = []
        self._ids: dict[Stamp, int] = {}

    def id(self, stamp: Stamp) -> int:
        """The id of `stamp`, registering it on first use."""
        got = self._ids.get(stamp)
        if got is None:
            got = self._ids[stamp] = len(self.records)
            if got > np.iinfo(STAMP_DTYPE).max:
                raise OverflowError("more distinct provenance stamps than an int16 id holds")
            self.records.append(stamp)
        return got

    def get(self, i: int) -> Stamp | None:
        return None if i == NONE else self.records[i]

    def text(self, i: int, code: str = "", tax: str = "") -> str:
        s = self.get(i)
        return "" if s is None else s.text(code, tax)


def blank(shape: tuple[int, ...]) -> np.ndarray:
    """An unstamped id array."""
    return np.full(shape, NONE, dtype=STAMP_DTYPE)
