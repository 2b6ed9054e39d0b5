"""scorecard: the concept's pros and cons of the four options (§3.3.2), measured side by side."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from ._common import DatasetArg, app, err, out, reported


@app.command()
def scorecard(
    dataset: DatasetArg,
    scenarios: list[Path] = typer.Argument(..., help="Scenario YAML files (e.g. the four options) to score side by side."),
    out_dir: Path = typer.Option(..., "--out", help="Folder for scorecard.csv, scorecard.xlsx and scorecard.html."),
    draws: int = typer.Option(10_000, "--draws", min=1, help="Monte Carlo draws of the oil shock (the stress test's)."),
    seed: int = typer.Option(1, "--seed"),
    oil_sd: float = typer.Option(0.25, "--oil-sd", min=0, help="Standard deviation of the log oil price (the stress test's)."),
    retention: bool = typer.Option(True, "--retention/--no-retention", help="Measure retention (re-runs every scenario per region)."),
    lang: str = typer.Option("en", "--lang", help="Language of the HTML and the table: kk, ru or en."),
) -> None:
    """One row per scenario and indicator in scorecard.csv, the same in scorecard.xlsx, charts in scorecard.html."""
    from ..analysis.scorecard import scorecard as build, side_by_side
    from ..analysis.stress import Shocks
    from ..dataset import load_dataset
    from ..engine import run
    from ..i18n import catalog
    from ..reports.scorecard import _fmt, write_scorecard
    from ..scenario import load_scenario

    shocks = Shocks(draws=draws, seed=seed, oil_sd=oil_sd, common_sd=0.0, region_sd=0.0)
    with reported(out_dir):
        cat = catalog(lang)["scorecard"]
        ds = load_dataset(dataset)
        rows, options, results = [], {}, []
        for p in scenarios:
            with out.status(f"{p.name}: scorecard"):
                res = run(ds, load_scenario(p)[0], p.name)
                rows += build(res, p.name, shocks, with_retention=retention).rows()
                options[res.scenario.name] = res.scenario.option
                results.append(res)
        if len(options) < len(scenarios):
            err.print("[yellow]warning:[/yellow] two scenarios share a name: their columns are merged", highlight=False)
        paths = write_scorecard(rows, out_dir, lang, f"dataset {dataset}", options)
    names, table = side_by_side(rows)
    t = Table(title=escape(cat["title"]) + " — totals (per region in scorecard.csv)")
    for c in (cat["indicator"], cat["level"], cat["year"], *names):
        t.add_column(escape(c), justify="left" if c in (cat["indicator"], cat["level"]) else "right")
    for r in table:
        if r["code"] == "":
            t.add_row(escape(cat["indicators"].get(r["indicator"], r["indicator"])), r["level"], str(r["year"]),
                      *(_fmt(r.get(n), r["unit"]) for n in names))
    out.print(t)
    if any(res.scenario.base_payers_to_republic for res in results):
        out.print(cat["no_district_split"], highlight=False, soft_wrap=True)
    out.print(f"scorecard: {paths['csv']}, {paths['xlsx']}, {paths['html']}", highlight=False, soft_wrap=True)
