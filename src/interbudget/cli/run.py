"""simulate, validate, explain: run a scenario on a dataset and show its figures."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import InterbudgetError
from ._common import (AllowDuplicates, AllowUnknownTaxes, DatasetArg, ScenarioArg, app, err,
                      fail as _fail, fmt as _fmt, load as _load, out, warn)

@app.command()
def simulate(
    dataset: DatasetArg,
    scenario: ScenarioArg,
    out_dir: Path = typer.Option(..., "--out", help="Folder for budgets.csv, shares.csv and manifest.json."),
    lang: str = typer.Option("en", "--lang", help="Language of unit names: kk, ru or en."),
    allow_duplicates: AllowDuplicates = False,
    allow_unknown_taxes: AllowUnknownTaxes = False,
) -> None:
    """Run SCENARIO on DATASET and write budgets.csv, shares.csv and manifest.json."""
    from ..output import write_results
    from ..hierarchy import LEVELS
    from ..summary import region_summary, revision_changes, unfunded_mandates

    try:
        res, files = _load(dataset, scenario, allow_duplicates, allow_unknown_taxes)
        paths = write_results(res, out_dir, files)
    except InterbudgetError as exc:
        _fail(exc)
        return
    year = res.years[0]
    t = Table(title=f"{escape(res.scenario.name)}: region budgets in {year}, million tenge (files: thousand tenge, full precision)")
    for c, j in (("code", "left"), ("region", "left"), ("needs", "right"), ("revenue", "right"),
                 ("subvention", "right"), ("withdrawal", "right"), ("net transfer, tenge per person", "right")):
        t.add_column(c, justify=j)
    for r in region_summary(res, lang):
        t.add_row(escape(r["code"]), escape(r["name"]), _fmt(r["needs"] / 1e3, 0), _fmt(r["revenue"] / 1e3, 0), _fmt(r["subvention"] / 1e3, 0),
                  _fmt(r["withdrawal"] / 1e3, 0), _fmt(r["net_transfer_per_capita"], 0))
    out.print(t)
    if res.scenario.option == 3:  # METHOD.md: report any withdrawal that remains under option 3
        h, tr = res.hierarchy, res.transfers
        left = [(LEVELS[lvl], int((tr.withdrawal[h.b_level == lvl] > 0).any(axis=1).sum()), float(tr.withdrawal[h.b_level == lvl].sum()))
                for lvl in (1, 2, 3)]
        left = [x for x in left if x[1]]
        out.print("option 3, withdrawals that remain: " + ("; ".join(f"{n} {lv} budget(s), {_fmt(w / 1e3, 0)} million tenge over "
                                                                      f"{len(res.years)} year(s)" for lv, n, w in left) if left else "none"),
                  highlight=False)
    unfunded = unfunded_mandates(res)
    if unfunded:
        t = Table(title="unfunded mandates (§3.3.1): a higher level's decision left to budgets without the money")
        for c in ("mandate", "decided by", "budgets", "unfunded, million tenge"):
            t.add_column(c, justify="left" if c in ("mandate", "decided by") else "right")
        for m in unfunded:
            t.add_row(escape(m["mandate"]), m["decided_by"], str(m["budgets"]), _fmt(m["unfunded"] / 1e3, 1))
        out.print(t)
        out.print("see mandates.csv for every budget and year; `compensate: true` adds the cost to the transfers", highlight=False)
    moved = revision_changes(res, lang)
    if moved:
        t = Table(title=f"revision from {res.scenario.revision.from_year}: what moved, net transfer S − W, million tenge")
        for c in ("code", "budget", "year", "plan", "revised", "change"):
            t.add_column(c, justify="left" if c in ("code", "budget") else "right")
        for r in moved:
            t.add_row(escape(r["code"]), escape(r["name"]), str(r["year"]), _fmt(r["plan"] / 1e3, 0), _fmt(r["revised"] / 1e3, 0), _fmt(r["change"] / 1e3, 0))
        out.print(t)
    out.print(f"results: {paths['budgets']}, {paths['shares']}, {paths['manifest']}", highlight=False, soft_wrap=True)


@app.command()
def validate(dataset: DatasetArg,
             scenario: Path = typer.Option(None, "--scenario", help="Also check a scenario against the dataset."),
             allow_duplicates: AllowDuplicates = False, allow_unknown_taxes: AllowUnknownTaxes = False) -> None:
    """Check a dataset (and optionally a scenario) and report every problem found."""
    from ..dataset import load_dataset
    from ..engine import check_compatible
    from ..scenario import load_scenario

    problems = []
    ds = None
    try:
        ds = load_dataset(dataset, allow_duplicates=allow_duplicates)
        warn(ds.warnings)
    except InterbudgetError as exc:
        problems += exc.problems
    if scenario is not None:
        try:
            s, _ = load_scenario(scenario)
            if ds is not None:
                warn(check_compatible(ds, s, scenario.name, allow_unknown_taxes))
        except InterbudgetError as exc:
            problems += exc.problems
    if problems:
        err.print(f"[red]{len(problems)} problem(s) found[/red]")
        _fail(InterbudgetError(problems))
    h = ds.hierarchy
    out.print(f"{dataset}: OK — {h.n} units, {h.nb} budgets, {ds.receipts.amount.size} receipt rows, "
              f"{len(ds.taxes)} taxes, years {', '.join(map(str, sorted(ds.receipts.years())))}", highlight=False)


@app.command()
def explain(
    dataset: DatasetArg,
    scenario: ScenarioArg,
    code: str = typer.Option(..., "--code", help="Code of the budget to explain (as in units.csv)."),
    year: int = typer.Option(..., "--year", help="A year of the scenario."),
    lang: str = typer.Option("en", "--lang", help="kk, ru or en."),
    track: str = typer.Option("plan", "--track", help="plan, actual or revised."),
    as_json: bool = typer.Option(False, "--json", help="Print the breakdown as JSON."),
    allow_duplicates: AllowDuplicates = False,
    allow_unknown_taxes: AllowUnknownTaxes = False,
) -> None:
    """Show how one budget's figures for one year arise."""
    from ..explain import explain as build, render

    try:
        res, _ = _load(dataset, scenario, allow_duplicates, allow_unknown_taxes)
        ex = build(res, code, year, track=track, lang=lang)
    except InterbudgetError as exc:
        _fail(exc)
        return
    if as_json:
        sys.stdout.write(json.dumps(ex, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(render(ex, lang) + "\n")
