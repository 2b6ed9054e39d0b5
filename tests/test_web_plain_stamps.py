"""The plain explanation reads the provenance stamps: each share's rule in words by the kind of its stamp
(rules/provenance.py SHARE_KINDS), in kk/ru/en; option 4's region share is not told as its base-payer rule."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from helpers import make_dataset, simulate, write_scenario
from interbudget.explain import explain
from interbudget.i18n import LANGUAGES, catalog
from interbudget.rules.provenance import SHARE_KINDS
from interbudget.web.app import create_app
from interbudget.web.explain_text import Names, plain_text, rule_words

Y = 2026
UNITS = [("0", None, "republic", 100), ("1", "0", "region", 60), ("11", "1", "district", 40), ("12", "1", "district", 20)]
NEEDS = [("1", Y, "education", 150), ("11", Y, "education", 20), ("12", Y, "education", 10)]
O4 = {"name": "o4", "years": [Y], "option": 4, "regulated_taxes": ["vat"],
      "sharing": {"vat": {"region": 0.5, "district": 0.2}, "property": {"district": 0.5}}}


@pytest.fixture
def option4(tmp_path):
    ds = make_dataset(tmp_path / "ds", UNITS, receipts=[("11", Y, "vat", 100, "base"), ("11", Y, "vat", 200),
                                                       ("12", Y, "vat", 50), ("11", Y, "property", 40)], needs=NEEDS)
    return ds, simulate(ds, O4)[2]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_kind_of_share_stamp_has_plain_words(lang):
    words = catalog(lang)["plain_stamps"]
    assert set(words) == {*SHARE_KINDS, "none"} and all(w.strip() for w in words.values())


def test_option_4s_region_share_is_told_as_a_region_share_not_as_the_base_payer_rule(option4):
    _, res = option4
    ex = explain(res, "1", Y, provenance=True)
    [regional] = [it for it in ex["revenue"]["items"] if it["tax"] == "vat" and it["payer"] == "regional"]
    # both stamps have the rule id "option 4"; only their kinds tell them apart
    assert regional["rule"].startswith("option 4") and regional["provenance"]["kind"] == "region_share_computed"
    en = catalog("en")["plain_stamps"]
    assert rule_words(regional, en) == en["region_share_computed"]
    text = plain_text(ex, "en", Names(res.dataset.folder, "en"))
    assert en["region_share_computed"] in text and en["base_to_republic"] not in text
    republic = explain(res, "0", Y, provenance=True)
    [base] = [it for it in republic["revenue"]["items"] if it["payer"] == "base"]
    assert rule_words(base, en) == en["base_to_republic"]
    assert en["base_to_republic"] in plain_text(republic, "en", Names(res.dataset.folder, "en"))


def test_the_plain_words_need_the_stamps(option4):
    _, res = option4
    [item, *_] = explain(res, "1", Y)["revenue"]["items"]
    with pytest.raises(ValueError, match="provenance=True"):
        rule_words(item, catalog("en")["plain_stamps"])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_budget_page_tells_each_share_by_its_stamp(option4, tmp_path, lang):
    ds, _ = option4
    scen = tmp_path / "scenarios"
    scen.mkdir()
    write_scenario(scen / "o4.yaml", O4)
    client = TestClient(create_app(ds, scen))
    page = client.get(f"/budget/1?scenario=o4&year={Y}&lang={lang}")
    words = catalog(lang)["plain_stamps"]
    assert page.status_code == 200
    assert words["region_share_computed"] in page.text and words["base_to_republic"] not in page.text
    assert words["uniform_share"] in client.get(f"/budget/11?scenario=o4&year={Y}&lang={lang}").text
