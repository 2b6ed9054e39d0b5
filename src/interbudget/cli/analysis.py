"""metrics, compare, stress, taxes, optimize: the analyses of a scenario."""
from __future__ import annotations

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
    dataset_of,
    fail as _fail,
    fmt as _fmt,
    load as _load,
    out,
    run_on,
    write_json as _write_json,
    year_pos as _year_pos,
)


@app.command()
def metrics(
    dataset: DatasetArg,
    scenario: ScenarioArg,
    year: int = typer.Option(None, "--year", help="A year of the scenario (default: the first)."),
    out_dir: Path = typer.Option(None, "--out", help="Write metrics.json here."),
    allow_duplicates: AllowDuplicates = False,
    allow_unknown_taxes: AllowUnknownTaxes = False,
) -> None:
    """Equalization, counts, dependence, stability, incentive and oil exposure of a run (§3.3.2)."""
    from ..analysis.metrics import metrics as compute

    try:
        res, _ = _load(dataset, scenario, allow_duplicates, allow_unknown_taxes)
        k = 0 if year is None else _year_pos(res, year)
        m = compute(res, k, scenario.name)
        if out_dir is not None:
            _write_json(out_dir, "metrics.json", m.to_dict())
    except InterbudgetError as exc:
        _fail(exc)
        return
    t = Table(title=f"{escape(res.scenario.name)}, {m.year}: needs-adjusted fiscal capacity (own revenue / need), population-weighted")
    for c in ("units", "when", "mean", "Gini", "CV", "Theil", "max/min"):
        t.add_column(c, justify="left" if c in ("units", "when") else "right")
    for st in m.capacity:
        t.add_row(st["units"], f"{st['when']} transfers", *(_fmt(st[x], 3) for x in ("mean", "gini", "cv", "theil", "max_min")))
    out.print(t)
    t = Table(title="budgets by level: subvention and withdrawal budgets, dependence on transfers")
    for c in ("level", "budgets", "subvention", "share", "withdrawal", "share ", "subvention / spending incl. subventions paid below",
              "in deficit"):
        t.add_column(c, justify="left" if c == "level" else "right")
    for r in m.levels:
        t.add_row(r["level"], str(r["budgets"]), str(r["subvention_budgets"]), f"{r['subvention_share']:.0%}", str(r["withdrawal_budgets"]),
                  f"{r['withdrawal_share']:.0%}", f"{r['dependence']:.1%}", str(r["deficit_budgets"]))
    out.print(t)
    if len(m.retention):
        t = Table(title=f"incentive: of 1 extra tenge collected in a region, what its budgets keep in {m.year}")
        for c in ("code", "region", "this year (amounts fixed)", "after a reset of the medium term"):
            t.add_column(c, justify="left" if c in ("code", "region") else "right")
        for r in m.retention.where(m.retention["year"] == m.year):
            t.add_row(r["code"], escape(r["name"]), _fmt(r["this_year"], 3), _fmt(r["after_reset"], 3))
        out.print(t)
    if m.oil_exposure is not None:
        o = m.oil_exposure.rows()[k]
        out.print(f"oil price −{m.oil_price_fall:.0%}: republican revenue {_fmt(o['republic'] / 1e3, 0)} million tenge "
                  f"({o['republic_share_of_revenue']:+.1%}), local budgets {_fmt(o['local'] / 1e3, 0)} million tenge", highlight=False)


