"""Command line: `interbudget simulate | explain | validate` (Typer + rich).

Errors of the project's own type are printed as plain lines naming file,
row and problem, and the command exits with status 2; never a traceback.
"""
from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import __version__
from .errors import InterbudgetError

# arguments every command shares
DatasetArg = Annotated[Path, typer.Argument(help="Dataset folder (units.csv, receipts.csv, ...).")]
ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file.")]

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Inter-budgetary relations workbench.")
out = Console(width=None if sys.stdout.isatty() else 140)
err = Console(stderr=True)


def _fail(exc: InterbudgetError) -> None:
    for p in exc.problems:
        err.print(f"[red]error:[/red] {escape(str(p))}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


@contextmanager
def _reported(where: Path | None = None):
    """Bad input and unwritable folders end the command with one line each and status 2."""
    try:
        yield
    except InterbudgetError as exc:
        _fail(exc)
    except OSError as exc:
        _fail(InterbudgetError(f"{where}: {exc.strerror}" if where else str(exc.strerror)))


def _fmt(x: float, digits: int = 1) -> str:
    return f"{round(x, digits) + 0.0:,.{digits}f}".replace(",", " ")  # + 0.0: no "-0.000"


def _load(dataset: Path, scenario: Path):
    from .dataset import load_dataset
    from .engine import run
    from .scenario import load_scenario

    s, files = load_scenario(scenario)
    ds = load_dataset(dataset)
    return run(ds, s, scenario.name), files


@app.callback(invoke_without_command=True)
def main(version: bool = typer.Option(False, "--version", help="Print the version and exit.")) -> None:
    if version:
        out.print(__version__)
        raise typer.Exit()


@app.command()
def simulate(
    dataset: DatasetArg,
    scenario: ScenarioArg,
    out_dir: Path = typer.Option(..., "--out", help="Folder for budgets.csv, shares.csv and manifest.json."),
    lang: str = typer.Option("en", "--lang", help="Language of unit names: kk, ru or en."),
) -> None:
    """Run SCENARIO on DATASET and write budgets.csv, shares.csv and manifest.json."""
    from .output import write_results
    from .hierarchy import LEVELS
    from .summary import region_summary, revision_changes, unfunded_mandates

    try:
        res, files = _load(dataset, scenario)
        paths = write_results(res, out_dir, files)
    except InterbudgetError as exc:
        _fail(exc)
        return
    for w in res.warnings:
        err.print(f"[yellow]warning:[/yellow] {escape(w)}", highlight=False, soft_wrap=True)
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
             scenario: Path = typer.Option(None, "--scenario", help="Also check a scenario against the dataset.")) -> None:
    """Check a dataset (and optionally a scenario) and report every problem found."""
    from .dataset import load_dataset
    from .engine import check_compatible
    from .scenario import load_scenario

    problems = []
    ds = None
    try:
        ds = load_dataset(dataset)
    except InterbudgetError as exc:
        problems += exc.problems
    if scenario is not None:
        try:
            s, _ = load_scenario(scenario)
            if ds is not None:
                check_compatible(ds, s, scenario.name)
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
) -> None:
    """Show how one budget's figures for one year arise."""
    from .explain import explain as build, render

    try:
        res, _ = _load(dataset, scenario)
        ex = build(res, code, year, track=track, lang=lang)
    except InterbudgetError as exc:
        _fail(exc)
        return
    if as_json:
        sys.stdout.write(json.dumps(ex, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(render(ex, lang) + "\n")


def main() -> None:
    """Entry point: a bug still ends in one readable line (INTERBUDGET_DEBUG=1 shows the traceback)."""
    try:
        app()
    except Exception as exc:  # noqa: BLE001 — the last line of defence, not error handling
        if os.environ.get("INTERBUDGET_DEBUG"):
            raise
        err.print(f"[red]internal error:[/red] {type(exc).__name__}: {escape(str(exc))}. This is a bug in interbudget; please report it "
                  "with the command you ran (INTERBUDGET_DEBUG=1 shows the traceback).", highlight=False)
        sys.exit(3)


@app.command()
def metrics(
    dataset: DatasetArg,
    scenario: ScenarioArg,
    year: int = typer.Option(None, "--year", help="A year of the scenario (default: the first)."),
    out_dir: Path = typer.Option(None, "--out", help="Write metrics.json here."),
) -> None:
    """Equalization, counts, dependence, stability, incentive and oil exposure of a run (§3.3.2)."""
    from .analysis.metrics import metrics as compute

    try:
        res, _ = _load(dataset, scenario)
        k = 0 if year is None else _year_pos(res, year)
        m = compute(res, k, scenario.name)
        if out_dir is not None:
            _write_json(out_dir, "metrics.json", m)
    except InterbudgetError as exc:
        _fail(exc)
        return
    t = Table(title=f"{escape(res.scenario.name)}, {m['year']}: needs-adjusted fiscal capacity (own revenue / need), population-weighted")
    for c in ("units", "when", "mean", "Gini", "CV", "Theil", "max/min"):
        t.add_column(c, justify="left" if c in ("units", "when") else "right")
    for units in ("regions", "budgets"):
        for when in ("before", "after"):
            st = m[units][when]
            t.add_row(units, f"{when} transfers", *(_fmt(st[x], 3) for x in ("mean", "gini", "cv", "theil", "max_min")))
    out.print(t)
    t = Table(title="budgets by level: subvention and withdrawal budgets, dependence on transfers")
    for c in ("level", "budgets", "subvention", "share", "withdrawal", "share ", "transfers / spending", "in deficit"):
        t.add_column(c, justify="left" if c == "level" else "right")
    for r in m["levels"]:
        t.add_row(r["level"], str(r["budgets"]), str(r["subvention_budgets"]), f"{r['subvention_share']:.0%}", str(r["withdrawal_budgets"]),
                  f"{r['withdrawal_share']:.0%}", f"{r['dependence']:.1%}", str(r["deficit_budgets"]))
    out.print(t)
    if m["retention"]:
        t = Table(title=f"incentive: of 1 extra tenge collected in a region, what its budgets keep in {m['year']}")
        for c in ("code", "region", "this year (amounts fixed)", "after a reset of the medium term"):
            t.add_column(c, justify="left" if c in ("code", "region") else "right")
        for r in m["retention"]:
            t.add_row(r["code"], escape(r["name"]), _fmt(r["this_year"][k], 3), _fmt(r["after_reset"][k], 3))
        out.print(t)
    if m["oil_exposure"]:
        o = m["oil_exposure"]
        out.print(f"oil price −{o['oil_price_fall']:.0%}: republican revenue {_fmt(o['republic'][k] / 1e3, 0)} million tenge "
                  f"({o['republic_share_of_revenue'][k]:+.1%}), local budgets {_fmt(o['local'][k] / 1e3, 0)} million tenge", highlight=False)


@app.command()
def compare(
    dataset: DatasetArg,
    base: Path = typer.Argument(..., help="Current law (scenario YAML)."),
    draft: Path = typer.Argument(..., help="The draft (scenario YAML)."),
    amendments: list[Path] = typer.Argument(None, help="Amendments to the draft (scenario YAML files)."),
    year: int = typer.Option(None, "--year", help="A year every scenario has (default: the base's first)."),
    out_dir: Path = typer.Option(None, "--out", help="Write compare.json and the region and budget tables here."),
) -> None:
    """Current law vs draft vs amendments: transfers, balances, winners and losers, status changes, population bands."""
    from .analysis.compare import compare as build
    from .dataset import load_dataset
    from .engine import run
    from .scenario import load_scenario

    try:
        ds = load_dataset(dataset)
        results = [run(ds, load_scenario(p)[0], p.name) for p in [base, draft, *(amendments or [])]]
        c = build(results, results[0].years[0] if year is None else year)
        if out_dir is not None:
            _write_json(out_dir, "compare.json", c)
    except InterbudgetError as exc:
        _fail(exc)
        return
    names = c["scenarios"]
    t = Table(title=f"regions {c['year']}: net transfer from the republic (subvention − withdrawal), million tenge")
    for col in ["code", "region", *names, *(f"Δ {n}" for n in names[1:]), *(f"Δ per person, tenge: {n}" for n in names[1:])]:
        t.add_column(col, justify="left" if col in ("code", "region") else "right")
    for r in c["regions"]:
        t.add_row(r["code"], escape(r["name"]), *(_fmt(r[f"net_transfer[{n}]"] / 1e3, 0) for n in names),
                  *(_fmt(r[f"change[{n}]"] / 1e3, 0) for n in names[1:]), *(_fmt(r[f"change_per_capita_tenge[{n}]"], 0) for n in names[1:]))
    out.print(t)
    for cmp in c["comparisons"]:
        tr = cmp["transitions"]
        out.print(f"{escape(cmp['from'])} → {escape(cmp['to'])}: became subvention budgets {len(tr['became_subvention'])}, "
                  f"stopped {len(tr['stopped_subvention'])}; became donors {len(tr['became_donor'])}, stopped {len(tr['stopped_donor'])}; "
                  f"budgets entering {len(tr['entered'])}, leaving {len(tr['left'])}", highlight=False)
        t = Table(title=f"{escape(cmp['from'])} → {escape(cmp['to'])} by population band (budgets below the republic)")
        for col in ("population", "budgets", "winners", "losers", "change, million tenge", "per person, tenge"):
            t.add_column(col, justify="left" if col == "population" else "right")
        for b in cmp["bands"]:
            t.add_row(b["band"], str(b["budgets"]), str(b["winners"]), str(b["losers"]), _fmt(b["change"] / 1e3, 0),
                      _fmt(b["change_per_capita_tenge"], 0))
        out.print(t)


@app.command()
def stress(
    dataset: DatasetArg,
    scenarios: list[Path] = typer.Argument(..., help="One or more scenario YAML files (options side by side)."),
    draws: int = typer.Option(10_000, "--draws", min=1, help="Monte Carlo draws."),
    seed: int = typer.Option(1, "--seed"),
    oil_sd: float = typer.Option(0.25, "--oil-sd", min=0, help="Standard deviation of the log oil price."),
    common_sd: float = typer.Option(0.03, "--common-sd", min=0, help="A shock common to every region (log)."),
    region_sd: float = typer.Option(0.05, "--region-sd", min=0, help="Regional recessions and booms (log)."),
    growth: float = typer.Option(0.0, "--growth", help="Log growth of every base."),
    out_dir: Path = typer.Option(None, "--out", help="Write stress.json here."),
) -> None:
    """Monte Carlo over correlated shocks to receipts with the medium-term amounts fixed (§3.3.2)."""
    from .analysis.stress import Shocks, stress as run_stress
    from .dataset import load_dataset
    from .engine import run
    from .scenario import load_scenario

    shocks = Shocks(draws, seed, oil_sd, common_sd, region_sd, growth)
    try:
        ds = load_dataset(dataset)
        results = []
        for p in scenarios:
            with out.status(f"{p.name}: {draws:,} draws"):
                results.append(run_stress(run(ds, load_scenario(p)[0], p.name), shocks))
        if out_dir is not None:
            _write_json(out_dir, "stress.json", {"shocks": shocks.__dict__, "results": results})
    except InterbudgetError as exc:
        _fail(exc)
        return
    for r in results:
        t = Table(title=f"{escape(r['scenario'])}: {r['draws']:,} draws (seed {r['seed']}), balances by level, million tenge, first year")
        for c in ("level", "budgets", "P(some deficit)", "budgets in deficit (mean)", "expected deficit", "p5", "median", "p95",
                  "deterministic"):
            t.add_column(c, justify="left" if c == "level" else "right")
        for lv in r["levels"]:
            t.add_row(lv["level"], str(lv["budgets"]), f"{lv['p_any_deficit'][0]:.1%}", _fmt(lv["mean_budgets_in_deficit"][0], 1),
                      _fmt(lv["expected_deficit"][0] / 1e3, 0), _fmt(lv["balance_p5"][0] / 1e3, 0), _fmt(lv["balance_p50"][0] / 1e3, 0),
                      _fmt(lv["balance_p95"][0] / 1e3, 0), _fmt(lv["deterministic_balance"][0] / 1e3, 0))
        out.print(t)


@app.command()
def taxes(
    dataset: DatasetArg,
    scenario: Path = typer.Argument(..., help="The scenario whose sharing is today's assignment."),
    criteria: Path = typer.Option(None, "--criteria", help="Expert scores (default: DATASET/tax_criteria.csv)."),
    out_dir: Path = typer.Option(None, "--out", help="Write tax_criteria.json here."),
) -> None:
    """Score every tax on the seven criteria of §3.3.2 and recommend a level, against today's assignment."""
    from .analysis.tax_criteria import CRITERIA, assess, read_expert
    from .dataset import load_dataset
    from .scenario import load_scenario

    try:
        s, _ = load_scenario(scenario)
        ds = load_dataset(dataset)
        path = criteria or dataset / "tax_criteria.csv"
        expert = read_expert(path) if path.is_file() else {}
        sharing = {t: {lv: ts.level(lv) for lv in ("region", "district", "rural") if ts.level(lv)} for t, ts in s.sharing.items()}
        rows = assess(ds, expert, sharing)
        if out_dir is not None:
            _write_json(out_dir, "tax_criteria.json", {"criteria": list(CRITERIA), "taxes": rows})
    except InterbudgetError as exc:
        _fail(exc)
        return
    t = Table(title="the seven criteria of §3.3.2: pull up (+) or down (−); d = from the data, e = expert")
    for c in ("tax", *CRITERIA, "pull", "recommended", "today"):
        t.add_column(c, justify="left" if c in ("tax", "recommended", "today") else "right")
    for r in rows:
        cells = [f"{r['scores'][c]['score']:.2f}{'d' if r['scores'][c]['basis'] == 'data' else 'e'}" if c in r["scores"] else "—"
                 for c in CRITERIA]
        if r["pull"] is None:
            t.add_row(r["tax"], *cells, "—", "not assessed", r["today"])
            continue
        t.add_row(r["tax"], *cells, f"{r['pull']:+.2f}", r["recommended"] + (" *" if r["differs"] else ""), r["today"])
    out.print(t)
    out.print("* differs from today's assignment; reasons per tax in tax_criteria.json (--out)", highlight=False)


@app.command()
def optimize(
    dataset: DatasetArg,
    scenario: Path = typer.Argument(..., help="A scenario with option 2 or 4."),
    objective: str = typer.Option("transfers", "--objective", help="transfers (LP) or withdrawal_budgets (MIP)."),
    max_spread: float = typer.Option(None, "--max-spread", min=0, help="Largest difference between regions' shares (0: one share)."),
    republic_floor: float = typer.Option(None, "--republic-floor", help="Lowest balance of the republic each year, thousand tenge."),
    curve: int = typer.Option(6, "--curve", min=0, help="Points of the trade-off curve (transfers against the spread)."),
    out_dir: Path = typer.Option(None, "--out", help="Write optimize.json and a scenario with the optimized shares here."),
) -> None:
    """Region shares for options 2 and 4 that minimize transfers or withdrawals, with HiGHS (§3.3.2)."""
    import yaml

    from .analysis.optimize import evaluate, problem, solve, trade_off

    try:
        res, _ = _load(dataset, scenario)
        p = problem(res)
        best = solve(p, objective, max_spread, republic_floor)
        now = evaluate(p, p["current"])
        points = trade_off(p, curve, republic_floor) if curve else []
        if out_dir is not None:
            shares = {c: round(float(x), 12) for c, x in zip(p["codes"], best["share"])}
            _write_json(out_dir, "optimize.json", {"objective": objective, "computed": {**now, "share": now["share"].tolist()},
                                                   "optimized": {**best, "share": best["share"].tolist()}, "codes": p["codes"],
                                                   "trade_off": points})
            text = (f"# Shares optimized by `interbudget optimize` ({objective}"
                    + (f", max spread {max_spread:g}" if max_spread is not None else "") + ")\n"
                    + yaml.safe_dump({"extends": str(scenario.resolve()), "name": f"{res.scenario.name}-optimized",
                                      "region_shares": shares}, sort_keys=False, allow_unicode=True))
            (out_dir / "optimized.yaml").write_text(text, encoding="utf-8")
    except InterbudgetError as exc:
        _fail(exc)
        return
    t = Table(title=f"{escape(res.scenario.name)}: region shares of {', '.join(next(c for c in res.computed if c.level == 'region').taxes)}")
    for c in ("code", "region", "computed", "optimized"):
        t.add_column(c, justify="left" if c in ("code", "region") else "right")
    h = res.hierarchy
    for i, code in enumerate(p["codes"]):
        t.add_row(code, escape(h.name(int(p["units"][i]))), f"{p['current'][i]:.4f}", f"{best['share'][i]:.4f}")
    out.print(t)
    for label, r in (("computed (METHOD.md)", now), ("optimized", best)):
        out.print(f"{label}: subventions {_fmt(r['subventions'] / 1e3, 0)}, withdrawals {_fmt(r['withdrawals'] / 1e3, 0)} million tenge "
                  f"over the medium term; {r['withdrawal_budgets']} withdrawals", highlight=False)
    if points:
        t = Table(title="trade-off: transfers against the largest spread between regions' shares")
        for c in ("max spread", "transfers, million tenge", "withdrawals", "withdrawal budget-years"):
            t.add_column(c, justify="right")
        for pt in points:
            t.add_row(f"{pt['max_spread']:.3f}", _fmt(pt["transfers"] / 1e3, 0), _fmt(pt["withdrawals"] / 1e3, 0), str(pt["withdrawal_budgets"]))
        out.print(t)


@app.command()
def report(
    dataset: DatasetArg,
    scenario: ScenarioArg,
    out_dir: Path = typer.Option(..., "--out", help="Folder for report.xlsx and report.html."),
    stress_draws: int = typer.Option(2000, "--stress-draws", min=0, help="Monte Carlo draws for the report (0: none)."),
    lang: str = typer.Option("en", "--lang", help="Language of unit names: kk, ru or en."),
) -> None:
    """An Excel workbook (the law's layout, every budget, the inputs) and a standalone HTML report with charts and maps."""
    from rich.progress import Progress

    from .analysis.metrics import metrics as compute
    from .analysis.stress import Shocks, stress as run_stress
    from .reports.excel import write_workbook
    from .reports.html import write_html

    with _reported(out_dir):
        out_dir.mkdir(parents=True, exist_ok=True)
        with Progress(console=err, transient=True) as progress:
            task = progress.add_task("simulating", total=4)
            res, _ = _load(dataset, scenario)
            progress.update(task, advance=1, description="metrics")
            m = compute(res, 0, scenario.name)
            progress.update(task, advance=1, description=f"stress test, {stress_draws:,} draws")
            st = {"results": [run_stress(res, Shocks(draws=stress_draws))]} if stress_draws else None
            progress.update(task, advance=1, description="writing")
            xlsx = write_workbook(res, out_dir / "report.xlsx", lang)
            page = write_html(res, out_dir / "report.html", m, st, dataset / "geo" if (dataset / "geo").is_dir() else None)
            progress.update(task, advance=1)
    out.print(f"report: {xlsx}, {page}", highlight=False, soft_wrap=True)


@app.command("import-excel")
def import_excel(
    workbook: Path = typer.Argument(..., help="A workbook with a Receipts sheet (code, year, tax, payer, amount) and/or a Shares sheet (tax, region, district, rural)."),
    out_dir: Path = typer.Option(..., "--out", help="Writes receipts.csv and sharing.yaml here."),
) -> None:
    """Read receipts and sharing norms from Excel, in the layout the workbooks of `report` use."""
    import csv as csvmod

    import yaml

    from .reports.excel import RECEIPT_COLUMNS, read_workbook

    with _reported(out_dir):
        receipts, sharing = read_workbook(workbook)
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


receipts_app = typer.Typer(no_args_is_help=True, help="Taxpayer-level payments: generate them, aggregate them into receipts.")
app.add_typer(receipts_app, name="receipts")


BUNDLED_KZ = Path(__file__).resolve().parents[2] / "data" / "kz"


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
) -> None:
    """Synthetic payments calibrated to a dataset's receipts: heavy-tailed taxpayers, seasonality, refunds."""
    from rich.progress import Progress

    from .dataset import load_dataset
    from .scale.payments import generate

    with _reported(out_dir):
        ds = load_dataset(_base_dataset(dataset))
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
) -> None:
    """Payments -> receipts per booking unit, year, tax and payer category, with a reconciliation table."""
    from .dataset import load_dataset
    from .scale.aggregate import aggregate, write_dataset

    with _reported(out_dir):
        if backend not in ("duckdb", "spark"):
            raise InterbudgetError(f"unknown backend '{backend}': choose duckdb or spark")
        if not payments.exists():
            raise InterbudgetError(f"{payments}: no such file or folder of payments")
        base = _base_dataset(base, out_dir)
        ds = load_dataset(base)
        ys = sorted(years) if years else sorted(ds.receipts.years())
        taxes = sorted(set(ds.taxes) | set(ds.oil_elasticity))
        receipts, recon = aggregate(payments, ds.hierarchy.codes.tolist(), taxes, ds.payer_names, ys, backend, master)
        month = aggregate(payments, ds.hierarchy.codes.tolist(), taxes, ds.payer_names, ys, backend, master, monthly=True)[0] if monthly else None
        paths = write_dataset(receipts, recon, base, out_dir, actual, month)
    t = Table(title=f"reconciliation ({backend}): payments in = aggregated + rejected")
    for c in ("reason", "payments", "amount, tenge", "refunds", "refunds, tenge"):
        t.add_column(c, justify="left" if c == "reason" else "right")
    rows = recon.to_pylist()
    for r in rows + [{"reason": "total in", **{k: sum(x[k] for x in rows) for k in ("payments", "amount_tiyn", "refunds", "refunds_tiyn")}}]:
        t.add_row(r["reason"], f"{r['payments']:,}", f"{r['amount_tiyn'] / 100:,.2f}", f"{r['refunds']:,}", f"{r['refunds_tiyn'] / 100:,.2f}")
    out.print(t)
    out.print(f"{len(receipts):,} receipt rows: {', '.join(str(p) for p in paths.values())}", highlight=False, soft_wrap=True)


