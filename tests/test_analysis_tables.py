"""The analyses return tables (analysis/table.py): typed columns, hand-checked values, the JSON layouts kept by
`to_dict()`, the public API (`interbudget.metrics`, `compare`, `scorecard`, `stress`), and `with_changes` refusing
bad diffs with the YAML path's messages."""
from __future__ import annotations

import contextlib
import io
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings, strategies as st

import interbudget as ib
from helpers import make_dataset, simulate
from interbudget.analysis.table import Table
from test_errors import run_cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "example"
Y = 2026


def two_regions(tmp_path, rate):
    """Region 1 (district 11 below) and region 2; loc shared 0.3 to the region, 0.5 to the district."""
    units = [("0", None, "republic", 100), ("1", "0", "region", 50), ("11", "1", "district", 50), ("2", "0", "region", 50)]
    ds = make_dataset(tmp_path, units, receipts=[("11", Y, "loc", 100), ("2", Y, "loc", 10), ("0", Y, "vat", 500)],
                      needs=[("11", Y, "edu", 30), ("1", Y, "health", 10), ("2", Y, "health", 60)])
    return simulate(ds, {"name": f"rate-{rate}", "years": [Y], "sharing": {"loc": {"region": 0.3, "district": 0.5}},
                         "withdrawal_rate": rate})[2]


# ---- the Table ------------------------------------------------------------------------------------------
def test_a_table_has_named_columns_of_one_length_and_plain_rows():
    t = Table({"code": np.array(["1", "2"]), "value": np.array([0.5, 1.5]), "n": np.array([1, 2])})
    assert t.names == ["code", "value", "n"] and len(t) == 2
    rows = t.rows()
    assert rows == [{"code": "1", "value": 0.5, "n": 1}, {"code": "2", "value": 1.5, "n": 2}]
    assert [type(v) for v in rows[0].values()] == [str, float, int]  # plain Python: JSON as before
    assert list(t) == rows and t.where(t["n"] > 1).rows() == rows[1:]
    assert t.to_pandas().value.sum() == 2.0 and t.to_arrow().column("code").to_pylist() == ["1", "2"]
    with pytest.raises(ValueError, match="different lengths"):
        Table({"a": np.zeros(2), "b": np.zeros(3)})
    empty = Table.from_rows([], ("a", "b"))
    assert len(empty) == 0 and empty.rows() == [] and empty.names == ["a", "b"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=5), st.floats(allow_nan=False), st.integers(-10**9, 10**9)), max_size=12))
def test_rows_round_trip_through_a_table(rows):
    dicts = [{"code": c, "value": v, "n": n} for c, v, n in rows]
    t = Table.from_rows(dicts, ("code", "value", "n"))
    assert t.rows() == dicts
    assert Table.concat([t, t], t.names).rows() == dicts + dicts


# ---- hand-checked: two regions, the withdrawal rate 1 against 0.5 ----------------------------------------------
def test_compare_returns_typed_tables_with_hand_checked_values(tmp_path):
    # rate 1: district 11 keeps 50 of its 100, needs 30: withdrawal 20; region 1 gets 30 + 20, needs 10: withdrawal 40;
    # region 2 keeps 0.3 + 0.5 of 10 (no district below), needs 60: subvention 52. Rate 0.5: withdrawals 10 and 15.
    law, reform = two_regions(tmp_path / "a", 1.0), two_regions(tmp_path / "b", 0.5)
    c = ib.compare([law, reform])
    assert c.year == Y and c.scenarios == ("rate-1.0", "rate-0.5")
    reg = {(r["code"], r["scenario"]): r for r in c.regions}
    assert reg["1", "rate-1.0"]["net_transfer"] == pytest.approx(-40) and reg["1", "rate-0.5"]["net_transfer"] == pytest.approx(-15)
    assert reg["1", "rate-1.0"]["change"] == 0 and reg["1", "rate-0.5"]["change"] == pytest.approx(25)
    assert reg["1", "rate-0.5"]["change_per_capita_tenge"] == pytest.approx(25 * 1000 / 50)
    assert reg["2", "rate-0.5"]["net_transfer"] == pytest.approx(52) and reg["2", "rate-0.5"]["change"] == pytest.approx(0)
    (pair,) = c.pairs
    rows = {r["code"]: r for r in pair.rows}
    assert pair.rows["code"].tolist() == ["0", "1", "11", "2"]  # every budget both runs have, in code order
    assert rows["11"]["net_before"] == pytest.approx(-20) and rows["11"]["net_after"] == pytest.approx(-10)
    assert rows["11"]["balance_change"] == pytest.approx(10) and rows["1"]["balance_change"] == pytest.approx(15)
    assert rows["1"]["status_before"] == rows["1"]["status_after"] == "donor" and len(pair.transitions) == 0
    (band,) = pair.bands.rows()  # every local budget has 50 people: the band 0–2,000
    assert (band["low"], band["high"], band["budgets"], band["transfer_up"], band["balance_up"]) == (0, 2000, 3, 2, 2)
    assert band["change"] == pytest.approx(35)
    # compare.json's layout: one column per scenario, the band as a label
    d = c.to_dict()
    assert d["regions"][0]["net_transfer[rate-0.5]"] == pytest.approx(-15) and "change[rate-1.0]" not in d["regions"][0]
    assert d["comparisons"][0]["bands"][0]["band"] == "0–2,000" and d["comparisons"][0]["transfer_gains"][0]["code"] == "1"
    assert set(d["comparisons"][0]["transitions"]) == {"became_subvention", "stopped_subvention", "became_donor", "stopped_donor",
                                                       "entered", "left"}


