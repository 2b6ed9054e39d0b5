"""Message catalogues for Kazakh, Russian and English (one YAML file each)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from ..errors import InterbudgetError

LANGUAGES = ("kk", "ru", "en")


@lru_cache(maxsize=None)
def catalog(lang: str) -> dict:
    if lang not in LANGUAGES:
        raise InterbudgetError(f"unknown language '{lang}': choose kk, ru or en")
    return yaml.safe_load((Path(__file__).parent / f"{lang}.yaml").read_text(encoding="utf-8"))


def fmt_amount(x: float, lang: str = "en") -> str:
    """Thousand tenge for reading; files keep full precision."""
    s = f"{x:,.1f}"
    return s.replace(",", "\u202f") if lang == "en" else s.replace(",", "\u202f").replace(".", ",")
