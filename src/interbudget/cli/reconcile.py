"""reconcile: a scenario's transfers against published figures (the law, or execution)."""
from __future__ import annotations

import math
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from ._common import DatasetArg, ScenarioArg, app, fmt, load, out, reported


def corr_text(c: float) -> str:
    return "n/a" if math.isnan(c) else f"{c:.3f}"


@app.command()
def reconcile(
    dataset: DatasetArg,
    scenario: ScenarioArg,
    published: Path = typer.Option(..., "--published", help="code,year,transfer,amount,source (transfer: subvention, withdrawal)."),
    out_dir: Path = typer.Option(..., "--out", help="Write reconcile.csv here."),
    top: int = typer.Option(5, "--top", help="Largest differences to print per year."),
) -> None:
    """Modelled subventions and withdrawals beside published ones, per region and year: mean absolute difference,
    correlation, same status (subvention / donor / neither) and the largest differences."""
    from ..analysis.reconcile import read_published, reconcile as compute, write_reconcile

    with reported(out_dir):
        res, _ = load(dataset, scenario)
        pub = read_published(published, res.hierarchy)
        rec = compute(res, pub, top=top)
        path = write_reconcile(rec, out_dir)
    for s in rec.years:
        out.print(f"[bold]{s.year}[/bold]: {s.compared} {s.what} compared, mean absolute difference {fmt(s.mean_abs_difference / 1e3, 0)} "
                  f"million tenge, correlation {corr_text(s.correlation)}, same status {s.same_status} of {s.compared}; "
                  f"net transfers modelled {fmt(s.modelled_total / 1e3, 0)}, published {fmt(s.published_total / 1e3, 0)} "
                  "million tenge (subvention - withdrawal)", highlight=False)
        t = Table(title=f"{s.year}: largest differences (net transfer, million tenge)")
        for c in ("code", "region", "modelled", "published", "difference"):
            t.add_column(c, justify="left" if c in ("code", "region") else "right")
        for r in s.largest:
            t.add_row(r["code"], escape(r["name"]), fmt(r["modelled"] / 1e3, 0), fmt(r["published"] / 1e3, 0),
                      fmt(r["difference"] / 1e3, 0))
        out.print(t)
        if s.missing_in_published:
            out.print(f"{s.year}: not in {published.name} (modelled only): {', '.join(s.missing_in_published)}", highlight=False)
    if rec.missing_in_model:
        out.print(f"years of {published.name} outside the scenario's years (published only): "
                  f"{', '.join(map(str, rec.missing_in_model))}", highlight=False)
    out.print(f"wrote {path} ({len(rec.rows)} rows)", highlight=False)
