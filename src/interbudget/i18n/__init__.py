"""Message catalogues for Kazakh, Russian and English (one YAML file each)."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from ..errors import InterbudgetError
from ..yamlfile import load as load_yaml

LANGUAGES = ("kk", "ru", "en")


@cache
def catalog(lang: str) -> dict:
    """The messages of LANG: `LANG.yaml` merged with every topic catalogue `TOPIC.LANG.yaml` beside it
    (a key defined in two files is an error, never a silent override)."""
    if lang not in LANGUAGES:
        raise InterbudgetError(f"unknown language '{lang}': choose kk, ru or en")
    here = Path(__file__).parent
    merged: dict = {}
    for f in [here / f"{lang}.yaml", *sorted(here.glob(f"*.{lang}.yaml"))]:
        part = load_yaml(f.read_text(encoding="utf-8"), f.name) or {}
        twice = sorted(set(part) & set(merged))
        if twice:
            raise InterbudgetError(f"{f.name}: message key(s) {', '.join(twice)} already defined in another catalogue")
        merged.update(part)
    return merged


def fmt_amount(x: float, lang: str = "en") -> str:
    """Thousand tenge for reading; files keep full precision."""
    s = f"{x:,.1f}"
    return s.replace(",", "\u202f") if lang == "en" else s.replace(",", "\u202f").replace(".", ",")


_LATIN = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі",
                  ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u",
                   "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "a", "g", "q", "n", "o", "u", "u", "h", "i"], strict=True))


def transliterate(text: str) -> str:
    """A plain Cyrillic (Russian and Kazakh letters) to Latin transliteration, for names with no
    English form in the sources; callers mark the result as transliterated."""
    out = "".join(_LATIN.get(ch.lower(), ch) for ch in text)
    return " ".join(w[:1].upper() + w[1:] for w in out.split(" "))
