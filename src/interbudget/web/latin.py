"""One Latin search key for a name however it is spelled: Kazakh or Russian Cyrillic, Kazakh Latin (the 2021
alphabet: Qyzylorda, Aqtöbe, Şymkent, Öskemen) or the common Russian-style romanization (Kyzylorda, Aktobe,
Shymkent, Ust-Kamenogorsk), for the search (web/search.py).

The key is a loose phonetic spelling in plain ASCII: letters that the spellings write differently read alike
(қ, к, q, k -> k; ғ, г, ğ -> g; ө, ö -> o; ұ, ү, у, ū, ü -> u; ә, ä -> a; ң, ñ -> n; ж, j, zh -> zh; ш, ş -> sh;
ч, ç -> ch; щ, shch, şş -> sh; х, һ, kh -> h; и, й, і, ы, ı, y -> i; я, ya -> ia; ю, yu -> iu; е, э, ё -> e;
ь, ъ dropped). Latin letters are read by those rules first, then every Cyrillic letter becomes its key letters one
by one, so a piece of a Cyrillic name becomes a piece of the name's key in any of the spellings.

One ambiguity is left to a second, looser key (`loose`): the Russian-style "ye" is е at a word's start, after a
vowel or after ь (Yesil, Nikolayevka, Vasilyevka), but й + е elsewhere. The loose key drops every i before an e
(Есіл, Yesil -> esil; Николаевка, Nikolayevka -> nikolaevka); the search matches a query's plain key against the
names' plain keys and its loose key against their loose keys, so a piece that ends on the dropped i still finds
its name by the plain key.

A query and the names go through the same functions, so a spelling merged here (ы with и) only widens a search.
`latin_keys` reads a whole list of names in one pass over one joined text (a few `str.translate` and `re.sub`
calls), not name by name.
"""
from __future__ import annotations

import re

# Latin letters of the Kazakh 2021 alphabet (and a few accented letters a reader may type) as plain Latin
# (the acute letters of the 2018 alphabet, ǵ ń ś ć, read as the 2021 letters)
_LATIN_LETTERS = str.maketrans({"ä": "a", "á": "a", "ğ": "g", "ǵ": "g", "ı": "i", "\u0307": "", "ñ": "n", "ń": "n",
                                "ö": "o", "ó": "o", "ş": "sh", "ś": "sh", "ç": "ch", "ć": "ch", "ū": "u", "ü": "u",
                                "ú": "u", "é": "e", "q": "k", "j": "zh"})
_DIGRAPHS = ((re.compile("sh(?:ch|sh)"), "sh"), (re.compile("kh"), "h"))
_I_BEFORE_E = re.compile("i+e")
# every Cyrillic letter (Russian and Kazakh) as its key letters
_CYRILLIC = str.maketrans({
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "і": "i", "к": "k", "қ": "k", "л": "l", "м": "m", "н": "n", "ң": "n", "о": "o", "ө": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "u", "ү": "u", "ф": "f", "х": "h", "һ": "h", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "iu", "я": "ia"})


def latin_keys(texts: list[str]) -> list[str]:
    """The Latin key of each of TEXTS (lowercase, without line breaks: `search.clean`d names or a query)."""
    t = "\n".join(texts).translate(_LATIN_LETTERS)
    for pattern, repl in _DIGRAPHS:
        t = pattern.sub(repl, t)
    return t.replace("y", "i").translate(_CYRILLIC).split("\n")


def loose(keys: list[str]) -> list[str]:
    """KEYS (`latin_keys`) with every i before an e dropped, in one pass."""
    return _I_BEFORE_E.sub("e", "\n".join(keys)).split("\n")
