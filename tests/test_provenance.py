"""Provenance stamps: each rule stamps the figures it sets, and explain reads the stamps (rules/provenance.py)."""
import json
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings

from helpers import make_dataset, simulate, write_scenario
from interbudget.explain import explain
from interbudget.rules.provenance import NONE, SHARE_KINDS, Stamp, Stamps
from test_errors import run_cli
from test_properties import CFG, SEEDS, build

Y = 2026
IIT = {"region": 0.4, "district": 0.4, "rural": 0.2}
UNITS = [("0", None, "republic", 100), ("1", "0", "region", 60), ("11", "1", "district", 40), ("12", "1", "district", 20)]


def test_a_stamp_is_shown_by_its_rule_reference_and_section_and_filled_without_format():
    s = Stamp("M1", "§1.6", "child_shares.{code}.{tax}", "child_shares['{code}'].{tax} {not a field}")
    assert s.text("11", "vat") == "M1: child_shares['11'].vat {not a field}, §1.6"
    assert s.as_dict("11", "vat")["parameter"] == "child_shares.11.vat"
    assert Stamp("x", "", "p", "ref", "shown as is").text() == "shown as is"
    st = Stamps()
    assert st.id(s) == st.id(Stamp(*s)) == 0 and st.id(Stamp("y", "", "", "")) == 1
    assert st.get(NONE) is None and st.text(NONE) == "" and st.get(0) == s


def _revenue(ex, **kw):
    return [it for it in ex["revenue"]["items"] if all(it[k] == v for k, v in kw.items())]


def test_option_4_base_payer_receipt_names_the_rule_section_and_parameter(tmp_path):
    ds = make_dataset(tmp_path, UNITS, receipts=[("11", Y, "vat", 100, "base"), ("11", Y, "property", 50)])
    sc = {"name": "o4", "years": [Y], "option": 4,
          "sharing": {"vat": {"region": 0.5}, "property": {"region": 0.5, "reference": "Budget Code art. 50"}}}
    _, _, res = simulate(ds, sc)
    ex = explain(res, "0", Y, provenance=True)
    [base] = _revenue(ex, payer="base", level="republic")
    assert base["amount"] == pytest.approx(100)
    assert base["rule"] == "option 4: base enterprise to the republic, §3.3.2"
    assert base["provenance"] == {"rule": "option 4", "kind": "base_to_republic", "section": "§3.3.2", "parameter": "option",
                                  "reference": "base enterprise to the republic"}
    [regional] = _revenue(explain(res, "1", Y, provenance=True), payer="regional", level="region")
    assert regional["amount"] == pytest.approx(25) and regional["rule"] == "sharing.property.region, Budget Code art. 50"
    assert regional["provenance"]["parameter"] == "sharing.property.region" and regional["provenance"]["reference"] == "Budget Code art. 50"
    # the region's computed share (option 4) carries its stamp too; the run's quantities theirs
    computed = explain(res, "1", Y, provenance=True)["computed_share"]["provenance"]
    # the same rule id, a distinct kind: option 4's region share is not its base-payer rule
    assert computed["rule"] == "option 4" and computed["kind"] == "region_share_computed"
    assert ex["provenance"]["transfers"]["section"] == "§3.3.3"
    # without provenance the breakdown is the one `explain --json` has always written
    plain = explain(res, "0", Y)
    assert "provenance" not in plain and all("provenance" not in it for it in plain["revenue"]["items"])


def test_option_3_and_an_unshared_tax_at_the_republic(tmp_path):
    ds = make_dataset(tmp_path, UNITS, receipts=[("11", Y, "iit_source", 100), ("11", Y, "excise", 10)])
    _, _, res = simulate(ds, {"name": "o3", "years": [Y], "option": 3, "sharing": {"iit_source": IIT}})
    items = explain(res, "0", Y, provenance=True)["revenue"]["items"]
    by_tax = {it["tax"]: it for it in items}
    assert by_tax["iit_source"]["rule"] == "option 3: regulated tax centralized, §3.3.2"
    assert by_tax["excise"]["rule"] == "not in sharing: wholly republican"
    assert by_tax["excise"]["provenance"]["parameter"] == "sharing.excise"


def test_method_stamps_reach_explain_with_the_child_code(tmp_path):
    ds = make_dataset(tmp_path / "ds", UNITS, receipts=[("11", Y, "iit_source", 100)])
    sc = {"name": "m1", "years": [Y], "sharing": {"iit_source": IIT}, "district_method": "M1",
          "child_shares": {"11": {"iit_source": 0.6}}}
    _, _, res = simulate(ds, sc)
    [d] = _revenue(explain(res, "11", Y, provenance=True), level="district")
    assert d["rule"] == "M1: child_shares['11'].iit_source, §1.6" and d["share"] == pytest.approx(0.6)
    assert d["provenance"] == {"rule": "M1", "kind": "child_share_m1", "section": "§1.6", "parameter": "child_shares.11.iit_source",
                               "reference": "child_shares['11'].iit_source"}
    [r] = _revenue(explain(res, "1", Y, provenance=True), level="region")
    assert r["rule"] == "M1: the local part minus the share of '11', §1.6"
    assert r["provenance"]["parameter"] == "district_method" and r["provenance"]["kind"] == "parent_keeps"
    # the CLI's --json carries the same rule text, and no provenance keys
    f = write_scenario(tmp_path / "s.yaml", sc)
    code, out = run_cli("explain", ds, f, "--code", "1", "--year", Y, "--json", "--allow-unknown-taxes")
    assert code == 0
    [item] = [it for it in json.loads(out)["revenue"]["items"] if it["level"] == "region"]
    assert item["rule"] == r["rule"] and "provenance" not in item


@settings(CFG, max_examples=30)
@given(SEEDS)
def test_every_share_cell_is_stamped_and_explained_lines_add_up_to_the_revenue(seed):
    with tempfile.TemporaryDirectory() as d:
        sc = build(seed, Path(d))
        _, _, res = simulate(Path(d), sc)
        for ls in res.tables.values():
            assert ls.origin.shape == ls.table.shape and (ls.origin != NONE).all()
            assert {res.model.stamps.records[i].kind for i in np.unique(ls.origin).tolist()} <= set(SHARE_KINDS)
        h, y = res.hierarchy, res.years[0]
        for code in h.b_codes[:4]:
            ex = explain(res, str(code), y, provenance=True)
            items = ex["revenue"]["items"]
            assert sum(it["amount"] for it in items) == pytest.approx(ex["revenue"]["total"], rel=1e-9, abs=1e-6)
            for it in items:
                p = it["provenance"]
                if it["level"] != "republic":
                    assert p is not None and p["section"] in ("§1.6", "§3.3.2") and it["rule"]
                if p is not None:
                    assert p["kind"] in SHARE_KINDS
                if p is not None and p["kind"] == "base_to_republic":
                    assert it["payer"] == "base" and res.scenario.base_payers_to_republic and p["rule"] == "option 4"
                if p is not None and p["kind"] in ("region_share_computed", "region_share_given"):
                    assert res.scenario.region_specific_shares and it["tax"] in res.scenario.regulated
                    assert p["reference"] == "region-specific share (shares.csv)"
                if p is not None and p["kind"] == "centralized":
                    assert it["tax"] in res.scenario.regulated and res.scenario.centralizes_regulated_taxes
                    assert p["rule"] == "option 3"
