"""interbudget: inter-budgetary relations as rules-as-code (see README "From Python").

`load_dataset`, `load_scenario`, `run`, `Scenario`, `Result`, `Dataset` and `InterbudgetError` are the public
API, with the analyses `metrics`, `compare`, `scorecard` and `stress`, each returning tables (`Table`); all but
the error are imported on first use, so `import interbudget` stays light (no numpy, pandas, scipy or fastapi until
a dataset is loaded).
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

from ._version import __version__
from .errors import InterbudgetError

_LAZY = {"load_dataset": "api", "load_scenario": "api", "run": "api", "Scenario": "scenario", "Result": "engine",
         "Dataset": "dataset", "metrics": "api", "compare": "api", "scorecard": "api", "stress": "api", "Table": "analysis.table"}
__all__ = ["Dataset", "InterbudgetError", "Result", "Scenario", "Table", "__version__", "compare", "load_dataset", "load_scenario",
           "metrics", "run", "scorecard", "stress"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'interbudget' has no attribute '{name}'")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
