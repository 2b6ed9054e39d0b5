"""The payments schema and a seeded generator of synthetic payments for a dataset.

A payment: payment_id, taxpayer_id, category (payer category: regional, base or one of payers.csv),
tax, kato (the territory it is booked on), date, amount_tiyn (integer tiyn: 1 tenge = 100 tiyn, so sums
are exact on every backend). The taxpayer register gives each taxpayer's category over time.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..dataset import Dataset

SCHEMA = pa.schema([("payment_id", pa.int64()), ("taxpayer_id", pa.int64()), ("category", pa.dictionary(pa.int32(), pa.string())),
                    ("tax", pa.dictionary(pa.int32(), pa.string())), ("kato", pa.dictionary(pa.int32(), pa.string())),
                    ("date", pa.date32()), ("amount_tiyn", pa.int64())])
MONTH_WEIGHTS = np.array([0.07, 0.07, 0.09, 0.08, 0.08, 0.09, 0.08, 0.08, 0.09, 0.08, 0.08, 0.11])  # quarter ends and December
TIYN_PER_THOUSAND_TENGE = 100_000


def generate(ds: Dataset, out: Path, rows: int, seed: int = 1, years: list[int] | None = None, chunk: int = 2_000_000,
             refund_share: float = 0.03, progress=None) -> dict:
    """Write `rows` payments in Parquet parts under out/payments/ (and out/taxpayers.parquet), calibrated to
    the dataset: territories and taxes in proportion to its receipts, totals per year of the same size."""
    rng = np.random.default_rng(seed)
    rec = ds.receipts
    years = years or sorted(rec.years())
    h = ds.hierarchy
    pos = rec.amount > 0
    by_unit_tax = np.bincount(rec.unit[pos].astype(np.int64) * len(ds.taxes) + rec.tax[pos], weights=rec.amount[pos],
                              minlength=h.n * len(ds.taxes))
    total = float(rec.amount[pos & np.isin(rec.year, years)].sum()) / len(years)  # a year's receipts
    # taxpayers: heavy-tailed sizes (a few base enterprises pay most), each at one territory and tax
    n_payers = max(1000, rows // 50)
    cells = np.flatnonzero(by_unit_tax)
    cell = rng.choice(cells, n_payers, p=by_unit_tax[cells] / by_unit_tax[cells].sum())
    size = rng.pareto(1.2, n_payers) + 1.0
    big = size > np.quantile(size, 0.999)
    base_names = [c for c, b in zip(ds.payer_names, ds.payer_is_base, strict=True) if b]
    categories = ["regional"] + [c for c in ds.payer_names if c != "regional"]
    cat_of = np.where(big & (rng.random(n_payers) < 0.7), categories.index(base_names[-1] if base_names else "regional"), 0)
    cum = np.cumsum(size)
    (out / "payments").mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"taxpayer_id": np.arange(n_payers, dtype=np.int64),
                             "category": pa.DictionaryArray.from_arrays(pa.array(cat_of.astype(np.int32)), pa.array(categories)),
                             "valid_from": pa.array(np.full(n_payers, np.datetime64(f"{years[0]}-01-01"), "datetime64[D]")),
                             "valid_to": pa.array(np.full(n_payers, np.datetime64(f"{years[-1]}-12-31"), "datetime64[D]"))}),
                   out / "taxpayers.parquet")
    kato_dict = pa.array(h.codes.tolist())
    tax_dict = pa.array(ds.taxes)
    cat_dict = pa.array(categories)
    mean_amount = total * len(years) / rows  # thousand tenge per payment, on average
    written, part = 0, 0
    while written < rows:
        n = min(chunk, rows - written)
        payer = np.searchsorted(cum, rng.random(n) * cum[-1])
        c = cell[payer]
        unit, tax = c // len(ds.taxes), c % len(ds.taxes)
        year = np.asarray(years)[rng.integers(0, len(years), n)]
        month = rng.choice(12, n, p=MONTH_WEIGHTS / MONTH_WEIGHTS.sum())
        day = rng.integers(0, 28, n)
        date = (year - 1970).astype("datetime64[Y]").astype("datetime64[M]") + month.astype("timedelta64[M]")
        date = date.astype("datetime64[D]") + day.astype("timedelta64[D]")
        amount = rng.lognormal(0.0, 1.0, n) * mean_amount / np.exp(0.5)  # the lognormal's mean is e^0.5
        amount = np.where(rng.random(n) < refund_share, -0.3 * amount, amount)  # refunds: negative payments
        table = pa.table({
            "payment_id": np.arange(written, written + n, dtype=np.int64), "taxpayer_id": payer.astype(np.int64),
            "category": pa.DictionaryArray.from_arrays(pa.array(cat_of[payer].astype(np.int32)), cat_dict),
            "tax": pa.DictionaryArray.from_arrays(pa.array(tax.astype(np.int32)), tax_dict),
            "kato": pa.DictionaryArray.from_arrays(pa.array(unit.astype(np.int32)), kato_dict),
            "date": pa.array(date), "amount_tiyn": np.round(amount * TIYN_PER_THOUSAND_TENGE).astype(np.int64)}, schema=SCHEMA)
        pq.write_table(table, out / "payments" / f"part-{part:05d}.parquet")
        written += n
        part += 1
        if progress is not None:
            progress(n)
    return {"rows": rows, "parts": part, "taxpayers": n_payers, "years": years}
