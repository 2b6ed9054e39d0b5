"""Each rule room under rules/ on a small hand-checked case, called with the arrays and records it takes."""
from dataclasses import replace

import numpy as np
import pytest

from helpers import make_dataset
from interbudget.dataset import Bases, Programs, Receipts, load_dataset
from interbudget.errors import InterbudgetError
from interbudget.hierarchy import DISTRICT
from interbudget.rules.capacity import capacity_receipts
from interbudget.rules.compatibility import check_compatible
from interbudget.rules.guarantees import EnvelopeRows, envelope_general, guarantees
from interbudget.rules.mandates import apply_mandates, mandate_costs
from interbudget.rules.methods import M1, child_shares
from interbudget.rules.programmes import fund_programs
from interbudget.rules.region_shares import region_shares
from interbudget.rules.scope import base_mask, scenario_hierarchy, scenario_taxes
from interbudget.rules.share_context import ShareContext
from interbudget.rules.sharing import scenario_model
from interbudget.rules.transfers import Transfers, close_gaps
from interbudget.scenario import Envelope, Mandate, Scenario

Y = 2026
IIT = {"region": 0.4, "district": 0.4, "rural": 0.2}


def scenario(**kw) -> Scenario:
    return Scenario.model_validate({"name": "t", "years": [Y], **kw})


def load(tmp_path, units, receipts, needs=()):
    return load_dataset(make_dataset(tmp_path, units, receipts=receipts, needs=list(needs)), allow_duplicates=True)


REGIONS = [("0", None, "republic", 100), ("1", "0", "region", 10), ("2", "0", "region", 20), ("3", "0", "region", 30)]


def test_guarantees_floor_and_ceiling_relative_to_last_period():
    last = {"general": np.array([np.nan, 50.0, 150.0, np.nan])}
    env = Envelope(total=100, floor=0.9, ceiling=1.2)
    got, lo, hi = guarantees(last, env, "general", np.array([1, 2, 3]))
    assert got[:2].tolist() == [50, 150] and np.isnan(got[2])
    assert lo.tolist() == pytest.approx([45, 135, 0]) and hi.tolist() == pytest.approx([60, 180, np.inf])
    _, lo, hi = guarantees(None, env, "general", np.array([1]))  # no last_transfers.csv: no guarantee
    assert lo.tolist() == [0] and hi.tolist() == [np.inf]


def test_general_envelope_scales_the_needs_and_keeps_donors_donors(tmp_path):
    h = load(tmp_path, REGIONS, [("1", Y, "vat", 1)]).hierarchy
    z = np.zeros((h.nb, 1))
    b = {c: i for i, c in enumerate(h.b_codes)}
    sub, wd = z.copy(), z.copy()
    sub[b["1"]], sub[b["2"]], wd[b["3"]] = 40, 60, 5
    rec = EnvelopeRows()
    out = envelope_general(None, Envelope(total=80), h, [Y], Transfers(z, sub, wd, z, z), z, rec)
    # scale 80 / 100 = 0.8: 32 and 48; region 3 pays a withdrawal and gets nothing; the republic pays 80
    assert out.subvention[[b["1"], b["2"], b["3"]], 0].tolist() == pytest.approx([32, 48, 0])
    assert out.subventions_paid[b["0"], 0] == pytest.approx(80)
    assert [(r["code"], r["bound"]) for r in rec.rows] == [("1", "scaled"), ("2", "scaled")]
    assert rec.rows[0]["scale"] == pytest.approx(0.8) and rec.stamp.section == "§3.3.3"


UNITS = [("0", None, "republic", 600), ("1", "0", "region", 600), ("11", "1", "district", 200), ("12", "1", "district", 400)]


def test_mandate_costs_per_capita_from_its_first_year_and_compensation_down_the_chain(tmp_path):
    h = load(tmp_path, UNITS, [("11", Y, "vat", 1)]).hierarchy
    m = Mandate(name="meals", function="education", level="district", decided_by="republic", from_year=2027,
                per_capita=0.5, compensate=True)
    years = [2026, 2027]
    cost = mandate_costs(None, m, h, years)
    b = {c: i for i, c in enumerate(h.b_codes)}
    assert cost[b["11"]].tolist() == [0, 100] and cost[b["12"]].tolist() == [0, 200] and cost[b["1"]].tolist() == [0, 0]
    z = np.zeros((h.nb, 2))
    rows: list[dict] = []
    tr, spent = apply_mandates(None, [m], h, years, Transfers(z, z, z, z, z), z, z, rows)
    # compensated by the republic: each district's cost to it, and the region passes both down (300)
    assert tr.subvention[b["11"]].tolist() == [0, 100] and tr.subvention[b["1"]].tolist() == [0, 300]
    assert tr.subventions_paid[b["0"]].tolist() == [0, 300] and spent[b["12"]].tolist() == [0, 200]
    assert {(r["code"], r["cost"], r["unfunded"]) for r in rows} == {("11", 100, 0), ("12", 200, 0)}


