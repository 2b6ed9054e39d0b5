"""Payments -> receipts with Ibis: hand-computed receipts and reconciliation, DuckDB and Spark identical."""
from __future__ import annotations

import csv
import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from helpers import make_dataset, write_scenario
from interbudget.dataset import load_dataset
from interbudget.scale.aggregate import aggregate
from interbudget.scale.payments import generate
from test_errors import run_cli

UNITS = [("0", None, "republic", 100), ("1", "0", "region", 60), ("11", "1", "district", 60)]
ROWS = [  # payment_id, kato, tax, category, date, amount in tiyn
    (1, "11", "loc", "regional", dt.date(2026, 3, 1), 150_000),
    (2, "11", "loc", "regional", dt.date(2026, 5, 1), -50_000),   # a refund: kept
    (3, "1", "vat", "oil", dt.date(2026, 12, 31), 1_000_000),
    (1, "11", "loc", "regional", dt.date(2026, 4, 1), 999),       # the same id again, later: a duplicate
    (5, "99", "loc", "regional", dt.date(2026, 1, 1), 700),       # unknown KATO code
    (6, "11", "xyz", "regional", dt.date(2026, 1, 1), 800),       # unknown tax
    (7, "11", "loc", "coal", dt.date(2026, 1, 1), 900),           # unknown payer category
    (8, "11", "loc", "regional", dt.date(2031, 1, 1), 1_100),     # outside the years
]


@pytest.fixture
def hand(tmp_path):
    ds = make_dataset(tmp_path / "base", UNITS, receipts=[("11", 2026, "loc", 1), ("1", 2026, "vat", 1)],
                      payers=[["oil", "true"]])
    table = pa.table({"payment_id": pa.array([r[0] for r in ROWS], pa.int64()), "taxpayer_id": pa.array(range(len(ROWS)), pa.int64()),
                      "category": [r[3] for r in ROWS], "tax": [r[2] for r in ROWS], "kato": [r[1] for r in ROWS],
                      "date": pa.array([r[4] for r in ROWS], pa.date32()), "amount_tiyn": pa.array([r[5] for r in ROWS], pa.int64())})
    pq.write_table(table, tmp_path / "payments.parquet")
    return ds, tmp_path / "payments.parquet"


def run_both(ds_path, payments, backend):
    ds = load_dataset(ds_path)
    return aggregate(payments, ds.hierarchy.codes.tolist(), ds.taxes, ds.payer_names, [2026], backend)


def test_hand_computed_receipts_and_reconciliation(hand):
    ds, payments = hand
    receipts, recon = run_both(ds, payments, "duckdb")
    got = {(r["kato"], r["year"], r["tax"], r["category"]): (r["amount_tiyn"], r["payments"], r["refunds"]) for r in receipts.to_pylist()}
    assert got == {("11", 2026, "loc", "regional"): (100_000, 2, 1), ("1", 2026, "vat", "oil"): (1_000_000, 1, 0)}
    by_reason = {r["reason"]: (r["payments"], r["amount_tiyn"]) for r in recon.to_pylist()}
    assert by_reason == {"aggregated": (3, 1_100_000), "duplicate payment id": (1, 999), "unknown KATO code": (1, 700),
                         "unknown tax": (1, 800), "unknown payer category": (1, 900), "date outside the years": (1, 1_100)}
    # rows and amounts in = aggregated + rejected, to the tiyn
    assert sum(p for p, _ in by_reason.values()) == len(ROWS) and sum(a for _, a in by_reason.values()) == sum(r[5] for r in ROWS)


def test_duckdb_and_spark_give_identical_receipts(hand, tmp_path):
    ds, payments = hand
    generate(load_dataset(ds), tmp_path / "gen", 20_000, seed=3, chunk=7_000)
    for source in (payments, tmp_path / "gen" / "payments"):
        a = run_both(ds, source, "duckdb")
        b = run_both(ds, source, "spark")
        for x, y in zip(a, b, strict=True):
            assert x.to_pylist() == y.cast(x.schema).to_pylist()


def test_a_dataset_built_from_payments_simulates_unchanged(hand, tmp_path):
    ds, payments = hand
    code, out = run_cli("receipts", "aggregate", payments, "--dataset", ds, "--out", tmp_path / "built")
    assert code == 0 and "payments in = aggregated + rejected" in out and "unknown KATO code" in out
    with (tmp_path / "built" / "receipts.csv").open() as fh:
        rows = {(r["code"], r["tax"]): float(r["amount"]) for r in csv.DictReader(fh)}
    assert rows == {("11", "loc"): 1.0, ("1", "vat"): 10.0}  # thousand tenge
    sc = write_scenario(tmp_path / "s.yaml", {"name": "p", "years": [2026], "sharing": {"loc": {"district": 1.0}}})
    code, out = run_cli("simulate", tmp_path / "built", sc, "--out", tmp_path / "out")
    assert code == 0, out


def test_generate_then_aggregate_the_cli(hand, tmp_path):
    ds, _ = hand
    code, out = run_cli("receipts", "generate", ds, "--rows", 5000, "--out", tmp_path / "g", "--chunk", 2000)
    assert code == 0 and "5,000 payments in 3 parts" in out
    code, out = run_cli("receipts", "aggregate", tmp_path / "g" / "payments", "--dataset", ds, "--out", tmp_path / "d", "--monthly")
    assert code == 0 and (tmp_path / "d" / "receipts_monthly.csv").exists()
    code, out = run_cli("receipts", "aggregate", tmp_path / "nope", "--dataset", ds, "--out", tmp_path / "d")
    assert code == 2 and "no such file or folder of payments" in out
    code, out = run_cli("receipts", "aggregate", tmp_path / "g" / "payments", "--dataset", ds, "--out", tmp_path / "d", "--backend", "oracle")
    assert code == 2 and "unknown backend 'oracle'" in out


def test_the_command_shapes_of_the_issue_work_without_a_base(tmp_path):
    # `receipts generate` and `receipts aggregate PAYMENTS --out DATASET`: the bundled data/kz is the default base
    code, out = run_cli("receipts", "generate", "--rows", 2000, "--out", tmp_path / "g", "--chunk", 1000)
    assert code == 0 and "2,000 payments" in out
    code, out = run_cli("receipts", "aggregate", tmp_path / "g" / "payments", "--out", tmp_path / "kz")
    assert code == 0 and (tmp_path / "kz" / "units.csv").exists() and (tmp_path / "kz" / "receipts.csv").exists()
    # aggregating again into the same dataset uses it as its own base, actual receipts this time
    code, out = run_cli("receipts", "aggregate", tmp_path / "g" / "payments", "--out", tmp_path / "kz", "--actual")
    assert code == 0 and (tmp_path / "kz" / "receipts_actual.csv").exists() and (tmp_path / "kz" / "receipts.csv").exists()