def test_metrics_and_its_json_layout(tmp_path):
    m = ib.metrics(two_regions(tmp_path, 1.0))
    assert m.levels.names[:3] == ["level", "budgets", "subvention_budgets"]
    assert {r["level"]: r["withdrawal_budgets"] for r in m.levels} == {"region": 1, "district": 1}
    assert m.regions.rows()[1]["capacity_before"] == pytest.approx(8 / 60)  # region 2: revenue 8, need 60
    d = m.to_dict()
    assert list(d) == ["scenario", "year", "regions", "budgets", "levels", "stability", "retention", "oil_exposure", "region_rows"]
    assert d["retention"][0]["this_year"] == [pytest.approx(0.8)] and d["region_rows"] == m.regions.rows()
    assert d["stability"] == [{"level": "region"}, {"level": "district"}]  # one year, no actual track: nothing to show
    with pytest.raises(ib.InterbudgetError, match="has no year 1999"):
        ib.metrics(two_regions(tmp_path / "b", 1.0), year=1999)


def test_stress_and_scorecard_tables_on_the_example():
    res = ib.run(EXAMPLE, EXAMPLE / "scenarios" / "option-3.yaml")
    s = ib.stress(res, draws=50, oil_sd=0, common_sd=0, region_sd=0)
    assert len(s.levels) == len(set(s.levels["level"].tolist())) * len(res.years)
    assert s.levels["balance_p50"] == pytest.approx(s.levels["deterministic_balance"], abs=1e-3)  # no variance
    first = s.to_dict()["levels"][0]
    assert len(first["balance_p5"]) == len(res.years) and isinstance(first["budgets"], int)
    card = ib.scorecard(res, draws=50, with_retention=False)
    assert card.names == ["scenario", "year", "level", "code", "indicator", "value", "unit", "section"]
    assert card["value"].dtype == float and not np.isnan(card["value"]).any()
    assert all(r["code"] == "" or r["level"] == "region" for r in card if r["indicator"] == "hidden_withdrawal")


def test_the_json_files_the_cli_writes_are_the_records_to_dict(tmp_path):
    sc = EXAMPLE / "scenarios"
    code, text = run_cli("metrics", EXAMPLE, sc / "option-2.yaml", "--out", tmp_path)
    assert code == 0, text
    m = ib.metrics(ib.run(EXAMPLE, sc / "option-2.yaml"))
    assert json.loads((tmp_path / "metrics.json").read_text())["levels"] == json.loads(json.dumps(m.levels.rows()))
    code, text = run_cli("compare", EXAMPLE, sc / "current-law.yaml", sc / "option-3.yaml", "--out", tmp_path)
    assert code == 0, text
    c = json.loads((tmp_path / "compare.json").read_text())
    assert {k for k in c["regions"][0] if "[" in k} == {"net_transfer[current-law]", "net_transfer[option-3]",
                                                        "capacity_after[current-law]", "capacity_after[option-3]",
                                                        "change[option-3]", "change_per_capita_tenge[option-3]"}


def test_the_readme_shows_the_analyses_as_tables(tmp_path, monkeypatch):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.findall(r"<!-- python: from-python -->\s*```python\n(.*?)```", text, re.DOTALL)[0]
    assert all(f"ib.{f}(" in block for f in ("metrics", "compare", "scorecard", "stress"))
    monkeypatch.chdir(tmp_path)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(compile(block, "README.md", "exec"), {})
    out = buf.getvalue()
    assert "gini" in out and "transfer_up" in out and "hidden_withdrawal" not in out and "p_any_deficit" in out
    assert "thousand tenge" in out  # the scorecard's unit column


# ---- with_changes: the YAML path's messages -----------------------------------------------------------------------
@pytest.mark.parametrize("diff, key, message", [
    ({"withdrawl_rate": 0.5}, "withdrawl_rate", "unknown key (check its spelling against METHOD.md)"),
    ({"sharing": {"vat": {"region": 1.5}}}, "sharing.vat.region", "share 1.5 is outside [0, 1]"),
    ({"option": 9}, "option", "unknown option 9: choose 1, 2, 3 or 4"),
])
def test_with_changes_refuses_an_unknown_key_a_share_of_1_5_and_option_9(tmp_path, diff, key, message):
    law = ib.load_scenario(EXAMPLE / "scenarios" / "current-law.yaml")
    with pytest.raises(ib.InterbudgetError) as exc:
        law.with_changes(diff)
    (problem,) = exc.value.problems
    assert str(problem) == f"changes, key '{key}': {message}"
    f = tmp_path / "d.yaml"
    f.write_text(yaml.safe_dump({"extends": str(EXAMPLE / "scenarios" / "current-law.yaml"), **diff}), encoding="utf-8")
    with pytest.raises(ib.InterbudgetError) as from_file:
        ib.load_scenario(f)
    assert [str(p) for p in from_file.value.problems] == [f"d.yaml, key '{key}': {message}"]
    assert math.isfinite(law.withdrawal_rate)  # the scenario itself is unchanged
