"""Payments -> receipts, written once in Ibis: DuckDB in-process by default, PySpark for a cluster.

Every payment is either aggregated or rejected with a reason — a duplicate payment id (the first by date,
amount, territory and tax is kept), an unknown KATO code, tax or payer category, a date outside the years —
and the reconciliation says rows and amounts in = aggregated + rejected, to the tiyn. Refunds (negative
amounts) are kept and counted.
"""
from __future__ import annotations

from pathlib import Path

import ibis
import numpy as np
import pyarrow as pa

from ..errors import InterbudgetError

TIYN_PER_THOUSAND_TENGE = 100_000
DUCKDB_MEMORY = "5GB"
#: the payments' columns (docs/METHOD.md "Payments") and the kinds of type each may have
COLUMNS = {"payment_id": "integer", "taxpayer_id": "integer", "category": "text", "tax": "text", "kato": "text",
           "date": "date", "amount_tiyn": "integer"}
_KINDS = {"integer": pa.types.is_integer, "date": lambda t: pa.types.is_date(t) or pa.types.is_timestamp(t),
          "text": lambda t: pa.types.is_string(t) or pa.types.is_large_string(t)
          or (pa.types.is_dictionary(t) and pa.types.is_string(t.value_type))}


def payment_files(path: Path) -> Path:
    """The Parquet payments at PATH: one file, a folder of parts, or the folder `receipts generate` wrote
    (its payments/ inside); each file's columns are checked first, so a wrong file gets one line, not a crash."""
    import pyarrow.parquet as pq

    path = Path(path)
    if path.is_dir() and (path / "payments").is_dir():  # generate's folder: payments/ beside taxpayers.parquet
        path = path / "payments"
    files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    if not files:
        raise InterbudgetError(f"{path}: no Parquet files of payments (*.parquet) in this folder")
    need = ", ".join(f"{c} ({k})" for c, k in COLUMNS.items())
    for f in files:
        if f.suffix.lower() != ".parquet":
            raise InterbudgetError(f"{f}: payments must be Parquet (a .parquet file or a folder of them) with the columns {need}")
        try:
            schema = pq.read_schema(f)
        except (pa.ArrowException, OSError) as exc:
            raise InterbudgetError(f"{f}: not a readable Parquet file ({exc})") from None
        missing = [c for c in COLUMNS if c not in schema.names]
        wrong = [f"{c} is {schema.field(c).type}, not {k}" for c, k in COLUMNS.items()
                 if c in schema.names and not _KINDS[k](schema.field(c).type)]
        if missing or wrong:
            what = (f"missing column(s) {', '.join(missing)}" if missing else "") + ("; " if missing and wrong else "") + "; ".join(wrong)
            raise InterbudgetError(f"{f}: {what}; payments need the columns {need}")
    return path