def test_capacity_replaces_a_capacity_tax_by_base_times_rate_at_the_same_units():
    rec = Receipts(np.array([1, 1, 2], np.int32), np.array([Y, Y, Y]), np.array([0, 1, 0], np.int32),
                   np.zeros(3, np.int16), np.array([100.0, 50.0, 30.0]))
    bases = Bases(np.array([1, 2], np.int32), np.array([Y, Y]), np.array([0, 0], np.int32), np.array([1000.0, 500.0]))
    s = scenario(sharing={"vat": {"region": 1.0}, "cit": {"region": 1.0}}, capacity={"vat": 0.12})
    out = capacity_receipts(bases, s, rec, ["vat", "cit"])
    got = sorted(zip(out.unit.tolist(), out.tax.tolist(), out.amount.tolist(), strict=True))
    assert got == [(1, 0, pytest.approx(120)), (1, 1, 50), (2, 0, pytest.approx(60))]


def test_programmes_funded_by_score_until_the_pool_is_spent(tmp_path):
    h = load(tmp_path, REGIONS, [("1", Y, "vat", 1)]).hierarchy
    idx = h.unit_index()
    p = Programs(["a", "b", "c"], np.array([idx["1"], idx["2"], idx["1"]]), np.array([Y, Y, Y]), np.array([60.0, 50.0, 40.0]),
                 np.array([3.0, 2.0, 1.0]))
    s = scenario(transfer_model="targeted", targeted={"pool": 100}, sharing={"vat": {"region": 1.0}})
    f = fund_programs(p, None, s, h, [Y])
    assert [(r["program"], r["funded"]) for r in f.rows] == [("a", 60), ("b", 40), ("c", 0)]
    b = {c: i for i, c in enumerate(h.b_codes)}
    assert f.by_budget[b["1"], 0] == 60 and f.by_budget[b["2"], 0] == 40 and f.stamp.section == "§3.3.3"
    assert fund_programs(p, None, scenario(), h, [Y]).rows == []  # the general model funds no programmes


THREE = [("0", None, "republic", 100), ("1", "0", "region", 60), ("11", "1", "district", 40), ("12", "1", "district", 20),
         ("2", "0", "region", 40)]


def context(tmp_path, s: Scenario, receipts, needs=()):
    ds = load(tmp_path, THREE, receipts, needs)
    h = scenario_hierarchy(ds.hierarchy, s)
    mask = base_mask(ds.payer_names, ds.payer_is_base, s, "s.yaml")
    taxes = scenario_taxes(ds.taxes, s)
    from interbudget.engine import need_inputs
    from interbudget.rules.needs import need_items

    needs_ = need_items(need_inputs(ds), [Y], h).totals(h.nb, 1)
    return ShareContext(s, h, taxes, ds.receipts.grid([Y], h.n, len(taxes), mask), needs_, "s.yaml")


def test_region_share_is_the_no_withdrawal_share_and_stamped(tmp_path):
    s = scenario(option=2, sharing={"iit_source": {"region": 1.0}, "social_tax": {"region": 1.0}})
    c = context(tmp_path, s, [("1", Y, "iit_source", 200), ("2", Y, "iit_source", 100)], [("1", Y, "edu", 50), ("2", Y, "edu", 80)])
    _model, cs = region_shares(c, scenario_model(s, c.h, c.taxes))
    # G0 = needs (no other revenue), Q = the regulated receipts: 50 / 200 and 80 / 100
    assert cs.share.tolist() == pytest.approx([0.25, 0.8]) and cs.rule == "option 2"
    assert cs.stamp.as_dict() == {"rule": "option 2", "kind": "region_share_computed", "section": "§3.3.2", "parameter": "option",
                                  "reference": "region-specific share (shares.csv)"}
    given = scenario(option=2, sharing={"iit_source": {"region": 1.0}, "social_tax": {"region": 1.0}},
                     region_shares={"1": 0.3, "2": 0.5})
    c = context(tmp_path / "g", given, [("1", Y, "iit_source", 200)])
    _, cs = region_shares(c, scenario_model(given, c.h, c.taxes))
    assert cs.share.tolist() == [0.3, 0.5] and cs.rule == "option 2, given"
    assert cs.stamp.filled(code="1").parameter == "region_shares.1"


