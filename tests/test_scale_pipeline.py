"""Payments -> receipts after the one-pass rewrite: the pipeline against a plain-Python oracle (Hypothesis, with
repeated ids, rejected rows, refunds), null keys rejected with a reason, monthly and yearly receipts from one pass."""
from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from interbudget.scale.aggregate import aggregate
from test_errors import run_cli
from test_scale import hand  # noqa: F401 — the hand-made dataset and payments of test_scale

CODES, TAXES, CATEGORIES, YEARS = ["0", "1", "11"], ["loc", "vat"], ["regional", "oil"], [2026, 2027]
REASONS = ("unknown KATO code", "unknown tax", "unknown payer category", "date outside the years")


def oracle(rows: list[tuple]) -> tuple[dict, dict]:
    """METHOD.md "Payments" in plain Python: per id the first by (date, amount, kato, tax, taxpayer) is kept,
    every later repeat rejected as a duplicate; a kept payment gets the first check it fails."""
    by_id = defaultdict(list)
    for r in rows:
        by_id[r[0]].append(r)
    receipts, recon = defaultdict(lambda: [0, 0, 0, 0]), defaultdict(lambda: [0, 0, 0, 0])

    def add(acc, amount):
        acc[0] += amount
        acc[1] += 1
        acc[2] += amount < 0
        acc[3] += min(amount, 0)

    for same in by_id.values():
        same.sort(key=lambda r: (r[5], r[6], r[4], r[3], r[1]))
        for r in same[1:]:
            add(recon["duplicate payment id"], r[6])
        _pid, _payer, cat, tax, kato, date, amount = same[0]
        checks = (kato in CODES, tax in TAXES, cat in CATEGORIES, date.year in YEARS)
        reason = next((REASONS[i] for i, ok in enumerate(checks) if not ok), "aggregated")
        add(recon[reason], amount)
        if reason == "aggregated":
            add(receipts[(kato, date.year, tax, cat)], amount)
    return dict(receipts), dict(recon)


def write(rows, path):
    cols = list(zip(*rows, strict=True))
    pq.write_table(pa.table({"payment_id": pa.array(cols[0], pa.int64()), "taxpayer_id": pa.array(cols[1], pa.int64()),
                             "category": pa.array(cols[2], pa.string()), "tax": pa.array(cols[3], pa.string()),
                             "kato": pa.array(cols[4], pa.string()), "date": pa.array(cols[5], pa.date32()),
                             "amount_tiyn": pa.array(cols[6], pa.int64())}), path)
    return path


payment = st.tuples(st.integers(1, 12), st.integers(1, 4), st.sampled_from(CATEGORIES + ["coal"]),
                    st.sampled_from(TAXES + ["xyz"]), st.sampled_from(CODES + ["99"]),
                    st.dates(dt.date(2025, 12, 30), dt.date(2028, 1, 2)), st.integers(-5_000, 1_000_000))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(payment, min_size=1, max_size=40))
def test_the_pipeline_matches_a_plain_python_oracle(rows, tmp_path):
    path = write(rows, tmp_path / "p.parquet")
    receipts, recon = aggregate(path, CODES, TAXES, CATEGORIES, YEARS)
    want_receipts, want_recon = oracle(rows)
    got = {(r["kato"], r["year"], r["tax"], r["category"]): [r["amount_tiyn"], r["payments"], r["refunds"], r["refunds_tiyn"]]
           for r in receipts.to_pylist()}
    assert got == want_receipts
    keys = [(r["kato"], r["year"], r["tax"], r["category"]) for r in receipts.to_pylist()]
    assert keys == sorted(keys)  # receipts come sorted by their keys
    assert {r["reason"]: [r["amount_tiyn"], r["payments"], r["refunds"], r["refunds_tiyn"]] for r in recon.to_pylist()} == want_recon
    assert recon["reason"].to_pylist() == sorted(want_recon)
    assert sum(recon["payments"].to_pylist()) == len(rows) and sum(recon["amount_tiyn"].to_pylist()) == sum(r[6] for r in rows)


def test_null_keys_are_rejected_with_their_reason(tmp_path):
    t = pa.table({"payment_id": pa.array([1, 2, 3, 4], pa.int64()), "taxpayer_id": pa.array([1, 1, 1, 1], pa.int64()),
                  "category": ["regional", "regional", None, "regional"], "tax": ["loc", None, "loc", "loc"],
                  "kato": [None, "11", "11", "11"], "date": pa.array([dt.date(2026, 1, 1)] * 3 + [None], pa.date32()),
                  "amount_tiyn": pa.array([10, 20, 30, 40], pa.int64())})
    pq.write_table(t, tmp_path / "p.parquet")
    receipts, recon = aggregate(tmp_path / "p.parquet", CODES, TAXES, CATEGORIES, YEARS)
    assert receipts.num_rows == 0
    assert {r["reason"]: r["amount_tiyn"] for r in recon.to_pylist()} == {
        "unknown KATO code": 10, "unknown tax": 20, "unknown payer category": 30, "date outside the years": 40}


def test_monthly_receipts_and_the_years_come_from_one_pass(hand, tmp_path):  # noqa: F811
    ds, _ = hand
    code, out = run_cli("receipts", "generate", ds, "--rows", 3000, "--out", tmp_path / "g", "--chunk", 1000, "--seed", 4)
    assert code == 0, out
    code, out = run_cli("receipts", "aggregate", tmp_path / "g" / "payments", "--dataset", ds, "--out", tmp_path / "y")
    assert code == 0, out
    code, out = run_cli("receipts", "aggregate", tmp_path / "g" / "payments", "--dataset", ds, "--out", tmp_path / "m", "--monthly")
    assert code == 0, out
    # the yearly receipts are the same bytes with or without --monthly; the months add up to them
    assert (tmp_path / "y" / "receipts.csv").read_bytes() == (tmp_path / "m" / "receipts.csv").read_bytes()
    assert (tmp_path / "y" / "reconciliation.csv").read_bytes() == (tmp_path / "m" / "reconciliation.csv").read_bytes()
    with (tmp_path / "m" / "receipts_monthly.csv").open() as fh:
        months = list(csv.DictReader(fh))
    assert {int(r["month"]) for r in months} <= set(range(1, 13)) and len({r["month"] for r in months}) > 1
    by_year = defaultdict(int)
    for r in months:
        by_year[(r["kato"], r["year"], r["tax"], r["category"])] += int(r["amount_tiyn"])
    with (tmp_path / "y" / "receipts.csv").open() as fh:
        yearly = {(r["code"], r["year"], r["tax"], r["payer"]): float(r["amount"]) for r in csv.DictReader(fh)}
    assert yearly == pytest.approx({k: v / 100_000 for k, v in by_year.items()})