functions_app = typer.Typer(no_args_is_help=True, help="State functions: the registry, its audits and the §3.2 criteria.")
app.add_typer(functions_app, name="functions")
BUNDLED_REGISTRY = Path(__file__).resolve().parents[2] / "registry" / "kz"


def _write_rows(path: Path, rows: list[dict], columns: list[str]) -> None:
    import csv as csvmod

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        w = csvmod.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    os.replace(tmp, path)


@functions_app.command("audit")
def functions_audit(
    registry: Path = typer.Argument(None, help="A folder with functions.csv and bodies.csv (default: registry/kz)."),
    out_file: Path = typer.Option(None, "--out", help="Write the findings as CSV."),
) -> None:
    """Duplications, overlaps, functions without legal basis or not inherent to the state, unfunded mandates,
    financing apart from execution, communal property not assigned (§1, §3.1, §3.3.1)."""
    from .functions.audit import audit
    from .functions.registry import load_registry

    with _reported(out_file):
        findings = audit(load_registry(registry or BUNDLED_REGISTRY))
        if out_file is not None:
            _write_rows(out_file, findings, ["audit", "function", "name", "detail"])
    t = Table(title=f"audit of the registry: {len(findings)} finding(s)")
    for c in ("audit", "function", "detail"):
        t.add_column(c)
    for f in findings:
        t.add_row(f["audit"], escape(f["name"]), escape(f["detail"]))
    out.print(t)


