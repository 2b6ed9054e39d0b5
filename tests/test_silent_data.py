"""Wrong data is never accepted in silence: repeated rows, YAML keys given twice, taxes the dataset does not
know, codes that Excel turned into numbers."""
from __future__ import annotations

import csv

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
import yaml
from fastapi.testclient import TestClient
from openpyxl import Workbook

from helpers import make_dataset, write_scenario
from interbudget.dataset import load_dataset
from interbudget.errors import InterbudgetError
from interbudget.yamlfile import load as load_yaml
from test_errors import GOOD_SC, UNITS, Y, good, run_cli, simulate
from test_web import EXAMPLE, ROOT, SCEN


def _append(path, line):
    with path.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")


# ---- exact repeats ------------------------------------------------------------------------------------------
def test_a_receipt_row_pasted_twice_is_an_error_naming_both_lines(tmp_path):
    ds = good(tmp_path)
    _append(ds / "receipts.csv", "11,2026,iit_source,regional,100")  # line 3 repeats line 2
    code, out = simulate(tmp_path, ds)
    assert code == 2, out
    assert "receipts.csv, line 3: duplicate row: the same values as line 2" in out
    assert not (tmp_path / "out" / "budgets.csv").exists()


@pytest.mark.parametrize("table, header, row", [
    ("needs.csv", None, "11,2026,edu,mandatory,10"),
    ("units.csv", None, "11,1,district,11 kk,11 ru,11 en,40"),
])
def test_any_table_refuses_a_repeated_row(tmp_path, table, header, row):
    ds = good(tmp_path)
    _append(ds / table, row)
    code, out = run_cli("validate", ds)
    assert code == 2 and f"{table}, line" in out and "duplicate row: the same values as line" in out, out


def test_allow_duplicates_keeps_them_and_says_how_many(tmp_path):
    ds = good(tmp_path)
    for _ in range(3):
        _append(ds / "receipts.csv", "11,2026,iit_source,regional,100")
    code, out = simulate(tmp_path, ds) if False else run_cli("simulate", ds, write_scenario(tmp_path / "s.yaml", GOOD_SC),
                                                              "--out", tmp_path / "out", "--allow-duplicates")
    assert code == 0, out
    assert "warning: receipts.csv: 3 row(s) repeat an earlier row exactly; kept as given (--allow-duplicates)" in out
    with (tmp_path / "out" / "budgets.csv").open() as fh:
        rev = sum(float(r["revenue"]) for r in csv.DictReader(fh))
    assert rev == pytest.approx(400)  # kept: each row counts
    code, out = run_cli("validate", ds, "--allow-duplicates")
    assert code == 0 and "3 row(s) repeat an earlier row exactly" in out, out


def test_parquet_rows_are_named_by_their_number(tmp_path):
    ds = good(tmp_path)
    t = pacsv.read_csv(ds / "receipts.csv", convert_options=pacsv.ConvertOptions(column_types={"code": pa.string()}))
    pq.write_table(pa.concat_tables([t, t.slice(0, 1)]), ds / "receipts.parquet")
    (ds / "receipts.csv").unlink()
    with pytest.raises(InterbudgetError, match=r"receipts.parquet, row 2: duplicate row: the same values as row 1"):
        load_dataset(ds)


def test_a_key_given_twice_with_other_amounts_is_summed_with_a_warning(tmp_path):
    ds = make_dataset(tmp_path / "ds", UNITS, receipts=[("11", Y, "iit_source", 100), ("11", Y, "iit_source", -30)])
    got = load_dataset(ds)
    assert got.warnings == [("receipts.csv: 1 row(s) repeat the (code, year, tax, payer) of an earlier row (first: line 3 "
                             "repeats line 2); summed as METHOD.md reads receipts")]
    code, out = simulate(tmp_path, ds)
    assert code == 0 and "warning: receipts.csv: 1 row(s) repeat the (code, year, tax, payer)" in out


def test_where_the_contract_says_one_row_per_key_a_repeated_key_stays_an_error(tmp_path):
    ds = make_dataset(tmp_path / "ds", UNITS, receipts=[("11", Y, "iit_source", 100)],
                      norms=[["edu", "district", "mandatory", "pupils", 1.0], ["edu", "district", "mandatory", "pupils", 2.0]],
                      drivers=[["11", Y, "pupils", 5]])
    code, out = run_cli("validate", ds, "--allow-duplicates")
    assert code == 2 and "norms.csv, line 3: duplicate norm for this (function, level) (first given on line 2)" in out, out


