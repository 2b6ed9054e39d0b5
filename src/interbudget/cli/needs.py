"""needs estimate: normative needs fitted on the regions' executed spending (§3.1, §3.3.3)."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from ._common import DatasetArg, app, fmt, out, reported

needs_app = typer.Typer(no_args_is_help=True, help="Expenditure needs: normative needs estimated from data.")
app.add_typer(needs_app, name="needs")

TERM_HELP = ("A cost factor (repeat): urban_share, log_density or per_person:DRIVER. Default: urban_share where urban or "
             "rural population is given, log_density where every region has an area; --term none fits the norm alone.")


def parse_index(items: list[str]) -> dict[int, float]:
    """--index 2026=1.21 ... as {2026: 1.21}; a malformed item is an error naming it."""
    from ..errors import InterbudgetError

    out = {}
    for it in items:
        year, _, factor = it.partition("=")
        try:
            out[int(year)] = float(factor)
        except ValueError:
            raise InterbudgetError(f"--index '{it}': expected YEAR=FACTOR, e.g. 2026=1.21") from None
        if not out[int(year)] > 0:
            raise InterbudgetError(f"--index '{it}': the factor must be positive")
    return out


@needs_app.command("estimate")
def estimate(
    dataset: DatasetArg,
    year: int = typer.Option(..., "--year", help="The year of executed spending (needs.csv) to fit on."),
    out_dir: Path = typer.Option(..., "--out", help="Write norms.csv, coefficients.csv, fit.csv, quality.csv, explained.csv "
                                 "and needs_normative.csv here."),
    term: list[str] = typer.Option(None, "--term", help=TERM_HELP),
    function: list[str] = typer.Option(None, "--function", help="Fit only this function group (repeat)."),
    needs_year: list[int] = typer.Option(None, "--needs-year", help="Years of needs_normative.csv (repeat; default: --year)."),
    split: str = typer.Option("observed", "--split", help="Below the region: observed (as the observed basis) or region."),
    apply_to: Path = typer.Option(None, "--apply-to", help="Write needs_normative.csv for this dataset's budgets (same region "
                                  "codes; its population and observed split) instead of DATASET's."),
    index: list[str] = typer.Option(None, "--index", help="YEAR=FACTOR (repeat): growth of the fitted year's norms to YEAR."),
) -> None:
    """Fit, per function group, a norm per person and regional cost coefficients on the regions' executed spending;
    report the fit, the leave-one-region-out error and what share of each region's spending the model explains."""
    from ..analysis.normative import estimate_needs, explained_rows, quality_rows
    from ..analysis.normative_needs import normative_needs, write_estimate
    from ..dataset import load_dataset

    terms = None if not term else [] if term == ["none"] else list(term)
    with reported(out_dir):
        ds = load_dataset(dataset)
        est = estimate_needs(ds, year, terms, list(function) if function else None)
        growth = parse_index(index or [])
        target = load_dataset(apply_to) if apply_to is not None else ds
        rows = normative_needs(target, est, list(needs_year) if needs_year else None, growth, split=split)
        write_estimate(est, out_dir, rows)
    t = Table(title=f"normative needs fitted on {year}: {est.n} regions, need per person = norm x cost coefficient "
                    f"({', '.join(est.terms) or 'no cost factor'}); amounts in million tenge")
    for c in ("function", "norm / person", "R²", "error", "LOO error", "observed", "modelled"):
        t.add_column(c, justify="left" if c == "function" else "right")
    for q in quality_rows(est):
        t.add_row(escape(q["function"]), fmt(q["norm_per_person"], 3), fmt(q["r2"], 2), f"{q['error_share']:.1%}",
                  f"{q['loo_error_share']:.1%}", fmt(q["observed"] / 1e3, 0), fmt(q["modelled"] / 1e3, 0))
    out.print(t)
    t = Table(title="share of each region's spending the model explains, function by function (in sample / leave-one-out)")
    for c in ("code", "region", "observed", "modelled", "explained", "explained LOO"):
        t.add_column(c, justify="left" if c in ("code", "region") else "right")
    for r in explained_rows(est):
        t.add_row(r["code"], escape(r["name"]), fmt(r["observed"] / 1e3, 0), fmt(r["modelled"] / 1e3, 0),
                  f"{r['explained']:.1%}", f"{r['explained_loo']:.1%}")
    out.print(t)
    for _f, why in est.refused:
        out.print(f"refused, left out of the fit: {why}", highlight=False)
    if est.excluded:
        out.print(f"not observed in {year} (no needs.csv rows), left out of the fit: {', '.join(est.excluded)}", highlight=False)
    out.print(f"wrote {out_dir}: norms.csv, coefficients.csv, fit.csv, quality.csv, explained.csv, needs_normative.csv "
              f"({len(rows)} rows{f' for {apply_to}' if apply_to is not None else ''})", highlight=False)