@functions_app.command("recommend")
def functions_recommend(
    registry: Path = typer.Argument(None, help="A folder with functions.csv and bodies.csv (default: registry/kz)."),
    weight: list[str] = typer.Option(None, "--weight", help="A criterion's weight, e.g. --weight national=3 (repeatable)."),
    out_file: Path = typer.Option(None, "--out", help="Write the recommendations as CSV."),
) -> None:
    """A recommended level for every function by the §3.2 criteria, with the reasons, against today's."""
    from .functions.criteria import DEFAULT_WEIGHTS, recommend
    from .functions.registry import load_registry

    with _reported(out_file):
        weights = {}
        for item in weight or []:
            key, _, value = item.partition("=")
            if key not in DEFAULT_WEIGHTS:
                raise InterbudgetError(f"--weight {item}: unknown criterion '{key}' (one of {', '.join(DEFAULT_WEIGHTS)})")
            try:
                weights[key] = float(value)
            except ValueError:
                raise InterbudgetError(f"--weight {item}: '{value}' is not a number") from None
        rows = recommend(load_registry(registry or BUNDLED_REGISTRY), weights)
        if out_file is not None:
            _write_rows(out_file, [{**r, "today": ";".join(r["today"]), "reasons": "; ".join(r["reasons"])} for r in rows],
                        ["function", "name", "score", "recommended", "today", "differs", "one_body_one_level", "reasons"])
    t = Table(title="§3.2: recommended level per function (+ up to the centre, − down to the people)")
    for c in ("function", "score", "recommended", "today", "reasons"):
        t.add_column(c, justify="right" if c == "score" else "left")
    for r in rows:
        t.add_row(escape(r["name"]), f"{r['score']:+.2f}", r["recommended"] + (" *" if r["differs"] else ""), ", ".join(r["today"]),
                  escape("; ".join(r["reasons"])))
    out.print(t)


