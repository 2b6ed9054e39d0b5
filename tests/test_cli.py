"""The CLI end to end: simulate, explain, validate, manifests, inheritance, the README example."""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interbudget.cli import app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "example"
EX_SCEN = EXAMPLE / "scenarios"
runner = CliRunner()


def cli(*args) -> tuple[int, str]:
    res = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in res.output
    return res.exit_code, res.output


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_readme_example_gives_the_documented_budgets(tmp_path):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"<!-- (file|expected): (\S+) -->\s*```\w*\n(.*?)```", text, re.DOTALL)
    assert len(blocks) == 5
    expected = None
    for kind, name, body in blocks:
        if kind == "file":
            (tmp_path / name).write_text(body, encoding="utf-8")
        else:
            expected = body
    code, out = cli("simulate", tmp_path, tmp_path / "scenario.yaml", "--out", tmp_path / "out")
    assert code == 0, out
    got = (tmp_path / "out" / "budgets.csv").read_text(encoding="utf-8")
    assert got.strip().splitlines() == expected.strip().splitlines()


@pytest.mark.parametrize("scenario", sorted((EX_SCEN).glob("*.yaml")), ids=lambda p: p.stem)
def test_bundled_scenarios_run_on_the_bundled_data(tmp_path, scenario):
    code, out = cli("simulate", EXAMPLE, scenario, "--out", tmp_path)
    assert code == 0, out
    assert "Akmola region" in out and "budgets.csv" in out
    rows = read_csv(tmp_path / "budgets.csv")
    tracks = {"plan", "actual"} | ({"revised"} if scenario.stem.startswith("revision") else set())
    assert {r["track"] for r in rows} == tracks
    assert {r["year"] for r in rows if r["track"] == "actual"} == {"2026"}
    assert all(r["code"] != "751110000" for r in rows)  # Almaty's districts have no budget
    assert any(r["code"] == "000000000" for r in rows)  # leading zeros kept
    assert any(r["level"] == "rural" for r in rows) == (scenario.stem != "no-fourth-level")
    if scenario.stem != "capacity-basis":  # on capacity, budgets keep what they collect beyond it
        for r in rows:
            if r["track"] in ("plan", "revised") and r["level"] != "republic":
                assert abs(float(r["balance"])) < 1e-3  # withdrawal_rate 1: every budget below the republic ends at 0
    shares = read_csv(tmp_path / "shares.csv")
    assert all(0 <= float(s["share"]) <= 1 for s in shares)
    levels = {s["level"] for s in shares}
    expected = {"option-2": {"region"}, "option-4": {"region"}, "methods-uniform-m2": {"district", "rural"}}.get(scenario.stem, set())
    assert levels == expected


def test_manifest_records_the_inherited_scenario_and_input_hashes(tmp_path):
    code, out = cli("simulate", EXAMPLE, EX_SCEN / "option-2.yaml", "--out", tmp_path)
    assert code == 0, out
    m = json.loads((tmp_path / "manifest.json").read_text())
    assert m["interbudget_version"]
    assert m["scenario"]["option"] == 2 and m["scenario"]["name"] == "option-2"
    assert m["scenario"]["sharing"]["iit_source"]["region"] == 0.5  # inherited from current-law.yaml
    assert m["scenario"]["regulated_taxes"] == ["iit_source", "social_tax"]
    assert {Path(p).name for p in m["scenario_files"]} == {"option-2.yaml", "current-law.yaml"}
    assert set(m["dataset_files"]) == {"units.csv", "receipts.csv", "receipts_actual.csv", "receipts_revised.csv", "needs.csv",
                                       "payers.csv", "bases.csv"}
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in m["dataset_files"].values())


def test_extends_overrides_and_null_removes(tmp_path):
    (tmp_path / "reform.yaml").write_text(
        f"extends: {EX_SCEN / 'current-law.yaml'}\nname: reform\n"
        "sharing:\n  iit_source:\n    region: {value: 0.3, reference: 'draft, art. 1'}\n  cit_sme: null\n")
    code, out = cli("simulate", EXAMPLE, tmp_path / "reform.yaml", "--out", tmp_path / "o")
    assert code == 0, out
    m = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert m["scenario"]["sharing"]["iit_source"]["region"] == 0.3
    assert m["scenario"]["sharing"]["iit_source"]["district"] == 0.5
    assert m["scenario"]["sharing"]["iit_source"]["references"]["region"] == "draft, art. 1"
    assert "cit_sme" not in m["scenario"]["sharing"]
    code, out = cli("explain", EXAMPLE, tmp_path / "reform.yaml", "--code", "110000000", "--year", "2026")
    assert "share 0.3" in out and "draft, art. 1" in out


