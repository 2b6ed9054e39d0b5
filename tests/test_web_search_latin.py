"""Search by Latin spellings (web/latin.py): a name written in Kazakh Latin (2021 alphabet) or in the common
Russian-style romanization finds its unit, by the page and the JSON; any transliterated piece of any name does."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings, strategies as st

from interbudget.dataset import load_dataset
from interbudget.web.app import create_app
from interbudget.web.latin import latin_keys, loose
from interbudget.web.search import SearchIndex, clean

ROOT = Path(__file__).resolve().parents[1]
KZ = ROOT / "data" / "kz"
UNITS = list(csv.DictReader((KZ / "units.csv").open(encoding="utf-8")))
CYRILLIC = [(r["code"], r[col].replace(" [translit.]", "")) for r in UNITS for col in ("name_kk", "name_ru") if r[col]]

# The two spellings, written out here letter by letter from their tables (not from web/latin.py):
# Kazakh Latin, the alphabet of 2021 (ё as e: the alphabet has no ё; data/kz has one name with it)
KAZAKH_2021 = dict(zip("аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя", [
    "a", "ä", "b", "v", "g", "ğ", "d", "e", "e", "j", "z", "i", "i", "k", "q", "l", "m", "n", "ñ", "o", "ö", "p", "r",
    "s", "t", "u", "ū", "ü", "f", "h", "h", "ts", "ç", "ş", "şş", "", "y", "ı", "", "e", "iu", "ia"], strict=True))
# the Russian-style romanization (BGN/PCGN's, without its marks for ь and ъ; Kazakh letters as their Russian ones)
RUSSIAN_STYLE = dict(zip("аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя", [
    "a", "a", "b", "v", "g", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "k", "l", "m", "n", "n", "o", "o", "p", "r",
    "s", "t", "u", "u", "u", "f", "kh", "kh", "ts", "ch", "sh", "shch", "", "y", "i", "", "e", "yu", "ya"], strict=True))
YE_AFTER = set("аеёиоуыэюяәөұүіьъй -")  # BGN/PCGN: е is "ye" at a word's start and after these


def kazakh_2021(text: str) -> str:
    return "".join(KAZAKH_2021.get(ch, ch) for ch in text.lower())


def russian_style(text: str) -> str:
    t = text.lower()
    return "".join("ye" if ch == "е" and (i == 0 or t[i - 1] in YE_AFTER) else RUSSIAN_STYLE.get(ch, ch)
                   for i, ch in enumerate(t))


@pytest.fixture(scope="module")
def index():
    return SearchIndex(load_dataset(KZ).hierarchy)


def codes(ix, q):
    return [str(ix.h.codes[u]) for u in ix.find(q)]


@pytest.mark.parametrize("q,code", [
    ("Qyzylorda", "430000000"), ("Kyzylorda", "430000000"), ("qyzylorda oblysy", "430000000"),
    ("Shymkent", "790000000"), ("Şymkent", "790000000"), ("Aqtöbe", "151000000"), ("Aqtobe", "151000000"),
    ("Aktobe", "151000000"), ("Aktyubinskaya", "150000000"), ("Oskemen", "631000000"), ("Öskemen", "631000000"),
    ("Ust-Kamenogorsk", "631000000"), ("ust kamenogorsk", "631000000"), ("Oral", "271000000"),
    ("Jezqazğan", "621000000"), ("Zhezkazgan", "621000000"), ("Jañaözen", "471800000"), ("Qostanai", "391000000"),
    ("Kostanay", "391000000"), ("Taldyqorğan", "331000000"), ("Kökşetau", "111000000"), ("Semei", "101000000"),
    ("Semey", "101000000"), ("Qarağandy", "350000000"), ("Karagandinskaya", "350000000"), ("Yesil", "114800000"),
    ("Esil", "114800000"), ("Türkistan", "610000000"), ("Turkestanskaya", "610000000"), ("ATYRAU", "231000000"),
])
def test_latin_spellings_find_their_unit(index, q, code):
    assert code in codes(index, q)


def test_the_key_reads_the_spellings_alike():
    assert latin_keys(["qyzylorda", "кызылорда", "kyzylorda", "қызылорда"]) == ["kizilorda"] * 4
    assert latin_keys(["shchuchinsk", "щучинск", "şşuçinsk"]) == ["shuchinsk"] * 3
    assert loose(latin_keys(["nikolayevka", "николаевка", "yesil", "есил"])) == ["nikolaevka", "nikolaevka", "esil", "esil"]
    assert latin_keys(["zzqq", ""]) == ["zzkk", ""]
    # a Latin query finds no unit whose names hold nothing like it
    assert codes(SearchIndex(load_dataset(KZ).hierarchy), "Qwxzq") == []


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(CYRILLIC), st.sampled_from([kazakh_2021, russian_style]), st.integers(0, 12), st.integers(2, 10),
       st.sampled_from([str.lower, str.upper, str.title]))
def test_any_transliterated_piece_of_any_name_finds_its_unit(index, unit, spell, start, length, case):
    """A piece of a unit's Kazakh or Russian name, written in Kazakh Latin or the Russian-style romanization, in
    any case, finds that unit."""
    code, name = unit
    piece = name[start:start + length]
    q = case(spell(piece))
    if len(re.sub(r"[^a-zа-яёәғқңөұүһі]", "", latin_keys([clean(q)])[0])) < 2:
        return
    assert code in codes(index, q), (name, piece, q)


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(KZ, ROOT / "scenarios"))


def test_the_page_and_the_json_take_latin_spellings(client):
    r = client.get("/api/search", params={"q": "Qyzylorda"}).json()
    assert r["total"] >= 1 and r["results"][0]["code"] == "430000000"
    page = client.get("/search", params={"q": "Oskemen", "lang": "kk"})
    assert page.status_code == 200 and 'href="/budget/631000000?lang=kk' in page.text