def test_many_rows_are_checked_at_once_and_the_report_is_capped(tmp_path):
    n = 200_000
    rng = np.random.default_rng(3)
    codes = np.where(rng.random(n) < 0.5, "1", "11")
    years = 2000 + np.arange(n) % 50
    taxes = np.char.add("t", (np.arange(n) // 50 % 2000).astype(str))
    amount = np.round(rng.random(n) * 1e6, 3)
    amount[-7:] = amount[:7]  # 7 exact repeats of the first rows
    codes[-7:], years[-7:], taxes[-7:] = codes[:7], years[:7], taxes[:7]
    ds = make_dataset(tmp_path / "ds", UNITS, receipts=[("11", Y, "x", 1)])
    pacsv.write_csv(pa.table({"code": codes, "year": years, "tax": taxes, "payer": np.full(n, "regional"), "amount": amount}),
                    ds / "receipts.csv")
    with pytest.raises(InterbudgetError) as exc:
        load_dataset(ds)
    msgs = [str(p) for p in exc.value.problems]
    assert msgs[0] == f"receipts.csv, line {n - 5}: duplicate row: the same values as line 2 (--allow-duplicates keeps both)"
    assert msgs[5] == "receipts.csv: ... and 2 more rows with the same kind of problem" and len(msgs) == 6


# ---- YAML keys given twice ------------------------------------------------------------------------------------
def test_a_yaml_key_given_twice_is_an_error_naming_line_and_key(tmp_path):
    ds = good(tmp_path)
    (tmp_path / "s.yaml").write_text("name: twice\nyears: [2026]\nwithdrawal_rate: 0.5\nsharing:\n"
                                     "  iit_source: {region: 0.5}\nwithdrawal_rate: 1.0\n", encoding="utf-8")
    code, out = run_cli("simulate", ds, tmp_path / "s.yaml", "--out", tmp_path / "o")
    assert code == 2
    assert "s.yaml, line 6, key 'withdrawal_rate': key given twice (first on line 3); keep one" in out


def test_a_nested_key_twice_in_a_parent_file_is_found_too(tmp_path):
    ds = good(tmp_path)
    (tmp_path / "base.yaml").write_text("name: b\nyears: [2026]\nsharing:\n  iit_source:\n    region: 0.5\n    region: 0.4\n",
                                        encoding="utf-8")
    (tmp_path / "s.yaml").write_text("extends: base.yaml\nname: s\n", encoding="utf-8")
    code, out = run_cli("validate", ds, "--scenario", tmp_path / "s.yaml")
    assert code == 2 and "base.yaml, line 6, key 'region': key given twice (first on line 5)" in out, out


def test_one_loader_everywhere_yaml_is_read(tmp_path):
    from interbudget.functions.proposals import load_proposal
    from interbudget.functions.registry import load_registry
    from interbudget.web.editor import parse_form

    assert load_yaml("a: 1\nb: {c: 2}\n", "x.yaml") == {"a": 1, "b": {"c": 2}}
    assert load_yaml("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n", "x.yaml")["other"] == {"x": 1, "y": 2}  # merge keys still work
    p = tmp_path / "p.yaml"
    p.write_text("name: p\neffective_year: 2027\neffective_year: 2028\nmoves: []\n", encoding="utf-8")
    with pytest.raises(InterbudgetError, match=r"p.yaml, line 3, key 'effective_year': key given twice \(first on line 2\)"):
        load_proposal(p, load_registry(ROOT / "registry" / "kz"))
    _, errors = parse_form({"advanced": "mandates: []\nmandates: []\n", "years": "2026"}, {"name": "x"}, [])
    assert errors["advanced"] == "line 2: key 'mandates' is given twice (first on line 1); keep one"


# ---- taxes the dataset does not know ----------------------------------------------------------------------------
@pytest.mark.parametrize("extra, key", [
    ({"sharing": {"vta": {"region": 0.5}}}, "sharing.vta"),
    ({"sharing_base": {"vta": {"region": 0.5}}}, "sharing_base.vta"),
    ({"child_shares": {"11": {"vta": 0.5}}, "district_method": "M1"}, "child_shares.11.vta"),
    ({"regulated_taxes": ["iit_source", "vta"]}, "regulated_taxes"),
])
def test_a_mistyped_tax_is_an_error_naming_its_key(tmp_path, extra, key):
    ds = good(tmp_path)
    code, out = simulate(tmp_path, ds, {**GOOD_SC, **extra})
    assert code == 2, out
    assert f"s.yaml, key '{key}': tax 'vta' is not in the dataset's tax list" in out
    code, out = run_cli("simulate", ds, tmp_path / "s.yaml", "--out", tmp_path / "o", "--allow-unknown-taxes")
    assert code == 0 and f"warning: s.yaml: tax 'vta' ({key}) is not in the dataset's tax list" in out, out


def test_taxes_csv_lists_taxes_without_receipts(tmp_path):
    ds = good(tmp_path)
    (ds / "taxes.csv").write_text("tax\niit_source\nvat\n", encoding="utf-8")
    code, out = simulate(tmp_path, ds, {**GOOD_SC, "sharing": {"vat": {"region": 0.5}}})
    assert code == 0, out
    code, out = simulate(tmp_path, ds, {**GOOD_SC, "sharing": {"vta": {"region": 0.5}}})
    assert code == 2 and "did you mean 'vat'?" in out


def test_the_web_api_refuses_a_mistyped_tax_as_the_cli_does(tmp_path):
    from interbudget.store import Store
    from interbudget.web.app import create_app

    st = Store.open(str(tmp_path / "wb.duckdb"))
    app = create_app(EXAMPLE, SCEN, ROOT / "registry" / "kz", st)
    st.add_user("ana", "correct horse battery", "analyst", None)
    c = TestClient(app, base_url="https://testserver")
    r = c.post("/api/login", json={"username": "ana", "password": "correct horse battery"})
    c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    assert c.post("/api/scenarios", json={"name": "typo", "base": "current-law"}).status_code == 201
    doc = c.get("/api/scenarios/typo").json()["content"]
    bad = dict(doc, sharing={**doc["sharing"], "vta": {"region": 0.5}})
    r = c.put("/api/scenarios/typo", json={"base_version": 1, "content": bad})
    assert r.status_code == 422, r.text
    assert "'sharing.vta': tax 'vta' is not in the dataset's tax list" in r.json()["errors"]["scenario"]
    assert [v["version"] for v in st.versions("typo")] == [1]  # nothing saved
    scen = write_scenario(tmp_path / "typo.yaml", bad)
    code, out = run_cli("simulate", EXAMPLE, scen, "--out", tmp_path / "o")
    assert code == 2 and "key 'sharing.vta': tax 'vta' is not in the dataset's tax list" in out


# ---- Excel ------------------------------------------------------------------------------------------------------
def _receipts_book(path, codes):
    wb = Workbook()
    ws = wb.active
    ws.title = "Receipts"
    ws.append(["code", "year", "tax", "payer", "amount"])
    for c in codes:
        ws.append([c, 2026, "iit_source", "regional", 10.5])
    wb.save(path)
    return path


def test_codes_typed_as_numbers_are_refused_or_restored_exactly(tmp_path):
    units = [("0", None, "republic", 100), ("01", "0", "region", 60), ("011000000", "01", "district", 40),
             ("11000000", "01", "district", 1)]
    ds = make_dataset(tmp_path / "ds", units, receipts=[("011000000", Y, "iit_source", 1)])
    book = _receipts_book(tmp_path / "in.xlsx", [11000000, 1, "011000000", 11000000.0])
    code, out = run_cli("import-excel", book, "--out", tmp_path / "o")
    assert code == 2 and "in.xlsx [Receipts], row 2, column 'code': code 11000000 is a number in Excel, so leading zeros may be lost" in out
    code, out = run_cli("import-excel", book, "--out", tmp_path / "o", "--dataset", ds)
    assert code == 2
    assert "row 2, column 'code': code 11000000 is a number in Excel and ambiguous: 011000000, 11000000 in units.csv" in out
    book = _receipts_book(tmp_path / "in.xlsx", [1, "011000000", 7, "099", 1.5])
    code, out = run_cli("import-excel", book, "--out", tmp_path / "o", "--dataset", ds)
    assert code == 2
    assert "row 4, column 'code': code 7 is a number in Excel and no code of units.csv has this value" in out
    assert "row 5, column 'code': unknown unit code '099' (not in units.csv)" in out
    assert "row 6, column 'code': '1.5' is not a unit code" in out and "row 2" not in out
    book = _receipts_book(tmp_path / "in.xlsx", [1, "011000000"])
    code, out = run_cli("import-excel", book, "--out", tmp_path / "o", "--dataset", ds)
    assert code == 0, out
    assert [r["code"] for r in csv.DictReader((tmp_path / "o" / "receipts.csv").open())] == ["01", "011000000"]


def test_report_then_import_excel_gives_the_same_receipts(tmp_path):
    code, out = run_cli("report", EXAMPLE, SCEN / "option-2.yaml", "--out", tmp_path / "r", "--stress-draws", 0)
    assert code == 0, out
    code, out = run_cli("import-excel", tmp_path / "r" / "report.xlsx", "--out", tmp_path / "o", "--dataset", EXAMPLE)
    assert code == 0, out
    with (EXAMPLE / "receipts.csv").open(encoding="utf-8") as a, (tmp_path / "o" / "receipts.csv").open(encoding="utf-8") as b:
        want, got = list(csv.DictReader(a)), list(csv.DictReader(b))
    assert len(got) == len(want) > 100
    for w, g in zip(want, got, strict=True):
        assert (g["code"], g["year"], g["tax"], g["payer"] or "regional") == (w["code"], w["year"], w["tax"], w["payer"] or "regional")
        assert float(g["amount"]) == float(w["amount"])  # full precision
    sharing = yaml.safe_load((tmp_path / "o" / "sharing.yaml").read_text(encoding="utf-8"))["sharing"]
    from interbudget.scenario import load_scenario

    s = load_scenario(SCEN / "option-2.yaml")[0]
    assert sharing == {t: {lv: ts.level(lv) for lv in ("region", "district", "rural")} for t, ts in s.sharing.items()}


# ---- receipts aggregate -----------------------------------------------------------------------------------------
def test_aggregate_refuses_to_write_empty_receipts_and_prints_the_reconciliation(tmp_path):
    import datetime as dt

    ds = make_dataset(tmp_path / "base", UNITS, receipts=[("11", Y, "loc", 1)])
    pq.write_table(pa.table({"payment_id": pa.array([1, 2], pa.int64()), "taxpayer_id": pa.array([1, 2], pa.int64()),
                             "category": ["regional", "regional"], "tax": ["loc", "loc"], "kato": ["99", "98"],
                             "date": pa.array([dt.date(Y, 1, 1)] * 2, pa.date32()), "amount_tiyn": pa.array([5, 7], pa.int64())}),
                   tmp_path / "p.parquet")
    code, out = run_cli("receipts", "aggregate", tmp_path / "p.parquet", "--dataset", ds, "--out", tmp_path / "d")
    assert code == 2, out
    assert "unknown KATO code" in out and "total in" in out  # the reconciliation
    assert "no payment was aggregated (see the reconciliation above); nothing written to" in out
    assert not (tmp_path / "d" / "receipts.csv").exists()


def test_aggregate_accepts_the_folder_generate_wrote(tmp_path):
    ds = make_dataset(tmp_path / "base", UNITS, receipts=[("11", Y, "loc", 1000), ("1", Y, "vat", 500)])
    code, out = run_cli("receipts", "generate", ds, "--rows", 3000, "--out", tmp_path / "g")
    assert code == 0, out
    code, out = run_cli("receipts", "aggregate", tmp_path / "g", "--dataset", ds, "--out", tmp_path / "d")
    assert code == 0 and "payments in = aggregated + rejected" in out, out
    assert (tmp_path / "d" / "receipts.csv").stat().st_size > 40


@pytest.mark.parametrize("make, expected", [
    (lambda p: (p / "pay.csv").write_text("payment_id,kato\n1,11\n"), "pay.csv: payments must be Parquet"),
    (lambda p: pq.write_table(pa.table({"id": [1], "kato": ["11"]}), p / "pay.parquet"),
     "pay.parquet: missing column(s) payment_id, taxpayer_id, category, tax, date, amount_tiyn; payments need the columns"),
    (lambda p: pq.write_table(pa.table({"payment_id": [1], "taxpayer_id": [1], "category": ["regional"], "tax": ["loc"],
                                        "kato": [11], "date": ["2026-01-01"], "amount_tiyn": [1.5]}), p / "pay.parquet"),
     "pay.parquet: kato is int64, not text; date is string, not date; amount_tiyn is double, not integer"),
    (lambda p: (p / "pay.parquet").write_bytes(b"not parquet at all"), "pay.parquet: not a readable Parquet file"),
])
def test_aggregate_says_in_one_line_what_is_wrong_with_a_file(tmp_path, make, expected):
    ds = make_dataset(tmp_path / "base", UNITS, receipts=[("11", Y, "loc", 1)])
    make(tmp_path)
    f = next(p for p in tmp_path.iterdir() if p.name.startswith("pay."))
    code, out = run_cli("receipts", "aggregate", f, "--dataset", ds, "--out", tmp_path / "d")
    assert code == 2 and expected in out, out
    assert "internal error" not in out and out.count("error:") == 1
