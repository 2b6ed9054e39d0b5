"""reconcile: modelled against published transfers, hand-computed; missing sides reported; bad files named."""
from __future__ import annotations

import csv

import pytest
from hypothesis import given, settings, strategies as st
from typer.testing import CliRunner

from helpers import make_dataset, write_csv, write_scenario
from interbudget.analysis.reconcile import read_published, reconcile
from interbudget.cli import app
from interbudget.dataset import load_dataset
from interbudget.engine import run
from interbudget.errors import InterbudgetError
from interbudget.scenario import Scenario

SCENARIO = {"name": "law", "years": [2024], "option": 1, "sharing": {"t": {"region": 1.0}}}
# region: (receipts, need) -> R1 subvention 200, R2 withdrawal 300, R3 neither, R4 subvention 50
REGIONS = {"R1": (100, 300), "R2": (500, 200), "R3": (100, 100), "R4": (0, 50)}
PUBLISHED = [["R1", 2024, "subvention", 250, "law"], ["R2", 2024, "withdrawal", 300, "law"],
             ["R3", 2024, "subvention", 10, "law"], ["R1", 2025, "subvention", 1, "law"]]


def setup(tmp_path, published=PUBLISHED):
    units = [("0", None, "republic", 400)] + [(c, "0", "region", 100) for c in REGIONS]
    receipts = [(c, 2024, "t", r) for c, (r, _n) in REGIONS.items()]
    needs = [(c, 2024, "education", n) for c, (_r, n) in REGIONS.items()]
    ds = make_dataset(tmp_path / "ds", units, receipts, needs)
    sc = write_scenario(tmp_path / "law.yaml", SCENARIO)
    pub = write_csv(tmp_path / "published.csv", ["code", "year", "transfer", "amount", "source"], published)
    return ds, sc, pub


def test_hand_computed_reconciliation(tmp_path):
    ds, _sc, pub = setup(tmp_path)
    d = load_dataset(ds)
    res = run(d, Scenario.model_validate(SCENARIO))
    rec = reconcile(res, read_published(pub, res.hierarchy))
    rows = {(r["code"], r["year"], r["transfer"]): r for r in rec.rows}
    assert rows[("R1", 2024, "subvention")] == {"code": "R1", "year": 2024, "transfer": "subvention", "modelled": 200.0,
                                                "published": 250.0, "difference": -50.0}
    assert rows[("R2", 2024, "withdrawal")]["difference"] == 0.0
    assert rows[("R3", 2024, "subvention")]["modelled"] == 0.0 and rows[("R3", 2024, "subvention")]["published"] == 10.0
    # R4 is a region of the scenario the file does not give: written with an empty published side, and reported
    r4 = rows[("R4", 2024, "subvention")]
    assert r4["modelled"] == 50.0 and r4["published"] != r4["published"]
    # 2025 is in the file but not in the scenario: written with an empty modelled side, and reported
    r25 = rows[("R1", 2025, "subvention")]
    assert r25["published"] == 1.0 and r25["modelled"] != r25["modelled"]
    assert rec.missing_in_model == [2025] and len(rec.rows) == 5
    (s,) = rec.years
    assert s.year == 2024 and s.compared == 3 and s.missing_in_published == ["R4"]
    assert s.mean_abs_difference == pytest.approx(20.0)  # |200-250| + |-300+300| + |0-10|, over 3
    assert s.correlation == pytest.approx(0.99913, abs=1e-5)  # by hand, net transfers (200,-300,0) vs (250,-300,10)
    assert s.same_status == 2  # R3: neither in the model, a subvention in the file
    assert [r["code"] for r in s.largest] == ["R1", "R3", "R2"]