def test_m1_child_share_and_its_stamp(tmp_path):
    s = scenario(sharing={"iit_source": IIT}, district_method="M1", child_shares={"11": {"iit_source": 0.6}})
    c = context(tmp_path, s, [("11", Y, "iit_source", 100)])
    model, computed = child_shares(c, scenario_model(s, c.h, c.taxes), DISTRICT)
    t = model.tier1
    assert computed == [] and t is not None
    k = c.taxes.index("iit_source")
    i = t.units.tolist().index(c.h.unit_index()["11"])
    j = t.units.tolist().index(c.h.unit_index()["12"])
    # 11: 0.6 of the local part 0.8, the region keeps 0.2; 12 is not in the table: 0, the region keeps 0.8
    assert t.d[i, 0, k] == 0.6 and t.keep[i, 0, k] == pytest.approx(0.2) and t.d[j, 0, k] == 0 and t.keep[j, 0, k] == 0.8
    assert model.stamps.get(int(t.d_origin[i, 0, k])) == M1
    assert M1.text("11", "iit_source") == "M1: child_shares['11'].iit_source, §1.6"
    assert M1.as_dict("11", "iit_source")["parameter"] == "child_shares.11.iit_source"
    bad = scenario(sharing={"iit_source": IIT}, district_method="M1", child_shares={"11": {"iit_source": 0.9}})
    with pytest.raises(InterbudgetError, match=r"share 0.9 of 'iit_source' for '11' is above the local part 0.8"):
        child_shares(replace(c, s=bad), scenario_model(bad, c.h, c.taxes), DISTRICT)


def test_scope_base_payers_and_taxes(tmp_path):
    ds = load(tmp_path, THREE, [("11", Y, "vat", 1)])
    with pytest.raises(InterbudgetError, match="unknown payer category giants") as e:
        base_mask(ds.payer_names, ds.payer_is_base, scenario(base_payers=["giants"]), "s.yaml")
    assert "base_payers" in str(e.value) and "s.yaml" in str(e.value)
    assert base_mask(ds.payer_names, ds.payer_is_base, scenario(), "s.yaml").tolist() == [False, True]
    s = scenario(sharing={"vat": {"region": 0.5}, "land": {"region": 1.0}})
    assert scenario_taxes(ds.taxes, s) == [*ds.taxes, "land", "iit_source", "social_tax"]


def test_compatibility_names_the_key(tmp_path):
    ds = load(tmp_path, THREE, [("11", Y, "iit_source", 1)])
    with pytest.raises(InterbudgetError, match="region_shares apply to options 2 and 4 only"):
        check_compatible(ds, scenario(sharing={"iit_source": IIT}, region_shares={"1": 0.5}), "s.yaml", allow_unknown_taxes=True)
    with pytest.raises(InterbudgetError, match=r"tax 'iit_sorce' is not in the dataset's tax list.*did you mean 'iit_source'"):
        check_compatible(ds, scenario(sharing={"iit_sorce": IIT}), "s.yaml")
    warns = check_compatible(ds, scenario(option=4, sharing={"iit_source": IIT}), "s.yaml", allow_unknown_taxes=True)
    assert any("cannot be made between districts (§3.3.2)" in w for w in warns)


def test_transfers_close_the_gap_bottom_up():
    # a region (budget 1) under the republic (0) with a district (2): the district's gap 30 is the region's too
    lvl, par = np.array([0, 1, 2]), np.array([-1, 0, 1])
    t = close_gaps(np.array([[0.0], [10.0], [50.0]]), np.array([[0.0], [40.0], [20.0]]), lvl, par, 0.5)
    assert t.subvention[:, 0].tolist() == [0, 0, 30] and t.gap[1, 0] == pytest.approx(0)


def test_option_semantics_are_named_not_tested_by_number():
    import re
    from pathlib import Path

    import interbudget

    pkg = Path(interbudget.__file__).parent
    files = [pkg / "engine.py", pkg / "explain.py", pkg / "explain_render.py", *sorted((pkg / "rules").glob("*.py"))]
    found = [(f.name, m.group()) for f in files for m in re.finditer(r"\.option\s*(==|!=|in\b|not in\b)", f.read_text(encoding="utf-8"))]
    assert found == []  # Scenario.fixed_uniform_shares, region_specific_shares, centralizes_regulated_taxes, base_payers_to_republic