@pytest.mark.parametrize("lang, words", [("en", ["Revenue", "Needs", "Transfers", "Balance"]),
                                         ("ru", ["Доходы", "Потребности", "Трансферты", "Сальдо"]),
                                         ("kk", ["Кірістер", "Қажеттіліктер", "Трансферттер", "Сальдо"])])
def test_explain_in_three_languages(lang, words):
    code, out = cli("explain", EXAMPLE, EX_SCEN / "option-2.yaml", "--code", "750000000", "--year", "2027", "--lang", lang)
    assert code == 0, out
    for w in words:
        assert w in out
    assert "§3.3.2" in out and "§3.3.3" in out


def test_explain_json_adds_up_to_the_budget_row(tmp_path):
    sc = EX_SCEN / "current-law.yaml"
    code, output = cli("simulate", EXAMPLE, sc, "--out", tmp_path)
    assert code == 0, output
    rows = {(r["track"], r["code"], r["year"]): r for r in read_csv(tmp_path / "budgets.csv")}
    for code_, track in (("116600000", "plan"), ("116630000", "plan"), ("470000000", "actual"), ("000000000", "plan")):
        res = runner.invoke(app, ["explain", str(EXAMPLE), str(sc), "--code", code_, "--year", "2026", "--track", track, "--json"])
        assert res.exit_code == 0, res.output
        ex = json.loads(res.output)
        row = rows[track, code_, "2026"]
        assert sum(i["amount"] for i in ex["revenue"]["items"]) == pytest.approx(float(row["revenue"]), rel=1e-9)
        assert sum(i["amount"] for i in ex["needs"]["items"]) == pytest.approx(float(row["needs"]), rel=1e-9)
        assert ex["balance"] == pytest.approx(float(row["balance"]), rel=1e-9, abs=1e-6)
        t = ex["transfers"]
        if not t["is_republic"]:
            assert t["gap"] == pytest.approx(t["own_gap"] + t["children_subventions"] - t["children_withdrawals"], rel=1e-9)


@pytest.mark.parametrize("args, message", [
    (["--code", "999", "--year", "2026"], "unknown unit code '999'"),
    (["--code", "751110000", "--year", "2026"], "has no budget of its own; it is part of the budget of '750000000'"),
    (["--code", "110000000", "--year", "2031"], "year 2031 is not among the scenario's years"),
    (["--code", "110000000", "--year", "2027", "--track", "actual"], "no actual track for 2027"),
    (["--code", "110000000", "--year", "2026", "--lang", "fr"], "unknown language 'fr'"),
])
def test_explain_errors(args, message):
    code, out = cli("explain", EXAMPLE, EX_SCEN / "current-law.yaml", *args)
    assert code == 2 and message in " ".join(out.split())


def test_validate_ok_and_with_scenario():
    code, out = cli("validate", EXAMPLE, "--scenario", EX_SCEN / "option-3.yaml")
    assert code == 0 and "OK" in out


def test_parquet_dataset_gives_the_same_results(tmp_path):
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    pdir = tmp_path / "pq"
    pdir.mkdir()
    for f in EXAMPLE.glob("*.csv"):
        t = pacsv.read_csv(f, convert_options=pacsv.ConvertOptions(column_types={"code": pa.string(), "parent": pa.string()}))
        if "code" in t.column_names:  # dictionary-encoded codes, as a Parquet writer of codes would store them
            t = t.set_column(t.column_names.index("code"), "code", t.column("code").dictionary_encode())
        pq.write_table(t, pdir / f"{f.stem}.parquet")
    sc = EX_SCEN / "option-2.yaml"
    assert cli("simulate", EXAMPLE, sc, "--out", tmp_path / "a")[0] == 0
    code, out = cli("simulate", pdir, sc, "--out", tmp_path / "b")
    assert code == 0, out
    assert (tmp_path / "a" / "budgets.csv").read_text() == (tmp_path / "b" / "budgets.csv").read_text()
    assert (tmp_path / "a" / "shares.csv").read_text() == (tmp_path / "b" / "shares.csv").read_text()
