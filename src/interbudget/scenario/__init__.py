"""A scenario: a reform as data (METHOD.md "Scenario"), validated by pydantic.

A scenario may `extends:` another file and override only what changes: maps
merge key by key, any other value replaces the inherited one, and `null`
removes an inherited key (for example a tax's sharing, which then goes
wholly to the republic). Every share or rate may be written as
`{value: 0.5, reference: "Budget Code art. 52"}` instead of a bare number.
"""
from __future__ import annotations

from .fiscal import DEFAULT_ORDER, SEQUESTRABLE, ActualShock, Borrowing, Revision, Sequestration
from .load import load_scenario, read_scenario_data, scenario_dict
from .model import Scenario, validate_scenario
from .parts import (
                    DEFAULT_REGULATED,
                    METHODS,
                    NEEDS_BASES,
                    OPTION4_REGULATED,
                    OPTIONS,
                    SHARE_LEVELS,
                    CapacityRate,
                    Envelope,
                    Mandate,
                    Method,
                    Targeted,
                    TaxShares,
)

__all__ = ["DEFAULT_ORDER", "DEFAULT_REGULATED", "METHODS", "NEEDS_BASES", "OPTION4_REGULATED", "OPTIONS", "SEQUESTRABLE",
           "SHARE_LEVELS", "ActualShock", "Borrowing", "CapacityRate", "Envelope", "Mandate", "Method", "Revision", "Scenario",
           "Sequestration", "Targeted", "TaxShares", "load_scenario", "read_scenario_data", "scenario_dict", "validate_scenario"]