def connect(backend: str = "duckdb", master: str = "local[2]"):
    if backend == "duckdb":
        # a bounded memory: DuckDB spills its hash tables (one entry per payment id) to disk beyond it
        return ibis.duckdb.connect(memory_limit=DUCKDB_MEMORY, preserve_insertion_order=False), None
    if backend == "spark":
        from pyspark.sql import SparkSession

        spark = (SparkSession.builder.master(master).appName("interbudget").config("spark.ui.enabled", "false")
                 .config("spark.sql.session.timeZone", "UTC").getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        return ibis.pyspark.connect(spark), spark
    raise ValueError(f"unknown backend '{backend}': choose duckdb or spark")


def pipeline(payments, monthly: bool = False):
    """The Ibis expressions, as plain scans and hash aggregations a backend runs without a sort of whole rows:
    every payment summed by the receipts' keys (territory, year[, month], tax, payer category: the keys decide
    every check that needs no other row, so the checks run on the groups afterwards, not on each payment), and
    the payment ids that occur more than once. A window over every row would sort millions of whole rows."""
    p = payments
    p = p.mutate(year=p.date.year(), month=p.date.month(), refund=ibis.ifelse(p.amount_tiyn < 0, p.amount_tiyn, 0))
    keys = ["kato", "year"] + (["month"] if monthly else []) + ["tax", "category"]
    counts = p.group_by("payment_id").aggregate(n=p.count())
    return p, _sums(p, keys), counts.filter(counts.n > 1).select("payment_id"), keys


def _sums(t, by):
    return t.group_by(by).aggregate(amount_tiyn=t.amount_tiyn.sum(), payments=t.count(),
                                    refunds=(t.amount_tiyn < 0).sum(), refunds_tiyn=t.refund.sum())


def repeats(p, repeated_ids, keys):
    """Every repeat of a payment id after its first (by date, amount, territory, tax, taxpayer), summed by the
    keys: only the rows of repeated ids are ranked."""
    repeated = p.semi_join(repeated_ids, "payment_id")
    rank = ibis.row_number().over(ibis.window(group_by=repeated.payment_id,
                                              order_by=[repeated.date, repeated.amount_tiyn, repeated.kato, repeated.tax,
                                                        repeated.taxpayer_id]))
    extra = repeated.mutate(rank=rank)
    return _sums(extra.filter(extra["rank"] > 0), keys)  # rank 0 is the first: it stays where it belongs


METRICS = ("amount_tiyn", "payments", "refunds", "refunds_tiyn")
#: the checks in the order they are applied: a payment gets the first reason it fails
REASONS = ("unknown KATO code", "unknown tax", "unknown payer category", "date outside the years")


def _metrics(t: pa.Table) -> pa.Table:
    """The keys as they are, the metrics as int64 with 0 for a sum over nothing but nulls."""
    import pyarrow.compute as pc

    return pa.table({**{c: t[c] for c in t.column_names if c not in METRICS},
                     **{m: pc.fill_null(pc.cast(t[m], pa.int64()), 0) for m in METRICS}})


def _net(every: pa.Table, extra: pa.Table | None, keys: list[str]) -> pa.Table:
    """every minus the repeats, by the keys (Arrow's group-by keeps null keys as a group of their own)."""
    import pyarrow.compute as pc

    every = _metrics(every)
    if extra is None or extra.num_rows == 0:
        return every
    extra = _metrics(extra)
    neg = extra.select(keys).cast(every.select(keys).schema)
    for m in METRICS:
        neg = neg.append_column(m, pc.negate(extra[m]))
    net = pa.concat_tables([every, neg]).group_by(keys, use_threads=False).aggregate([(m, "sum") for m in METRICS])
    return net.select(keys + [f"{m}_sum" for m in METRICS]).rename_columns(keys + list(METRICS))


def _reasons(net: pa.Table, codes, taxes, categories, years) -> np.ndarray:
    """Per group, the index of the first check it fails in REASONS, or len(REASONS) when it is aggregated."""
    import pyarrow.compute as pc

    failed = [~pc.fill_null(pc.is_in(net[c], value_set=pa.array(v, type=net[c].type)), False).to_numpy(zero_copy_only=False)
              for c, v in (("kato", codes), ("tax", taxes), ("category", categories), ("year", years))]
    return np.select(failed, range(len(REASONS)), len(REASONS)) if net.num_rows else np.zeros(0, np.int64)


def aggregate(payments_path: Path, codes: list[str], taxes: list[str], categories: list[str], years: list[int],
              backend: str = "duckdb", master: str = "local[2]", monthly: bool = False) -> tuple[pa.Table, pa.Table]:
    """Receipts (by territory, year[, month], tax and payer category) and the reconciliation by reason."""
    import pyarrow.compute as pc

    con, spark = connect(backend, master)
    try:
        path = payment_files(payments_path)
        # a folder of parts (DuckDB by a glob, Spark by the folder) or one file
        source = str(path / "*.parquet") if path.is_dir() and backend == "duckdb" else str(path)
        p, every, repeated_ids, keys = pipeline(con.read_parquet(source), monthly)
        repeated_ids = repeated_ids.cache()  # one pass over the ids; the repeats' rows only if there are any
        try:
            any_repeat = repeated_ids.count().to_pyarrow().as_py() > 0
            extra = repeats(p, repeated_ids, keys).to_pyarrow() if any_repeat else None
        finally:
            repeated_ids.release()
        every = every.to_pyarrow()
    finally:
        if spark is not None:
            spark.stop()
    net = _net(every, extra, keys)
    reason = _reasons(net, codes, taxes, categories, years)
    payments = net["payments"].to_numpy()
    ok = (reason == len(REASONS)) & (payments > 0)
    receipts = net.filter(pa.array(ok)).sort_by([(k, "ascending") for k in keys])
    by_reason = {name: [int(net[m].to_numpy()[reason == i].sum()) for m in METRICS]
                 for i, name in enumerate(REASONS + ("aggregated",))}
    if extra is not None and extra.num_rows:
        extra = _metrics(extra)
        by_reason["duplicate payment id"] = [int(pc.sum(extra[m]).as_py() or 0) for m in METRICS]
    reasons = sorted((k, v) for k, v in by_reason.items() if v[1] > 0)
    recon = pa.table({"reason": pa.array([r for r, _ in reasons], pa.string()),
                      **{m: pa.array([v[i] for _, v in reasons], pa.int64()) for i, m in enumerate(METRICS)}})
    return receipts.select(keys + list(METRICS)), recon


def months_to_years(monthly: pa.Table) -> pa.Table:
    """The yearly receipts from the monthly ones (the same groups summed over the months): one pass over the
    payments gives both."""
    keys = [c for c in monthly.column_names if c not in METRICS and c != "month"]
    years = monthly.group_by(keys, use_threads=False).aggregate([(m, "sum") for m in METRICS])
    years = years.select(keys + [f"{m}_sum" for m in METRICS]).rename_columns(keys + list(METRICS))
    return years.sort_by([(k, "ascending") for k in keys])


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
