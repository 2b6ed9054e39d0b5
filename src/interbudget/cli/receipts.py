"""receipts generate | aggregate: taxpayer-level payments into receipts."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ..errors import InterbudgetError
from ._common import BUNDLED_KZ, AllowDuplicates, app, dataset_of, err, out, reported as _reported

receipts_app = typer.Typer(no_args_is_help=True, help="Taxpayer-level payments: generate them, aggregate them into receipts.")
app.add_typer(receipts_app, name="receipts")



def _base_dataset(given: Path | None, out_dir: Path | None = None) -> Path:
    """The dataset payments belong to: the one given, else the output folder if it is a dataset, else the bundled data/kz."""
    for candidate in (given, out_dir if out_dir is not None and (out_dir / "units.csv").is_file() else None, BUNDLED_KZ):
        if candidate is not None and (candidate.is_dir() or candidate is given):
            return candidate
    raise InterbudgetError("give the dataset the payments belong to (--dataset)")


@receipts_app.command("generate")
def receipts_generate(
    dataset: Path = typer.Argument(None, help="The dataset to calibrate to (default: the bundled data/kz)."),
    out_dir: Path = typer.Option(..., "--out", help="Folder for payments/part-*.parquet and taxpayers.parquet."),
    rows: int = typer.Option(1_000_000, "--rows", min=1, help="Number of payments."),
    seed: int = typer.Option(1, "--seed"),
    chunk: int = typer.Option(2_000_000, "--chunk", min=1, help="Payments per Parquet part."),
    allow_duplicates: AllowDuplicates = False,
) -> None:
    """Synthetic payments calibrated to a dataset's receipts: heavy-tailed taxpayers, seasonality, refunds."""
    from rich.progress import Progress

    from ..scale.payments import generate

    with _reported(out_dir):
        ds = dataset_of(_base_dataset(dataset), allow_duplicates)
        with Progress(console=err, transient=True) as progress:
            task = progress.add_task("payments", total=rows)
            info = generate(ds, out_dir, rows, seed, chunk=chunk, progress=lambda n: progress.advance(task, n))
    out.print(f"{out_dir}: {info['rows']:,} payments in {info['parts']} parts, {info['taxpayers']:,} taxpayers, "
              f"years {', '.join(map(str, info['years']))}", highlight=False)


@receipts_app.command("aggregate")
def receipts_aggregate(
    payments: Path = typer.Argument(..., help="A Parquet file or a folder of Parquet parts of payments."),
    base: Path = typer.Option(None, "--dataset", help="The dataset whose units, taxes and payer categories the payments use "
                                                        "(default: --out if it is a dataset, else the bundled data/kz)."),
    out_dir: Path = typer.Option(..., "--out", help="The dataset to write (base's files with receipts from the payments)."),
    backend: str = typer.Option("duckdb", "--backend", help="duckdb (in-process) or spark."),
    master: str = typer.Option("local[2]", "--master", help="Spark master URL (local mode by default)."),
    actual: bool = typer.Option(False, "--actual", help="Write receipts_actual.csv instead of receipts.csv."),
    monthly: bool = typer.Option(False, "--monthly", help="Also write receipts_monthly.csv."),
    years: list[int] = typer.Option(None, "--year", help="Years to keep (default: the base dataset's receipt years)."),
    allow_duplicates: AllowDuplicates = False,
) -> None:
    """Payments -> receipts per booking unit, year, tax and payer category, with a reconciliation table."""
    from ..scale.aggregate import aggregate, months_to_years, write_dataset

    with _reported(out_dir):
        if backend not in ("duckdb", "spark"):
            raise InterbudgetError(f"unknown backend '{backend}': choose duckdb or spark")
        if not payments.exists():
            raise InterbudgetError(f"{payments}: no such file or folder of payments")
        base = _base_dataset(base, out_dir)
        ds = dataset_of(base, allow_duplicates)
        ys = sorted(years) if years else sorted(ds.receipts.years())
        taxes = sorted(set(ds.taxes) | set(ds.oil_elasticity))
        # one pass over the payments: by month when the monthly receipts are asked for, the years summed from them
        month, recon = aggregate(payments, ds.hierarchy.codes.tolist(), taxes, ds.payer_names, ys, backend, master, monthly=monthly)
        receipts = months_to_years(month) if monthly else month
        t = Table(title=f"reconciliation ({backend}): payments in = aggregated + rejected")
        for c in ("reason", "payments", "amount, tenge", "refunds", "refunds, tenge"):
            t.add_column(c, justify="left" if c == "reason" else "right")
        rows = recon.to_pylist()
        for r in rows + [{"reason": "total in", **{k: sum(x[k] for x in rows) for k in ("payments", "amount_tiyn", "refunds", "refunds_tiyn")}}]:
            t.add_row(r["reason"], f"{r['payments']:,}", f"{r['amount_tiyn'] / 100:,.2f}", f"{r['refunds']:,}", f"{r['refunds_tiyn'] / 100:,.2f}")
        out.print(t)
        if len(receipts) == 0:  # an empty receipts file would be a dataset without receipts: nothing is written
            raise InterbudgetError(f"{payments}: no payment was aggregated (see the reconciliation above); nothing written to {out_dir}")
        paths = write_dataset(receipts, recon, base, out_dir, actual, month if monthly else None)
    out.print(f"{len(receipts):,} receipt rows: {', '.join(str(p) for p in paths.values())}", highlight=False, soft_wrap=True)
