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


def pipeline(payments, codes: list[str], taxes: list[str], categories: list[str], years: list[int], monthly: bool = False):
    """The Ibis expressions, in four parts that a backend runs as plain scans and hash aggregations:
    receipts and reconciliation of every payment by the checks that do not need other rows, and the same
    for the repeated payments (only ids that occur more than once are ranked); their difference is the
    result. (A window over every row would sort millions of whole rows.)"""
    p = payments
    p = p.mutate(year=p.date.year(), month=p.date.month(), refund=ibis.ifelse(p.amount_tiyn < 0, p.amount_tiyn, 0))
    p = p.mutate(reason=ibis.cases((~p.kato.isin(codes), "unknown KATO code"),
                                   (~p.tax.isin(taxes), "unknown tax"),
                                   (~p.category.isin(categories), "unknown payer category"),
                                   (~p.year.isin(years), "date outside the years"),
                                   else_="aggregated"))
    counts = p.group_by("payment_id").aggregate(n=p.count())
    repeated = p.semi_join(counts.filter(counts.n > 1).select("payment_id"), "payment_id")
    rank = ibis.row_number().over(ibis.window(group_by=repeated.payment_id,
                                              order_by=[repeated.date, repeated.amount_tiyn, repeated.kato, repeated.tax,
                                                        repeated.taxpayer_id]))
    extra = repeated.mutate(rank=rank)
    extra = extra.filter(extra["rank"] > 0)  # every repeat after the first: rejected as a duplicate
    keys = ["kato", "year"] + (["month"] if monthly else []) + ["tax", "category"]

    def sums(t, by):
        return t.group_by(by).aggregate(amount_tiyn=t.amount_tiyn.sum(), payments=t.count(),
                                        refunds=(t.amount_tiyn < 0).sum(), refunds_tiyn=t.refund.sum())

    # one scan for everything, one for the repeats: grouped by reason and the receipts' keys
    return sums(p, ["reason"] + keys), sums(extra, ["reason"] + keys), keys


METRICS = ("amount_tiyn", "payments", "refunds", "refunds_tiyn")


def _minus(total: pa.Table, part: pa.Table, keys: list[str]) -> dict[tuple, dict]:
    out = {tuple(r[k] for k in keys): {m: int(r[m]) for m in METRICS} for r in total.to_pylist()}
    for r in part.to_pylist():
        row = out[tuple(r[k] for k in keys)]
        for m in METRICS:
            row[m] -= int(r[m])
    return out


def aggregate(payments_path: Path, codes: list[str], taxes: list[str], categories: list[str], years: list[int],
              backend: str = "duckdb", master: str = "local[2]", monthly: bool = False) -> tuple[pa.Table, pa.Table]:
    con, spark = connect(backend, master)
    try:
        path = payment_files(payments_path)
        # a folder of parts (DuckDB by a glob, Spark by the folder) or one file
        source = str(path / "*.parquet") if path.is_dir() and backend == "duckdb" else str(path)
        t = con.read_parquet(source)
        every, repeats, keys = pipeline(t, codes, taxes, categories, years, monthly)
        every, repeats = every.to_pyarrow(), repeats.to_pyarrow()
    finally:
        if spark is not None:
            spark.stop()
    net = _minus(every, repeats, ["reason"] + keys)  # the first of each repeated id stays where it belongs
    rows = sorted((k[1:], v) for k, v in net.items() if k[0] == "aggregated" and v["payments"] > 0)
    table = {k: [key[i] for key, _ in rows] for i, k in enumerate(keys)}
    table.update({m: [v[m] for _, v in rows] for m in METRICS})
    schema = pa.schema([(k, every.schema.field(k).type) for k in keys] + [(m, pa.int64()) for m in METRICS])
    by_reason: dict[str, dict] = {}
    for k, v in net.items():
        acc = by_reason.setdefault(k[0], dict.fromkeys(METRICS, 0))
        for m in METRICS:
            acc[m] += v[m]
    dup = {m: sum(int(r[m]) for r in repeats.to_pylist()) for m in METRICS}
    if dup["payments"]:
        by_reason["duplicate payment id"] = dup
    reasons = sorted((k, v) for k, v in by_reason.items() if v["payments"] > 0)
    recon_table = pa.table({"reason": [r for r, _ in reasons], **{m: pa.array([v[m] for _, v in reasons], pa.int64()) for m in METRICS}})
    return pa.table(table, schema=schema), recon_table


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