@functions_app.command("structure")
def functions_structure(
    registry: Path = typer.Argument(None, help="A folder with functions.csv and bodies.csv (default: registry/kz)."),
    proposal: Path = typer.Option(None, "--proposal", help="Show the structure after this proposal's moves."),
    out_file: Path = typer.Option(None, "--out", help="Write the table as CSV."),
) -> None:
    """A model structure of local government (§3.2): per level, the functions it performs and the bodies."""
    from .functions.proposals import load_proposal, structure
    from .functions.registry import load_registry

    with _reported(out_file):
        reg = load_registry(registry or BUNDLED_REGISTRY)
        rows = structure(reg, load_proposal(proposal, reg) if proposal else None)
        if out_file is not None:
            _write_rows(out_file, rows, ["level", "function", "bodies"])
    t = Table(title="model structure by level" + (f" after {escape(proposal.name)}" if proposal else ""))
    for c in ("level", "function", "bodies"):
        t.add_column(c)
    for r in rows:
        name = reg.functions[r["function"]].name.get("en") or r["function"]
        t.add_row(r["level"], escape(name), r["bodies"] or "—")
    out.print(t)


proposal_app = typer.Typer(no_args_is_help=True, help="Reform proposals: moves of functions between levels, priced by the engine.")
app.add_typer(proposal_app, name="proposal")
PROPOSAL_SHEETS = {  # sheet / CSV suffix -> columns
    "budgets": ["code", "level", "year", "needs_before", "needs_after", "net_transfer_before", "net_transfer_after",
                "balance_before", "balance_after"],
    "moves": ["move", "moved", "after", "norm_ratio", "merged", "stayed"],
    "national_needs": ["year", "before", "after", "change"],
    "unfunded_mandates": ["code", "year", "added_need", "unfunded"],
    "structure": ["level", "function", "bodies"],
}


