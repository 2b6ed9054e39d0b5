"""Payments -> receipts, written once in Ibis: DuckDB in-process by default, PySpark for a cluster.

Every payment is either aggregated or rejected with a reason — a duplicate payment id (the first by date,
amount, territory and tax is kept), an unknown KATO code, tax or payer category, a date outside the years —
and the reconciliation says rows and amounts in = aggregated + rejected, to the tiyn. Refunds (negative
amounts) are kept and counted.
"""
from __future__ import annotations

from pathlib import Path

import ibis
import pyarrow as pa

TIYN_PER_THOUSAND_TENGE = 100_000


def connect(backend: str = "duckdb", master: str = "local[2]"):
    if backend == "duckdb":
        return ibis.duckdb.connect(), None
    if backend == "spark":
        from pyspark.sql import SparkSession

        spark = (SparkSession.builder.master(master).appName("interbudget").config("spark.ui.enabled", "false")
                 .config("spark.sql.session.timeZone", "UTC").getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        return ibis.pyspark.connect(spark), spark
    raise ValueError(f"unknown backend '{backend}': choose duckdb or spark")


def pipeline(payments, codes: list[str], taxes: list[str], categories: list[str], years: list[int], monthly: bool = False):
    """The Ibis expressions: (aggregated receipts, reconciliation by reason)."""
    p = payments
    rank = ibis.row_number().over(ibis.window(group_by=p.payment_id, order_by=[p.date, p.amount_tiyn, p.kato, p.tax, p.taxpayer_id]))
    p = p.mutate(dup=rank > 0, year=p.date.year(), month=p.date.month())
    reason = ibis.cases((p.dup, "duplicate payment id"),
                        (~p.kato.isin(codes), "unknown KATO code"),
                        (~p.tax.isin(taxes), "unknown tax"),
                        (~p.category.isin(categories), "unknown payer category"),
                        (~p.year.isin(years), "date outside the years"),
                        else_="aggregated")
    p = p.mutate(reason=reason, refund=ibis.ifelse(p.amount_tiyn < 0, p.amount_tiyn, 0))
    keys = ["kato", "year"] + (["month"] if monthly else []) + ["tax", "category"]
    ok = p.filter(p.reason == "aggregated")
    receipts = ok.group_by(keys).aggregate(amount_tiyn=ok.amount_tiyn.sum(), payments=ok.count(),
                                           refunds=(ok.amount_tiyn < 0).sum(), refunds_tiyn=ok.refund.sum())
    recon = p.group_by("reason").aggregate(payments=p.count(), amount_tiyn=p.amount_tiyn.sum(),
                                           refunds=(p.amount_tiyn < 0).sum(), refunds_tiyn=p.refund.sum())
    return receipts.order_by(keys), recon.order_by("reason")


def aggregate(payments_path: Path, codes: list[str], taxes: list[str], categories: list[str], years: list[int],
              backend: str = "duckdb", master: str = "local[2]", monthly: bool = False) -> tuple[pa.Table, pa.Table]:
    con, spark = connect(backend, master)
    try:
        path = Path(payments_path)
        # a folder of parts (DuckDB by a glob, Spark by the folder) or one file
        source = str(path / "*.parquet") if path.is_dir() and backend == "duckdb" else str(path)
        t = con.read_parquet(source)
        receipts, recon = pipeline(t, codes, taxes, categories, years, monthly)
        return receipts.to_pyarrow(), recon.to_pyarrow()
    finally:
        if spark is not None:
            spark.stop()


def write_dataset(receipts: pa.Table, recon: pa.Table, base: Path, out: Path, actual: bool = False,
                  monthly: pa.Table | None = None) -> dict[str, Path]:
    """A dataset that `simulate` runs unchanged: the base dataset's files, with receipts from the payments."""
    import shutil
    import tempfile

    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".interbudget-", dir=out))
    name = "receipts_actual.csv" if actual else "receipts.csv"
    try:
        for f in base.iterdir():
            if f.is_file() and not (f.name.startswith("receipts") and f.suffix in (".csv", ".parquet")):
                shutil.copy2(f, tmp / f.name)
            elif f.is_file() and f.name != name.replace(".csv", f.suffix) and f.name.startswith("receipts"):
                shutil.copy2(f, tmp / f.name)  # the other track's receipts stay
        table = pa.table({"code": receipts["kato"], "year": receipts["year"], "tax": receipts["tax"], "payer": receipts["category"],
                          "amount": pc.divide(pc.cast(receipts["amount_tiyn"], pa.float64()), float(TIYN_PER_THOUSAND_TENGE))})
        pacsv.write_csv(table, tmp / name, write_options=pacsv.WriteOptions(quoting_style="needed"))
        pacsv.write_csv(recon, tmp / "reconciliation.csv")
        written = [name, "reconciliation.csv"]
        if monthly is not None:
            pacsv.write_csv(monthly, tmp / "receipts_monthly.csv")
            written.append("receipts_monthly.csv")
        for f in tmp.iterdir():
            (out / f.name).unlink(missing_ok=True)
            f.replace(out / f.name)
        return {n: out / n for n in written}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
