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


_LATIN = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі",
                  ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u",
                   "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "a", "g", "q", "n", "o", "u", "u", "h", "i"]))


def transliterate(text: str) -> str:
    """A plain Cyrillic (Russian and Kazakh letters) to Latin transliteration, for names with no
    English form in the sources; callers mark the result as transliterated."""
    out = "".join(_LATIN.get(ch.lower(), ch) for ch in text)
    return " ".join(w[:1].upper() + w[1:] for w in out.split(" "))
