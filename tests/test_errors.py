"""Every bad input gives a clear message naming the file, the row and the problem."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from helpers import make_dataset, write_csv, write_scenario
from interbudget.cli import app

Y = 2026
UNITS = [("0", None, "republic", 100), ("1", "0", "region", 60), ("11", "1", "district", 40)]
GOOD_SC = {"name": "ok", "years": [Y], "sharing": {"iit_source": {"region": 0.5, "district": 0.5}}}
runner = CliRunner()


def good(tmp_path):
    return make_dataset(tmp_path / "ds", UNITS, receipts=[("11", Y, "iit_source", 100)], needs=[("11", Y, "edu", 10)])


def run_cli(*args):
    res = runner.invoke(app, [str(a) for a in args])
    text = res.output
    assert "Traceback" not in text
    return res.exit_code, " ".join(text.split())


def simulate(tmp_path, ds, sc=GOOD_SC):
    scen = write_scenario(tmp_path / "s.yaml", sc)
    return run_cli("simulate", ds, scen, "--out", tmp_path / "out")


def replace_line(path, line_no, new):
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line_no - 1] = new
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_good_dataset_runs(tmp_path):
    code, out = simulate(tmp_path, good(tmp_path))
    assert code == 0, out
    assert (tmp_path / "out" / "budgets.csv").exists()


@pytest.mark.parametrize("case, edit, expected", [
    ("non-numeric amount", ("receipts.csv", 2, "11,2026,iit_source,regional,12x"), ["receipts.csv", "line 2", "'amount'", "'12x' is not a number"]),
    ("unknown code in receipts", ("receipts.csv", 2, "99,2026,iit_source,regional,1"), ["receipts.csv", "line 2", "unknown unit code '99'"]),
    ("unknown code in needs", ("needs.csv", 2, "77,2026,edu,mandatory,1"), ["needs.csv", "line 2", "unknown unit code '77'"]),
    ("duplicate unit", ("units.csv", 4, "1,0,region,a,b,c,5"), ["units.csv", "line 4", "duplicate unit code (first given on line 3)"]),
    ("parent at wrong level", ("units.csv", 4, "11,0,district,a,b,c,5"),
     ["units.csv", "line 4", "parent '0' is a republic; the parent of a district must be a region"]),
    ("two republics", ("units.csv", 4, "11,,republic,a,b,c,5"), ["units.csv", "2 units have level 'republic'", "'0' (line 2)", "'11' (line 4)"]),
    ("negative population", ("units.csv", 3, "1,0,region,a,b,c,-5"), ["units.csv", "line 3", "'population'", "negative population -5"]),
    ("negative need", ("needs.csv", 2, "11,2026,edu,mandatory,-3"), ["needs.csv", "line 2", "negative need -3"]),
    ("unknown level", ("units.csv", 4, "11,1,county,a,b,c,5"), ["units.csv", "line 4", "'county' is not one of republic, region, district, rural"]),
    ("unknown parent", ("units.csv", 4, "11,8,district,a,b,c,5"), ["units.csv", "line 4", "unknown parent code '8'"]),
    ("bad year", ("receipts.csv", 2, "11,20x6,iit_source,regional,1"), ["receipts.csv", "line 2", "'20x6' is not a whole number"]),
    ("unknown payer", ("receipts.csv", 2, "11,2026,iit_source,state,1"), ["receipts.csv", "line 2", "'state' is not one of regional, base"]),
    ("unknown priority", ("needs.csv", 2, "11,2026,edu,urgent,1"), ["needs.csv", "line 2", "'urgent' is not one of mandatory, basic, additional"]),
])
def test_bad_cell(tmp_path, case, edit, expected):
    ds = good(tmp_path)
    replace_line(ds / edit[0], edit[1], edit[2])
    code, out = simulate(tmp_path, ds)
    assert code == 2
    for part in expected:
        assert part in out, (part, out)


def test_cycle_in_the_hierarchy(tmp_path):
    ds = make_dataset(tmp_path / "ds", UNITS + [("5", "6", "region", 1), ("6", "5", "district", 1)],
                      receipts=[("11", Y, "iit_source", 1)])
    code, out = simulate(tmp_path, ds)
    assert code == 2 and "units.csv" in out and "cycle in the hierarchy: '5' → '6' → '5'" in out


@pytest.mark.parametrize("stem", ["units", "receipts"])
def test_missing_required_file(tmp_path, stem):
    ds = good(tmp_path)
    (ds / f"{stem}.csv").unlink()
    code, out = simulate(tmp_path, ds)
    assert code == 2 and f"{stem}.csv" in out and "required file missing" in out


def test_missing_column(tmp_path):
    ds = good(tmp_path)
    write_csv(ds / "receipts.csv", ["code", "year", "tax", "sum"], [["11", Y, "iit_source", 1]])
    code, out = simulate(tmp_path, ds)
    assert code == 2 and "receipts.csv" in out and "line 1" in out and "missing column(s) amount" in out


@pytest.mark.parametrize("stem", ["units", "receipts", "needs"])
def test_empty_file(tmp_path, stem):
    ds = good(tmp_path)
    (ds / f"{stem}.csv").write_text("")
    code, out = simulate(tmp_path, ds)
    assert code == 2 and f"{stem}.csv" in out and "the file is empty" in out


def test_header_only_receipts(tmp_path):
    ds = good(tmp_path)
    write_csv(ds / "receipts.csv", ["code", "year", "tax", "amount"], [])
    code, out = simulate(tmp_path, ds)
    assert code == 2 and "receipts.csv" in out and "no data rows" in out


def test_scenario_year_without_receipts(tmp_path):
    code, out = simulate(tmp_path, good(tmp_path), {**GOOD_SC, "years": [2026, 2027]})
    assert code == 2 and "receipts.csv" in out and "scenario year 2027 has no receipts" in out


@pytest.mark.parametrize("sc, expected", [
    ({**GOOD_SC, "sharing": {"iit_source": {"region": 1.2}}}, ["s.yaml", "sharing.iit_source.region", "share 1.2 is outside [0, 1]"]),
    ({**GOOD_SC, "sharing": {"iit_source": {"region": -0.1}}}, ["s.yaml", "share -0.1 is outside [0, 1]"]),
    ({**GOOD_SC, "sharing": {"iit_source": {"region": 0.7, "district": 0.5}}}, ["s.yaml", "sharing.iit_source", "shares sum to 1.2, above 1"]),
    ({**GOOD_SC, "option": 5}, ["s.yaml", "key 'option'", "unknown option 5: choose 1, 2, 3 or 4"]),
    ({**GOOD_SC, "district_method": "M9"}, ["s.yaml", "district_method", "unknown method 'M9'"]),
    ({**GOOD_SC, "rural_method": "M0"}, ["s.yaml", "rural_method", "unknown method 'M0'"]),
    ({**GOOD_SC, "withdrawal_rate": 2}, ["s.yaml", "withdrawal_rate 2.0 is outside [0, 1]"]),
    ({**GOOD_SC, "sharng": {}}, ["s.yaml", "key 'sharng'", "unknown key"]),
    ({"name": "x"}, ["s.yaml", "key 'years'", "required key is missing"]),
])
def test_bad_scenario(tmp_path, sc, expected):
    code, out = simulate(tmp_path, good(tmp_path), sc)
    assert code == 2
    for part in expected:
        assert part in out, (part, out)


def test_scenario_yaml_syntax_and_extends_loop(tmp_path):
    ds = good(tmp_path)
    (tmp_path / "bad.yaml").write_text("name: [unclosed\n")
    code, out = run_cli("simulate", ds, tmp_path / "bad.yaml", "--out", tmp_path / "o")
    assert code == 2 and "bad.yaml" in out and "not valid YAML" in out
    (tmp_path / "a.yaml").write_text("extends: b.yaml\nname: a\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\nname: b\nyears: [2026]\n")
    code, out = run_cli("simulate", ds, tmp_path / "a.yaml", "--out", tmp_path / "o")
    assert code == 2 and "'extends' loops: a.yaml → b.yaml → a.yaml" in out


def test_negative_receipts_are_legitimate(tmp_path):
    ds = make_dataset(tmp_path / "ds", UNITS, receipts=[("11", Y, "iit_source", 100), ("11", Y, "iit_source", -30, "regional")])
    code, out = simulate(tmp_path, ds)
    assert code == 0, out


def test_validate_reports_every_problem(tmp_path):
    ds = good(tmp_path)
    replace_line(ds / "units.csv", 3, "1,0,region,a,b,c,-5")
    replace_line(ds / "receipts.csv", 2, "99,2026,iit_source,regional,abc")
    replace_line(ds / "needs.csv", 2, "11,2026,edu,mandatory,-1")
    code, out = run_cli("validate", ds)
    assert code == 2
    for part in ("4 problem(s) found", "negative population", "unknown unit code '99'", "'abc' is not a number", "negative need"):
        assert part in out, (part, out)


def test_failed_run_keeps_earlier_results(tmp_path):
    ds = good(tmp_path)
    code, _ = simulate(tmp_path, ds)
    before = (tmp_path / "out" / "budgets.csv").read_text()
    replace_line(ds / "receipts.csv", 2, "11,2026,iit_source,regional,oops")
    code, _ = simulate(tmp_path, ds)
    assert code == 2
    assert (tmp_path / "out" / "budgets.csv").read_text() == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["budgets.csv", "manifest.json", "shares.csv"]