def _write_proposal(path: Path, result: dict) -> list[Path]:
    """.xlsx: one workbook, a sheet per table; otherwise budgets in PATH and the other tables beside it."""
    if path.suffix.lower() == ".xlsx":
        import xlsxwriter

        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp.xlsx")
        wb = xlsxwriter.Workbook(tmp)
        for sheet, cols in PROPOSAL_SHEETS.items():
            ws = wb.add_worksheet(sheet)
            ws.write_row(0, 0, cols)
            for i, r in enumerate(result[sheet], 1):
                ws.write_row(i, 0, [r.get(c, "") for c in cols])
        wb.close()
        os.replace(tmp, path)
        return [path]
    paths = [path] + [path.with_name(f"{path.stem}_{sheet}.csv") for sheet in list(PROPOSAL_SHEETS)[1:]]
    for p, (sheet, cols) in zip(paths, PROPOSAL_SHEETS.items()):
        _write_rows(p, result[sheet], cols)
    return paths


@proposal_app.command("apply")
def proposal_apply(
    dataset: DatasetArg,
    proposal: Path = typer.Argument(..., help="Proposal YAML: name, effective_year, moves (see registry/kz/proposals)."),
    scenario: ScenarioArg = ...,
    registry: Path = typer.Option(None, "--registry", help="Functions registry folder (default: registry/kz)."),
    out_file: Path = typer.Option(None, "--out", help="Write the results: .xlsx (a sheet per table) or .csv."),
    top: int = typer.Option(15, "--top", help="Budgets to show in the terminal, by the largest change in needs."),
) -> None:
    """Apply a proposal: each move changes the needs of the budgets it touches by the function's normative cost
    at the receiving level, the engine reruns, and each budget's needs, transfers and balance are compared;
    moves that leave a budget with a need and no money are flagged as unfunded mandates (§3.3.1)."""
    from .dataset import load_dataset
    from .functions.proposals import apply
    from .functions.proposals import load_proposal
    from .functions.registry import load_registry
    from .scenario import load_scenario

    with _reported(out_file):
        reg = load_registry(registry or BUNDLED_REGISTRY)
        prop = load_proposal(proposal, reg)
        result = apply(load_dataset(dataset), reg, prop, load_scenario(scenario)[0])
        paths = _write_proposal(out_file, result) if out_file is not None else []
    t = Table(title=f"{escape(result['proposal'])}: moves (from {prop['effective_year']})")
    for c in ("move", "need moved", "after, at the receiving norm", "norm ratio", "merged", "stayed (no budget below)"):
        t.add_column(c, justify="left" if c == "move" else "right")
    for m in result["moves"]:
        t.add_row(escape(m["move"]), _fmt(m["moved"]), _fmt(m["after"]), f"{m['norm_ratio']:.3f}" if "norm_ratio" in m else "—",
                  ("yes" if m["merged"] else "no") if "merged" in m else "—", _fmt(m.get("stayed", 0.0)))
    out.print(t)
    t = Table(title="national needs (all budgets): a difference means the levels' norms differ")
    for c in ("year", "before", "after", "change"):
        t.add_column(c, justify="right")
    for r in result["national_needs"]:
        t.add_row(str(r["year"]), _fmt(r["before"]), _fmt(r["after"]), _fmt(r["change"]))
    out.print(t)
    changed = sorted((r for r in result["budgets"] if abs(r["needs_after"] - r["needs_before"]) > 1e-6),
                     key=lambda r: -abs(r["needs_after"] - r["needs_before"]))
    t = Table(title=f"budgets whose needs change: {len(changed)} (budget-years), largest {min(top, len(changed))}")
    for c in ("code", "level", "year", "Δ needs", "Δ net transfer", "Δ balance"):
        t.add_column(c, justify="left" if c in ("code", "level") else "right")
    for r in changed[:top]:
        t.add_row(r["code"], r["level"], str(r["year"]), _fmt(r["needs_after"] - r["needs_before"]),
                  _fmt(r["net_transfer_after"] - r["net_transfer_before"]), _fmt(r["balance_after"] - r["balance_before"]))
    out.print(t)
    flags = result["unfunded_mandates"]
    out.print(f"unfunded mandates (§3.3.1): {len(flags)} budget-year(s)"
              + (f", {_fmt(sum(f['unfunded'] for f in flags))} without money" if flags else ""), highlight=False)
    for p in paths:
        out.print(f"written: {p}", highlight=False, soft_wrap=True)


