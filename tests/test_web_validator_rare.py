"""The validator's rarer messages in kk/ru (web/validator_text.py templates, i18n/validator_messages.*.yaml): every
message text the scenario editor can show, read out of the source of the validator and of the engine's scenario
checks, is known to a pattern or a template, and comes back in Kazakh and Russian; on the editor page too."""
from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from interbudget.i18n import catalog
from interbudget.store import Store
from interbudget.web.app import create_app
from interbudget.web.editor import form_values
from interbudget.web.validator_text import one, translated

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "interbudget"
EXAMPLE = ROOT / "data" / "example"
#: what the editor runs on a document (web/scenarios.py _check): the validator, then the engine's scenario checks
SOURCES = ["scenario/model.py", "scenario/parts.py", "scenario/fiscal.py", "rules/compatibility.py", "rules/methods.py",
           "rules/region_shares.py", "rules/scope.py", "rules/envelope.py", "dataset/records.py"]
#: messages only Scenario.with_changes writes (the Python API's), never the editor
NOT_IN_THE_EDITOR = {"the changes must be a map of scenario keys"}
M = "\x00"  # a value in a message
#: the common messages the 16 hand-written patterns read (issue 19), as the code writes them, with a sample
COMMON = {
    "at least one year is needed": "at least one year is needed",
    f"year {M} is listed twice": "year 2026 is listed twice",
    f"unknown option {M}: choose 1, 2, 3 or 4": "unknown option 9: choose 1, 2, 3 or 4",
    f"unknown method '{M}'{M}: choose M1, M2, M3 or M4": "unknown method 'M7' for '430000000': choose M1, M2, M3 or M4",
    f"unknown {M} '{M}': choose {M} or {M}": "unknown transfer_model 'x': choose general or targeted",
    f"{M} {M} is negative": "rate -0.5 is negative",
    f"rate {M} is negative": "rate -0.5 is negative",
    f"pool {M} is negative": "pool -1 is negative",
    f"total {M} is negative": "total -1 is negative",
    f"limit {M} is negative": "limit -0.1 is negative",
    f"rate {M} is outside [0, 1] (a fraction a year: 0.05 for 5 %)": "rate 5.0 is outside [0, 1] (a fraction a year: 0.05 for 5 %)",
    f"shares sum to {M}, above 1": "shares sum to 1.3, above 1",
    f"floor {M} is above ceiling {M}": "floor 0.9 is above ceiling 0.5",
}


