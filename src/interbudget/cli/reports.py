"""report and import-excel: the Excel workbook and the HTML report."""
from __future__ import annotations

import os
from pathlib import Path

import typer

from ._common import (
    AllowDuplicates,
    AllowUnknownTaxes,
    DatasetArg,
    ScenarioArg,
    app,
    err,
    load as _load,
    out,
    reported as _reported,
)


@app.command()
def report(
    dataset: DatasetArg,
    scenario: ScenarioArg,
    out_dir: Path = typer.Option(..., "--out", help="Folder for report.xlsx and report.html."),
    stress_draws: int = typer.Option(2000, "--stress-draws", min=0, help="Monte Carlo draws for the report (0: none)."),
    lang: str = typer.Option("en", "--lang", help="Language of unit names: kk, ru or en."),
    programme: Path = typer.Option(None, "--programme", help="The reform's programme shown in both reports (default programme/kz)."),
    no_programme: bool = typer.Option(False, "--no-programme", help="Leave the programme status out."),
    published: Path = typer.Option(None, "--published", help="Published transfers (code,year,transfer,amount,source): adds "
                                   "the reconciliation sheet."),
    allow_duplicates: AllowDuplicates = False,
    allow_unknown_taxes: AllowUnknownTaxes = False,
) -> None:
    """An Excel workbook (the law's layout, every budget, the inputs, the programme's status) and a standalone HTML
    report with charts and maps."""
    from rich.progress import Progress

    from ..analysis.metrics import metrics as compute
    from ..analysis.stress import Shocks, stress as run_stress
    from ..reports.excel import write_workbook
    from ..reports.html import write_html

    with _reported(out_dir):
        out_dir.mkdir(parents=True, exist_ok=True)
        with Progress(console=err, transient=True) as progress:
            task = progress.add_task("simulating", total=4)
            res, _ = _load(dataset, scenario, allow_duplicates, allow_unknown_taxes)
            progress.update(task, advance=1, description="metrics")
            m = compute(res, 0, scenario.name).to_dict()
            prog = None if no_programme else _programme(res, programme)
            progress.update(task, advance=1, description=f"stress test, {stress_draws:,} draws")
            st = {"results": [run_stress(res, Shocks(draws=stress_draws)).to_dict()]} if stress_draws else None
            progress.update(task, advance=1, description="writing")
            rec = None
            if published is not None:
                from ..analysis.reconcile import read_published, reconcile

                rec = reconcile(res, read_published(published, res.hierarchy), lang=lang)
            xlsx = write_workbook(res, out_dir / "report.xlsx", lang, prog, rec)
            page = write_html(res, out_dir / "report.html", m, st, dataset / "geo" if (dataset / "geo").is_dir() else None,
                              programme=prog, lang=lang)
            progress.update(task, advance=1)
    out.print(f"report: {xlsx}, {page}", highlight=False, soft_wrap=True)


def _programme(res, folder: Path | None) -> dict:
    """The programme's status today and this run's indicators (links checked against the bundled registry and scenarios)."""
    from datetime import date

    from ..analysis.programme import report_status
    from ..programme.data import load_for
    from ..programme.status import measure_rows
    from ._common import BUNDLED_REGISTRY
    from .programme import BUNDLED_PROGRAMME, BUNDLED_SCENARIOS

    prog = load_for(folder or BUNDLED_PROGRAMME, BUNDLED_REGISTRY, BUNDLED_SCENARIOS)
    today = date.today()
    return report_status(res, measure_rows(prog, today), today.isoformat())


@app.command("import-excel")
def import_excel(
    workbook: Path = typer.Argument(..., help="A workbook with a Receipts sheet (code, year, tax, payer, amount) "
                                              "and/or a Shares sheet (tax, region, district, rural)."),
    out_dir: Path = typer.Option(..., "--out", help="Writes receipts.csv and sharing.yaml here."),
    dataset: Path = typer.Option(None, "--dataset", help="Check codes against this dataset's units.csv and restore codes "
                                                           "typed as numbers as it spells them (without it they are refused)."),
) -> None:
    """Read receipts and sharing norms from Excel, in the layout the workbooks of `report` use."""
    import csv as csvmod

    import yaml

    from ..reports.excel import RECEIPT_COLUMNS, read_workbook

    with _reported(out_dir):
        codes = None
        if dataset is not None:
            from ..dataset import load_dataset

            codes = load_dataset(dataset, allow_duplicates=True).hierarchy.codes.tolist()  # only its codes are used
        receipts, sharing = read_workbook(workbook, codes)
        out_dir.mkdir(parents=True, exist_ok=True)
        if receipts:
            tmp = out_dir / ".receipts.csv.tmp"
            with tmp.open("w", encoding="utf-8", newline="") as fh:
                w = csvmod.writer(fh)
                w.writerow(RECEIPT_COLUMNS)
                w.writerows(receipts)
            os.replace(tmp, out_dir / "receipts.csv")
        if sharing:
            (out_dir / "sharing.yaml").write_text("# sharing norms imported from " + workbook.name + "; use under `sharing:` in a scenario\n"
                                                  + yaml.safe_dump({"sharing": sharing}, sort_keys=False), encoding="utf-8")
    out.print(f"{workbook}: {len(receipts)} receipt rows, {len(sharing)} taxes' shares → {out_dir}", highlight=False)