DEFAULT_STORE = Path("out/workbench.duckdb")
_STORE_HELP = "The store: a DuckDB file (default out/workbench.duckdb) or a postgresql:// URL."


@app.command()
def serve(
    dataset: Path = typer.Argument(Path("data/kz"), help="Dataset folder to serve."),
    scenarios: Path = typer.Option(Path("scenarios"), "--scenarios", help="Folder of scenario YAML files, imported and published."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on (localhost by default)."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    registry: Path = typer.Option(None, "--registry", help="Functions registry to show (default: registry/kz)."),
    store: str = typer.Option(str(DEFAULT_STORE), "--store", help=_STORE_HELP),
    insecure_cookies: bool = typer.Option(False, "--insecure-cookies",
                                          help="Session cookies without the Secure flag: only for plain HTTP beyond localhost."),
    demo_users: bool = typer.Option(False, "--demo-users", help="Create an analyst, a commission member and one akimat user "
                                    "per region when missing, with random passwords printed once."),
    workers: int = typer.Option(1, "--workers", help="uvicorn worker processes (PostgreSQL store only: a DuckDB file has one writer)."),
) -> None:
    """The web workbench: budgets with drill-down and a map, each budget's explanation and history in kk/ru/en,
    scenarios edited, run, compared and published, objections filed and resolved; a JSON API (docs at /docs)."""
    import uvicorn

    from .store import Store
    from .web.app import create_app

    with _reported():
        if workers > 1 and not store.startswith(("postgresql://", "postgres://")):
            raise InterbudgetError("--workers above 1 needs a PostgreSQL store (a DuckDB file has one writer process)")
        st = Store.open(store)
        web = create_app(dataset, scenarios, registry or BUNDLED_REGISTRY, st, secure_cookies=not insecure_cookies)
        if demo_users:
            for line in _demo_users(st, web.state.workbench):
                out.print(line, highlight=False)
    out.print(f"interbudget serves {dataset} ({len(list(scenarios.glob('*.yaml')))} scenarios, store {store}) "
              f"at http://{host}:{port}/", highlight=False)
    if workers > 1:  # each worker process builds its own app from the same arguments
        os.environ["INTERBUDGET_SERVE"] = json.dumps({"dataset": str(dataset), "scenarios": str(scenarios), "store": store,
                                                      "registry": str(registry or BUNDLED_REGISTRY),
                                                      "secure": not insecure_cookies})
        st.close()
        uvicorn.run("interbudget.web.app:from_environment", factory=True, host=host, port=port, workers=workers,
                    log_level="warning")
    else:
        uvicorn.run(web, host=host, port=port, log_level="warning")


def _demo_users(st, wb) -> list[str]:
    import secrets

    have = {u["username"] for u in st.users()}
    wanted = [("analyst", "analyst", None), ("commission", "commission", None)]
    wanted += [(f"akimat-{code}", "akimat", code) for code, _ in wb.regions()]
    lines = []
    for name, role, region in wanted:
        if name in have:
            continue
        pw = secrets.token_urlsafe(9)
        st.add_user(name, pw, role, region, actor="serve --demo-users")
        lines.append(f"demo user {name} ({role}{' ' + region if region else ''}): password {pw}")
    return lines


users_app = typer.Typer(no_args_is_help=True, help="Workbench users: ministry analysts, akimat users, commission members.")
app.add_typer(users_app, name="users")


@users_app.command("add")
def users_add(
    username: str = typer.Argument(..., help="Login name."),
    role: str = typer.Option(..., "--role", help="analyst, akimat or commission."),
    region: str = typer.Option(None, "--region", help="An akimat user's region code (KATO)."),
    name: str = typer.Option(None, "--name", help="The name shown on pages."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
    store: str = typer.Option(str(DEFAULT_STORE), "--store", help=_STORE_HELP),
) -> None:
    """Add a user; the password is asked for (or read from stdin) and stored as an argon2 hash."""
    from .store import Store

    with _reported():
        pw = sys.stdin.readline().rstrip("\n") if password_stdin else typer.prompt("password", hide_input=True,
                                                                                    confirmation_prompt=True)
        st = Store.open(store)
        try:
            st.add_user(username, pw, role, region, name, actor="cli")
        finally:
            st.close()
    out.print(f"user {username} ({role}{' ' + region if region else ''}) added to {store}", highlight=False)


@users_app.command("list")
def users_list(store: str = typer.Option(str(DEFAULT_STORE), "--store", help=_STORE_HELP)) -> None:
    """The store's users and roles."""
    from .store import Store

    with _reported():
        st = Store.open(store)
        rows = st.users()
        st.close()
    for u in rows:
        out.print(f"{u['username']}\t{u['role']}\t{u['region'] or ''}\t{u['display_name'] or ''}", highlight=False)


def _year_pos(res, year: int) -> int:
    if year not in res.years:
        raise InterbudgetError(f"year {year} is not among the scenario's years {res.years}")
    return res.years.index(year)


def _write_json(folder: Path, name: str, data: dict) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{name}.tmp"
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=float) + "\n", encoding="utf-8")
        os.replace(tmp, folder / name)
    except OSError as exc:
        raise InterbudgetError(f"{folder}: cannot write {name} ({exc.strerror})") from None


if __name__ == "__main__":  # pragma: no cover
    main()
