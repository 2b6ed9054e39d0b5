"""simulate, validate, explain: run a scenario on a dataset and show its figures."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import InterbudgetError
from ._common import (
    AllowDuplicates,
    AllowUnknownTaxes,
    DatasetArg,
    ScenarioArg,
    app,
    err,
    fail as _fail,
    fmt as _fmt,
    load as _load,
    out,
    warn,
)


@app.command()
def simulate(
    dataset: DatasetArg,
    scenario: ScenarioArg,
    out_dir: Path = typer.Option(..., "--out", help="Folder for budgets.csv, shares.csv and manifest.json."),
    lang: str = typer.Option("en", "--lang", help="Language of unit names: kk, ru or en."),
    own: bool = typer.Option(False, "--own", help="Also show the oblast's own budget (its needs and revenue without the districts)."),
    allow_duplicates: AllowDuplicates = False,
    allow_unknown_taxes: AllowUnknownTaxes = False,
) -> None:
    """Run SCENARIO on DATASET and write budgets.csv, shares.csv and manifest.json."""
    from ..basis import MARK, footnote, rule_filled
    from ..hierarchy import LEVELS
    from ..output import write_results
    from ..review import message as review_message, review
    from ..rules.status import statuses
    from ..summary import region_summary, revision_changes, unfunded_mandates

    try:
        res, files = _load(dataset, scenario, allow_duplicates, allow_unknown_taxes)
        paths = write_results(res, out_dir, files)
    except InterbudgetError as exc:
        _fail(exc)
        return
    for f in review(res):
        err.print(f"[yellow]warning:[/yellow] {escape(review_message(f))}", highlight=False, soft_wrap=True)
    year = res.years[0]
    marks = rule_filled(dataset)
    t = Table(title=f"{escape(res.scenario.name)}: regions in {year}, the territory (the oblast and every budget below it) "
                    "beside the region's transfer, million tenge (files: thousand tenge, full precision)")
    cols = [("code", "left"), ("region", "left"), ("territory needs", "right"), ("territory revenue", "right")]
    cols += [("oblast's own needs", "right"), ("oblast's own revenue", "right")] if own else []
    cols += [("subvention", "right"), ("withdrawal", "right"), ("subvention / territory needs", "right"),
             ("net transfer, tenge per person", "right")]
    for c, j in cols:
        t.add_column(c, justify="left" if j == "left" else "right")
    rows = region_summary(res, lang)
    for r in rows:
        mark = f" {MARK}" if (r["code"], year) in marks else ""
        cells = [escape(r["code"]) + mark, escape(r["name"]), _fmt(r["territory_needs"] / 1e3, 0), _fmt(r["territory_revenue"] / 1e3, 0)]
        cells += [_fmt(r["needs"] / 1e3, 0), _fmt(r["revenue"] / 1e3, 0)] if own else []
        cells += [_fmt(r["subvention"] / 1e3, 0), _fmt(r["withdrawal"] / 1e3, 0),
                  "—" if r["covered_by_transfer"] != r["covered_by_transfer"] else f"{r['covered_by_transfer']:.1%}",
                  _fmt(r["net_transfer_per_capita"], 0)]
        t.add_row(*cells)
    out.print(t)
    if note := footnote(marks, [(r["code"], year) for r in rows]):
        out.print(note, highlight=False, soft_wrap=True)
    if res.scenario.option == 3:  # METHOD.md: report any withdrawal that remains under option 3
        h, tr = res.hierarchy, res.transfers
        donor = statuses(tr.subvention, tr.withdrawal) == "donor"  # the one status rule (rules/status.py)
        left = [(LEVELS[lvl], int(donor[h.b_level == lvl].any(axis=1).sum()), float(tr.withdrawal[h.b_level == lvl].sum()))
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
            t.add_row(escape(r["code"]), escape(r["name"]), str(r["year"]),
                      _fmt(r["plan"] / 1e3, 0), _fmt(r["revised"] / 1e3, 0), _fmt(r["change"] / 1e3, 0))
        out.print(t)
    _print_shortfalls(res, lang)
    out.print(f"results: {paths['budgets']}, {paths['shares']}, {paths['manifest']}", highlight=False, soft_wrap=True)


def _print_shortfalls(res, lang: str) -> None:
    """Cuts, borrowing and gaps per region when revenue falls short (sequestration.csv, borrowing.csv)."""
    from ..summary_debt import refinancing_summary, shortfall_by_region

    rows = shortfall_by_region(res, lang)
    if rows:
        t = Table(title="when revenue falls short: cuts, borrowing and unfinanced gaps per region (all its budgets), million tenge")
        for c in ("track", "code", "region", "years", "shortfall", "cut", "borrowed", "unfinanced"):
            t.add_column(c, justify="left" if c in ("track", "code", "region", "years") else "right")
        for r in rows:
            t.add_row(r["track"], escape(r["code"]), escape(r["name"]), f"{min(r['years'])}–{max(r['years'])}", _fmt(r["shortfall"] / 1e3, 1),
                      _fmt(r["cut"] / 1e3, 1), _fmt(r["borrowed"] / 1e3, 1), _fmt(r["unfinanced"] / 1e3, 1))
        out.print(t)
        out.print("see sequestration.csv (cuts by priority and kind), deficits.csv, borrowing.csv and debt_limits.csv", highlight=False)
    rf = refinancing_summary(res)
    if rf:
        out.print(f"borrowing only from the republic (§3.3.3): {rf['budgets']} budget(s) refinanced; the republic takes on "
                  f"{_fmt(rf['exposure'] / 1e3, 1)} million tenge of their debt from {rf['first_year']}; they save "
                  f"{_fmt(rf['saving'] / 1e3, 1)} million tenge of debt service over the medium term (refinancing.csv)", highlight=False)
    dr = res.debt
    if dr is not None and dr.breaches:
        n = len({(b[0], b[1]) for b in dr.breaches})
        out.print(f"legal debt limits exceeded: {n} budget-track pair(s), {len(dr.breaches)} breach(es) (debt_limits.csv)", highlight=False)


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
    if problems or ds is None:
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
