"""The validator's messages in the editor's language (issue 19, item 5): each pattern of web/validator_text.py
against what the validator itself says for a broken scenario, so a reworded message fails here."""
from pathlib import Path

import pytest
import yaml

from interbudget.dataset import load_dataset
from interbudget.web import editor
from interbudget.web.validator_text import PATTERNS, one, translated

ROOT = Path(__file__).resolve().parents[1]
DOC = yaml.safe_load((ROOT / "scenarios" / "current-law.yaml").read_text(encoding="utf-8"))
TAXES = list(load_dataset(ROOT / "data" / "example").taxes)

BROKEN = [  # (change to current law, the key its message must come back under in ru and kk)
    ({"sharing": {"vat": {"region": 1.5}}}, "outside"),
    ({"sharing": {"vat": {"region": 0.7, "district": 0.6}}}, "sum_above_one"),
    ({"option": 7}, "unknown_option"),
    ({"years": [2026, 2026]}, "year_twice"),
    ({"years": []}, "no_year"),
    ({"years": "2026"}, "not_list"),
    ({"colour": "red"}, "unknown_key"),
    ({"withdrawal_rate": -0.5}, None),
]


def _messages(change: dict) -> list[str]:
    out = editor.validate({**DOC, **change}, "test.yaml", TAXES)
    assert out, change
    return [m for v in out.values() for m in v.split("; ")]


@pytest.mark.parametrize("change,key", BROKEN)
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_validators_messages_come_back_in_the_pages_language(change, key, lang):
    msgs = _messages(change)
    said = [one(m, lang) for m in msgs]
    if key is None:  # whatever it says: translated when a pattern knows it, else as written — never lost
        assert all(s for s in said)
        return
    pat = dict(PATTERNS)[key]
    assert any(pat.fullmatch(m.split(": ", 1)[-1]) or pat.fullmatch(m) for m in msgs), msgs
    assert any(s != m for s, m in zip(said, msgs, strict=True)), (msgs, said)
    assert translated("; ".join(msgs), "en") == "; ".join(msgs)


def test_an_unknown_message_is_kept_as_written():
    assert one("something new the validator says", "ru") == "something new the validator says"
    assert one("sharing.vat.region: share 0.5x is outside", "kk") == "sharing.vat.region: share 0.5x is outside"
    assert one("sharing.vat.region: share 1.5 is outside [0, 1]", "ru") == "sharing.vat.region: значение 1.5 вне диапазона [0, 1]"