def _alternatives(node) -> list[str]:
    """The texts an expression of string pieces can make, each value a marker."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        out = [""]
        for v in node.values:
            out = [o + p for o in out for p in (_alternatives(v) if isinstance(v, ast.Constant) else [M])]
        return out
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [a + b for a in _alternatives(node.left) for b in _alternatives(node.right)]
    if isinstance(node, ast.IfExp):
        return _alternatives(node.body) + _alternatives(node.orelse)
    return [M]


def _collapse(text: str) -> str:
    while M + M in text:
        text = text.replace(M + M, M)
    return text


def source_messages() -> set[str]:
    """Every message the SOURCES write (ValueError's text, a Problem's message, an InterbudgetError's text), split
    as the editor splits a field's messages ("; "), values as markers."""
    out = set()
    for f in SOURCES:
        for n in ast.walk(ast.parse((SRC / f).read_text(encoding="utf-8"))):
            if not (isinstance(n, ast.Call) and isinstance(n.func, ast.Name)):
                continue
            arg = {"ValueError": n.args[:1], "Problem": n.args[1:2], "InterbudgetError": n.args[:1]}.get(n.func.id) or [None]
            if arg[0] is None or isinstance(arg[0], ast.Call | ast.Name | ast.List | ast.ListComp):
                continue  # a Problem or a list of them: their messages are found where they are made
            for text in _alternatives(arg[0]):
                out |= {_collapse(p) for p in text.split("; ") if p.strip(M + " ")}
    return out - NOT_IN_THE_EDITOR


def template_skeleton(template: str) -> str:
    return _collapse("".join(text + ("" if field is None else M) for text, field, _, _ in string.Formatter().parse(template)))


TEMPLATES = {template_skeleton(t): k for k, t in catalog("en")["validator_messages"].items()}


def _covered(msg: str) -> bool:
    if msg in COMMON or msg in TEMPLATES:
        return True
    # two messages of one rule written side by side when both apply (region_shares: missing and above the cap)
    return any(_covered(msg[:i]) and _covered(msg[i:]) for i in range(1, len(msg)) if msg[:i] in TEMPLATES)


def test_the_scan_finds_the_validators_messages():
    found = source_messages()
    assert len(found) > 50
    assert "region_shares apply to options 2 and 4 only" in found and f"mandate '{M}': unknown priority '{M}'" in found


@pytest.mark.parametrize("msg", sorted(source_messages()))
def test_every_message_the_editor_can_show_is_known_and_comes_back_in_kk_and_ru(msg):
    assert _covered(msg), f"no pattern or template for {msg.replace(M, '{}')!r} (add it to validator_messages.*.yaml)"
    sample = COMMON.get(msg) or msg.replace(M, "7")
    for lang in ("kk", "ru"):
        said = one(sample, lang)
        assert said != sample and "{" not in said.replace("{region", ""), (lang, sample, said)
        assert translated(sample, "en") == sample


@pytest.mark.parametrize("table", ["validator_messages", "validator_values"])
def test_kk_and_ru_write_every_template_with_its_fields(table):
    def fields(t):
        return sorted(f for _, f, _, _ in string.Formatter().parse(t) if f)

    en = catalog("en")[table]
    for lang in ("kk", "ru"):
        other = catalog(lang)[table]
        assert set(other) == set(en), lang
        for key, t in en.items():
            assert set(fields(other[key])) <= set(fields(t)), (lang, key)
            assert other[key] != t, (lang, key)


@pytest.mark.parametrize("msg,lang,words", [
    ("child_shares.11.vat: share of 'vat' for '11' 1.5 is outside [0, 1]", "ru",
     "child_shares.11.vat: норматив «vat» для «11»: значение 1.5 вне диапазона [0, 1]"),
    ("share 0.7 of 'vat' for '11' is above the local part 0.5 (the region's share + the district share, base payers)", "kk",
     "«11» үшін «vat» салығының 0.7 нормативі жергілікті бөліктен 0.5 жоғары (облыс үлесі + аудан үлесі, базалық төлеушілер)"),
    ("'111' is a district; child shares are for districts and rural units", "ru",
     "«111» — это район; нормативы нижестоящих бюджетов задаются районам и сельским единицам"),
    ("envelope 2026: the floors add up to 1,000.0, more than the envelope 10.0", "ru",
     "общий объём 2026: нижние границы в сумме дают 1,000.0, больше общего объёма 10.0"),
    ("tax 'vatt' is not in the dataset's tax list (receipts, taxes.csv): did you mean 'vat'? known: vat (--allow-unknown-taxes accepts it)",
     "kk", "«vatt» салығы деректер жиынының салықтар тізімінде жоқ (receipts, taxes.csv): мүмкін, «vat»? белгілілері: vat"),
])
def test_hand_checked_translations(msg, lang, words):
    assert translated(msg, lang).startswith(words)


@pytest.fixture(scope="module")
def analyst(tmp_path_factory):
    store = Store.open(tmp_path_factory.mktemp("rare") / "wb.duckdb")
    app = create_app(EXAMPLE, EXAMPLE / "scenarios", ROOT / "registry" / "kz", store)
    store.add_user("ana", "analyst password 1", "analyst")
    c = TestClient(app, base_url="https://testserver")
    r = c.post("/api/login", json={"username": "ana", "password": "analyst password 1"})
    assert r.status_code == 200
    c.csrf = r.json()["csrf_token"]
    c.store, c.taxes = store, list(app.state.workbench.ds.taxes)
    store.create_scenario("rare", "example", dict(store.content("current-law"), name="rare"), "ana", base="current-law")
    return c


@pytest.mark.parametrize("lang,validator,engine", [
    ("kk", "деңгейі region, district немесе rural болуы керек", "region_shares тек 2 және 4-нұсқаларда қолданылады"),
    ("ru", "должен быть region, district или rural", "region_shares применяются только в вариантах 2 и 4"),
])
def test_the_editor_page_shows_the_rarer_messages_in_the_readers_language(analyst, lang, validator, engine):
    form = form_values(analyst.store.content("rare"), analyst.taxes)
    form.update({"csrf_token": analyst.csrf, "base_version": "1", "lang": lang,
                 "advanced": "mandates:\n  - {name: m1, function: education, from_year: 2026, level: republic,\n"
                             "     decided_by: region, priority: basic, per_capita: 1}\n"})
    page = analyst.post("/scenarios/rare/edit", data=form)
    assert page.status_code == 422 and validator in page.text and "must be region, district or rural" not in page.text
    form["advanced"] = "region_shares: {'1': 0.5}\n"  # valid, but the engine refuses it under option 1
    page = analyst.post("/scenarios/rare/edit", data=form)
    assert page.status_code == 422 and engine in page.text and "apply to options 2 and 4 only" not in page.text
    form["advanced"] = "region_shares: 1\nregion_shares: 2\n"
    page = analyst.post("/scenarios/rare/edit", data=form)
    twice = catalog(lang)["validator_messages"]["duplicate_key"].format(line=2, key="region_shares", first=1)
    assert page.status_code == 422 and twice in page.text and "is given twice" not in page.text