@app.command()
def compare(
    dataset: DatasetArg,
    base: Path = typer.Argument(..., help="Current law (scenario YAML)."),
    draft: Path = typer.Argument(..., help="The draft (scenario YAML)."),
    amendments: list[Path] = typer.Argument(None, help="Amendments to the draft (scenario YAML files)."),
    year: int = typer.Option(None, "--year", help="A year every scenario has (default: the base's first)."),
    out_dir: Path = typer.Option(None, "--out", help="Write compare.json, compare.xlsx and compare.html here."),
    allow_duplicates: AllowDuplicates = False,
    allow_unknown_taxes: AllowUnknownTaxes = False,
) -> None:
    """Current law vs draft vs amendments: transfers, and apart from them balances, status changes, population bands."""
    from ..analysis.compare import compare as build
    from ..analysis.compare_table import TRANSITIONS, band_label
    from ..basis import MARK, footnote, rule_filled
    from ..reports.compare import write_compare_html, write_compare_xlsx

    try:
        ds = dataset_of(dataset, allow_duplicates)
        results = [run_on(ds, p, allow_unknown_taxes)[0] for p in [base, draft, *(amendments or [])]]
        c = build(results, results[0].years[0] if year is None else year)
        marks = rule_filled(dataset)
        if out_dir is not None:
            _write_json(out_dir, "compare.json", c.to_dict())
            write_compare_xlsx(c, out_dir / "compare.xlsx", marks)
            write_compare_html(c, out_dir / "compare.html", marks, dataset / "geo" if (dataset / "geo").is_dir() else None)
    except InterbudgetError as exc:
        _fail(exc)
        return
    names = list(c.scenarios)
    t = Table(title=f"regions {c.year}: net transfer from the republic (subvention − withdrawal), million tenge")
    for col in ["code", "region", *names, *(f"Δ {n}" for n in names[1:]), *(f"Δ per person, tenge: {n}" for n in names[1:])]:
        t.add_column(col, justify="left" if col in ("code", "region") else "right")
    regions = c.regions.rows()
    codes = list(dict.fromkeys(r["code"] for r in regions))
    for code in codes:
        rs = [r for r in regions if r["code"] == code]  # one per scenario, in the order of c.scenarios
        mark = f" {MARK}" if (code, c.year) in marks else ""
        t.add_row(code + mark, escape(rs[0]["name"]), *(_fmt(r["net_transfer"] / 1e3, 0) for r in rs),
                  *(_fmt(r["change"] / 1e3, 0) for r in rs[1:]), *(_fmt(r["change_per_capita_tenge"], 0) for r in rs[1:]))
    out.print(t)
    if note := footnote(marks, [(code, c.year) for code in codes]):
        out.print(note, highlight=False, soft_wrap=True)
    for cmp in c.pairs:
        n = {k: int((cmp.transitions["transition"] == k).sum()) for k in TRANSITIONS}
        out.print(f"{escape(cmp.source)} → {escape(cmp.target)}: became subvention budgets {n['became_subvention']}, "
                  f"stopped {n['stopped_subvention']}; became donors {n['became_donor']}, stopped {n['stopped_donor']}; "
                  f"budgets entering {n['entered']}, leaving {n['left']}", highlight=False)
        t = Table(title=f"{escape(cmp.source)} → {escape(cmp.target)} by population band (budgets below the republic)")
        for col in ("population", "budgets", "transfer up", "transfer down", "balance up", "balance down",
                    "transfer change, million tenge", "balance change, million tenge", "transfer per person, tenge"):
            t.add_column(col, justify="left" if col == "population" else "right")
        for b in cmp.bands:
            t.add_row(band_label(b["low"], b["high"]), str(b["budgets"]), str(b["transfer_up"]), str(b["transfer_down"]),
                      str(b["balance_up"]), str(b["balance_down"]), _fmt(b["change"] / 1e3, 0), _fmt(b["balance_change"] / 1e3, 0),
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
    allow_duplicates: AllowDuplicates = False,
    allow_unknown_taxes: AllowUnknownTaxes = False,
) -> None:
    """Monte Carlo over correlated shocks to receipts with the medium-term amounts fixed (§3.3.2)."""
    from ..analysis.stress import Shocks, stress as run_stress

    shocks = Shocks(draws, seed, oil_sd, common_sd, region_sd, growth)
    try:
        ds = dataset_of(dataset, allow_duplicates)
        results = []
        for p in scenarios:
            with out.status(f"{p.name}: {draws:,} draws"):
                results.append(run_stress(run_on(ds, p, allow_unknown_taxes)[0], shocks))
        if out_dir is not None:
            _write_json(out_dir, "stress.json", {"shocks": shocks.__dict__, "results": [r.to_dict() for r in results]})
    except InterbudgetError as exc:
        _fail(exc)
        return
    for r in results:
        t = Table(title=f"{escape(r.scenario)}: {r.draws:,} draws (seed {r.seed}), balances by level, million tenge, first year")
        for c in ("level", "budgets", "P(some deficit)", "budgets in deficit (mean)", "expected deficit", "p5", "median", "p95",
                  "deterministic"):
            t.add_column(c, justify="left" if c == "level" else "right")
        for lv in r.levels.where(r.levels["year"] == r.years[0]):
            t.add_row(lv["level"], str(lv["budgets"]), f"{lv['p_any_deficit']:.1%}", _fmt(lv["mean_budgets_in_deficit"], 1),
                      _fmt(lv["expected_deficit"] / 1e3, 0), _fmt(lv["balance_p5"] / 1e3, 0), _fmt(lv["balance_p50"] / 1e3, 0),
                      _fmt(lv["balance_p95"] / 1e3, 0), _fmt(lv["deterministic_balance"] / 1e3, 0))
        out.print(t)


@app.command()
def taxes(
    dataset: DatasetArg,
    scenario: Path = typer.Argument(..., help="The scenario whose sharing is today's assignment."),
    criteria: Path = typer.Option(None, "--criteria", help="Expert scores (default: DATASET/tax_criteria.csv)."),
    out_dir: Path = typer.Option(None, "--out", help="Write tax_criteria.json here."),
    allow_duplicates: AllowDuplicates = False,
) -> None:
    """Score every tax on the seven criteria of §3.3.2 and recommend a level, against today's assignment."""
    from ..analysis.tax_criteria import CRITERIA, assess, read_expert
    from ..scenario import load_scenario

    try:
        s, _ = load_scenario(scenario)
        ds = dataset_of(dataset, allow_duplicates)
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
    allow_duplicates: AllowDuplicates = False,
    allow_unknown_taxes: AllowUnknownTaxes = False,
) -> None:
    """Region shares for options 2 and 4 that minimize transfers or withdrawals, with HiGHS (§3.3.2)."""
    import yaml

    from ..analysis.optimize import evaluate, problem, solve, trade_off

    try:
        res, _ = _load(dataset, scenario, allow_duplicates, allow_unknown_taxes)
        p = problem(res)
        best = solve(p, objective, max_spread, republic_floor)
        now = evaluate(p, p["current"])
        points = trade_off(p, curve, republic_floor) if curve else []
        if out_dir is not None:
            shares = {c: round(float(x), 12) for c, x in zip(p["codes"], best["share"], strict=True)}
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