def test_cli_prints_and_writes(tmp_path):
    ds, sc, pub = setup(tmp_path)
    res = CliRunner().invoke(app, ["reconcile", str(ds), str(sc), "--published", str(pub), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "2024: 3 regions compared" in out and "correlation 0.999" in out and "same status 2 of 3" in out
    assert "not in published.csv (modelled only): R4" in out and "outside the scenario's years (published only): 2025" in out
    with (tmp_path / "o" / "reconcile.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["code", "year", "transfer", "modelled", "published", "difference"]
    r4 = next(r for r in rows if r["code"] == "R4")
    assert r4["published"] == "" and r4["difference"] == "" and float(r4["modelled"]) == 50.0


@pytest.mark.parametrize("row, words", [
    (["R9", 2024, "subvention", 1, "x"], ["published.csv", "line 2", "column 'code'", "unknown unit code 'R9'"]),
    (["R1", 2024, "grant", 1, "x"], ["line 2", "column 'transfer'", "'grant' is not one of subvention, withdrawal"]),
    (["R1", 2024, "subvention", -5, "x"], ["line 2", "column 'amount'", "negative published amount"]),
    (["R1", "2024a", "subvention", 5, "x"], ["line 2", "column 'year'", "not a whole number"]),
    (["R1", 2024, "subvention", "lots", "x"], ["line 2", "column 'amount'", "'lots' is not a number"]),
    (["R1", 2024, "subvention", 5, ""], ["line 2", "column 'source'", "empty value"]),
])
def test_bad_published_file_names_file_line_and_column(tmp_path, row, words):
    ds, sc, pub = setup(tmp_path, [row])
    res = CliRunner().invoke(app, ["reconcile", str(ds), str(sc), "--published", str(pub), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "Traceback" not in res.output
    for w in words:
        assert w in " ".join(res.output.split())
    assert not (tmp_path / "o" / "reconcile.csv").exists()


def test_duplicates_and_missing_columns_are_errors(tmp_path):
    ds, _sc, pub = setup(tmp_path, [["R1", 2024, "subvention", 5, "x"], ["R1", 2024, "subvention", 6, "y"]])
    h = load_dataset(ds).hierarchy
    with pytest.raises(InterbudgetError, match=r"line 3.*duplicate published amount.*first given on line 2"):
        read_published(pub, h)
    write_csv(pub, ["code", "year", "amount"], [["R1", 2024, 5]])
    with pytest.raises(InterbudgetError, match=r"missing column.*transfer, source"):
        read_published(pub, h)
    with pytest.raises(InterbudgetError, match="not found"):
        read_published(tmp_path / "nope.csv", h)


def test_data_kz_current_law_reproduces_the_published_law(tmp_path):
    """Read-only on data/kz: its needs are backed out of the 2026-2028 law, so the reconciliation is exact."""
    from pathlib import Path

    from interbudget.scenario import load_scenario

    root = Path(__file__).resolve().parents[1]
    with (root / "data" / "kz" / "transfers_2026_2028.csv").open(encoding="utf-8") as fh:
        law = [[r["code"], r["year"], "subvention" if r["type"] == "neutral" else r["type"],
                0 if r["type"] == "neutral" else r["amount"], r["basis"]] for r in csv.DictReader(fh)]
    pub = write_csv(tmp_path / "law.csv", ["code", "year", "transfer", "amount", "source"], law)
    res = run(load_dataset(root / "data" / "kz"), load_scenario(root / "scenarios" / "current-law.yaml")[0])
    rec = reconcile(res, read_published(pub, res.hierarchy))
    assert [s.year for s in rec.years] == [2026, 2027, 2028] and not rec.missing_in_model
    for s in rec.years:
        assert s.compared == 20 and s.same_status == 20 and not s.missing_in_published
        assert s.mean_abs_difference < 1.0 and s.correlation > 0.999999  # thousand tenge


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(sorted(REGIONS)), st.sampled_from([2024, 2026]), st.sampled_from(["subvention", "withdrawal"]),
                          st.floats(0, 1e6)), max_size=8, unique_by=lambda r: r[:3]))
def test_no_published_figure_or_region_is_dropped(tmp_path_factory, published):
    tmp = tmp_path_factory.mktemp("prop")
    ds, _sc, _pub = setup(tmp, [list(PUBLISHED[0])])
    res = run(load_dataset(ds), Scenario.model_validate(SCENARIO))
    pub = write_csv(tmp / "p.csv", ["code", "year", "transfer", "amount", "source"], [[*r, "s"] for r in published])
    if not published:
        with pytest.raises(InterbudgetError, match="no data rows"):
            read_published(pub, res.hierarchy)
        return
    rec = reconcile(res, read_published(pub, res.hierarchy))
    rows = {(r["code"], r["year"], r["transfer"]): r for r in rec.rows}
    for code, year, transfer, amount in published:
        assert rows[(code, year, transfer)]["published"] == amount
    for r in rec.rows:
        if r["modelled"] == r["modelled"] and r["published"] == r["published"]:
            assert r["difference"] == r["modelled"] - r["published"]
    for s in rec.years:  # every region of the scenario is compared or reported missing
        given = {c for c, y, _t, _a in published if y == s.year}
        assert s.compared == len(given) and set(s.missing_in_published) == set(REGIONS) - given
    assert rec.missing_in_model == sorted({y for _c, y, _t, _a in published} - {2024})
