"""The main pages in Kazakh and Russian carry no English UI word and no raw code (issue 19, item 5), and a unit
without a sourced Kazakh name is shown in Cyrillic to a Kazakh reader; the transliteration mark is explained once.

What the scan leaves out, and why: scenario names (identifiers a user typed, shown as typed), the map's source
attribution (names of the boundary sources) and the citations of the published law (as published), the names of
download files (budgets.csv), the explanation text of the budget page
(rendered for people by the
plain-text explanation of issue 19 item 5, in web/explain_text). The needs-basis line is scanned: it says the basis
in words (web/explain_text.basis_words); only the folded CLI trace names the basis file."""
import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from interbudget.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
KZ = ROOT / "data" / "kz"
SCENARIOS = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))
# words of the English catalogue that would show if a kk/ru label fell back to English
ENGLISH = ["subvention", "subventions", "withdrawal", "withdrawals", "balance", "balanced", "needs", "revenue", "status",
           "donor", "scenario", "year", "version", "published", "draft", "login", "logout", "search", "compare",
           "scorecard", "functions", "amounts", "thousand", "tenge", "explanation", "history", "source", "region",
           "district", "rural", "republic", "budget", "budgets", "below", "population", "capacity", "level", "name",
           "code", "change", "net", "transfer", "objections", "find", "unit", "units", "okrug", "city", "none"]
RAW_CODE = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")
PAGES = ["/?scenario=current-law&year=2026", "/?scenario=current-law&year=2026&parent=430000000",
         "/?scenario=current-law&year=2026&parent=101000000", "/?scenario=current-law&year=2026&parent=750000000",
         "/?scenario=current-law&year=2026&parent=711110000", "/budget/430000000?scenario=current-law&year=2026",
         "/budget/101033000?scenario=current-law&year=2026", "/compare?draft=option-2", "/search?q=алмат", "/search?q=zzzq",
         "/search", "/login"]


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(KZ, ROOT / "scenarios", ROOT / "registry" / "kz"))


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style|select)\b.*?</\1>", " ", page, flags=re.DOTALL)
    page = re.sub(r'<pre id="explanation">.*?</pre>', " ", page, flags=re.DOTALL)
    # the CLI's technical trace, folded under the plain explanation: it quotes the scenario's own references as written
    page = re.sub(r'<pre id="trace-text">.*?</pre>', " ", page, flags=re.DOTALL)
    page = re.sub(r'<ul id="law-sources">.*?</ul>', " ", page, flags=re.DOTALL)  # citations, as published
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    text = re.sub(r"\b[\w-]+\.(csv|xlsx|html)\b", " ", text)  # the names of the download files
    text = re.sub(r"Boundaries:.*?generalised\.", " ", text, flags=re.DOTALL)  # the map's source attribution
    for s in sorted(SCENARIOS, key=len, reverse=True):
        text = text.replace(s, " ")
    return text


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize("path", PAGES)
def test_no_english_ui_word_and_no_raw_code(client, lang, path):
    r = client.get(path + ("&" if "?" in path else "?") + f"lang={lang}")
    assert r.status_code == 200 and f'<html lang="{lang}"' in r.text
    text = visible_text(r.text)
    english = sorted({w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in ENGLISH})
    assert not english, f"{path} in {lang}: English words {english}"
    raw = sorted(set(RAW_CODE.findall(text)))
    assert not raw, f"{path} in {lang}: raw codes {raw}"
    assert "[translit.]" not in text


def test_a_kazakh_reader_sees_cyrillic_names_where_no_kazakh_one_is_sourced(client):
    page = client.get("/?scenario=current-law&year=2026&parent=101000000&lang=kk").text
    assert "Абралинский с.о." in page and "Abralinskii" not in page and 'id="translit-note"' not in page
    en = client.get("/?scenario=current-law&year=2026&parent=101000000&lang=en").text
    assert "Abralinskii S.o.</a>*" in en and en.count("[translit.]") == 0 and en.count('id="translit-note"') == 1
