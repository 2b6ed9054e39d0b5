"""functions audit | recommend | structure | diff, proposal apply: the registry of state functions."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import InterbudgetError
from ._common import (
    BUNDLED_REGISTRY,
    AllowDuplicates,
    DatasetArg,
    ScenarioArg,
    app,
    bundled_path,
    dataset_of,
    fmt as _fmt,
    out,
    reported as _reported,
)

functions_app = typer.Typer(no_args_is_help=True, help="State functions: the registry, its audits and the §3.2 criteria.")
app.add_typer(functions_app, name="functions")


STATE_HELP = "A registry state (registry states.csv: today, baseline-2002), optionally @region code, e.g. today@750000000."


def _registry(folder: Path | None, state: str = "today"):
    from ..functions.registry import load_registry
    from ..functions.states import at, parse_ref

    st, region = parse_ref(state)
    return at(load_registry(folder or BUNDLED_REGISTRY), st, region)


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
    registry: Path = typer.Argument(None, help="A folder with functions.csv and bodies.csv (default: bundled:registry/kz).",
                                   callback=bundled_path),
    out_file: Path = typer.Option(None, "--out", help="Write the findings as CSV."),
    state: str = typer.Option("today", "--state", help=STATE_HELP),
) -> None:
    """Duplications, overlaps, functions without legal basis or not inherent to the state, unfunded mandates,
    financing apart from execution, communal property not split (§1, §1.4, §3.1, §3.3.1); each finding names the
    concept's problem category."""
    from ..functions.audit import audit

    with _reported(out_file):
        findings = audit(_registry(registry, state))
        if out_file is not None:
            _write_rows(out_file, findings, ["audit", "category", "function", "name", "detail"])
    t = Table(title=f"audit of the registry ({escape(state)}): {len(findings)} finding(s)")
    for c in ("audit", "category", "function", "detail"):
        t.add_column(c)
    for f in findings:
        t.add_row(f["audit"], f["category"], escape(f["name"]), escape(f["detail"]))
    out.print(t)


@functions_app.command("recommend")
def functions_recommend(
    registry: Path = typer.Argument(None, help="A folder with functions.csv and bodies.csv (default: bundled:registry/kz).",
                                   callback=bundled_path),
    weight: list[str] = typer.Option(None, "--weight", help="A criterion's weight, e.g. --weight national=3 (repeatable)."),
    out_file: Path = typer.Option(None, "--out", help="Write the recommendations as CSV."),
    assign: list[str] = typer.Option(None, "--assign", help="Fix a function's level, e.g. --assign agri_subsidies=region "
                                     "(repeatable); refused where it contradicts the concept's own assignment."),
    state: str = typer.Option("today", "--state", help=STATE_HELP),
) -> None:
    """A recommended level for every function by the §3.2 criteria, with the reasons, against the state's; what the
    concept itself assigns is shown as decided, with its §, and never re-scored."""
    from ..functions.criteria import DEFAULT_WEIGHTS, recommend

    with _reported(out_file):
        fixed = {}
        for item in assign or []:
            key, eq, value = item.partition("=")
            if not eq:
                raise InterbudgetError(f"--assign {item}: write function=level")
            fixed[key] = value
        weights = {}
        for item in weight or []:
            key, _, value = item.partition("=")
            if key not in DEFAULT_WEIGHTS:
                raise InterbudgetError(f"--weight {item}: unknown criterion '{key}' (one of {', '.join(DEFAULT_WEIGHTS)})")
            try:
                weights[key] = float(value)
            except ValueError:
                raise InterbudgetError(f"--weight {item}: '{value}' is not a number") from None
        rows = recommend(_registry(registry, state), weights, fixed)
        if out_file is not None:
            _write_rows(out_file, [{**r, "today": ";".join(r["today"]), "reasons": "; ".join(r["reasons"])} for r in rows],
                        ["function", "name", "score", "recommended", "decided", "today", "differs", "one_body_one_level", "reasons"])
    t = Table(title="§3.2: recommended level per function (+ up to the centre, − down to the people; "
                    "decided: the concept's own assignment, not scored; * differs from the state)")
    for c in ("function", "score", "recommended", "today", "reasons"):
        t.add_column(c, justify="right" if c == "score" else "left")
    for r in rows:
        t.add_row(escape(r["name"]), "decided" if r["decided"] else f"{r['score']:+.2f}",
                  r["recommended"] + (" *" if r["differs"] else ""), ", ".join(r["today"]), escape("; ".join(r["reasons"])))
    out.print(t)


@functions_app.command("structure")
def functions_structure(
    registry: Path = typer.Argument(None, help="A folder with functions.csv and bodies.csv (default: bundled:registry/kz).",
                                   callback=bundled_path),
    proposal: Path = typer.Option(None, "--proposal", help="Show the structure after this proposal's moves.",
                                   callback=bundled_path),
    out_file: Path = typer.Option(None, "--out", help="Write the table as CSV."),
    state: str = typer.Option("today", "--state", help=STATE_HELP),
) -> None:
    """A model structure of local government (§3.2): per level, the functions it performs and the bodies."""
    from ..functions.proposals import load_proposal, structure

    with _reported(out_file):
        reg = _registry(registry, state)
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


@functions_app.command("diff")
def functions_diff(
    a: str = typer.Argument(..., help="The first state, e.g. baseline-2002, or a state in a region: today@750000000."),
    b: str = typer.Argument(..., help="The second state (or region), e.g. today or today@100000000."),
    registry: Path = typer.Option(None, "--registry", help="Functions registry folder (default: registry/kz)."),
    out_file: Path = typer.Option(None, "--out", help="Write the changes as CSV."),
) -> None:
    """What changed between two dated states of the registry, or between two regions' assignments: per function,
    its levels, bodies, financing and execution in A and in B."""
    from ..functions.states import diff

    cols = ["function", "name", "change", "levels_a", "levels_b", "bodies_a", "bodies_b", "finances_a", "finances_b",
            "executes_a", "executes_b", "decided"]
    with _reported(out_file):
        rows = diff(_registry(registry, a), _registry(registry, b))
        if out_file is not None:
            _write_rows(out_file, rows, cols)
    t = Table(title=f"{escape(a)} → {escape(b)}: {len(rows)} function(s) changed")
    for c in ("function", "change", "levels", "bodies", "decided"):
        t.add_column(c)
    for r in rows:
        t.add_row(escape(r["name"]), r["change"], f"{r['levels_a']} → {r['levels_b']}", f"{r['bodies_a']} → {r['bodies_b']}", r["decided"])
    out.print(t)


proposal_app = typer.Typer(no_args_is_help=True, help="Reform proposals: moves of functions between levels, priced by the engine.")
app.add_typer(proposal_app, name="proposal")
PROPOSAL_SHEETS = {  # sheet / CSV suffix -> columns
    "budgets": ["code", "level", "year", "needs_before", "needs_after", "net_transfer_before", "net_transfer_after",
                "balance_before", "balance_after"],
    "moves": ["move", "moved", "after", "norm_ratio", "merged", "stayed", "cost"],
    "national_needs": ["year", "before", "after", "change"],
    "unfunded_mandates": ["code", "year", "added_need", "unfunded"],
    "structure": ["level", "function", "bodies"],
    "not_ready": ["code", "name", "district", "reasons"],
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
    for p, (sheet, cols) in zip(paths, PROPOSAL_SHEETS.items(), strict=True):
        _write_rows(p, result[sheet], cols)
    return paths


@proposal_app.command("apply")
def proposal_apply(
    dataset: DatasetArg,
    proposal: Annotated[Path, typer.Argument(help="Proposal YAML: name, effective_year, moves (see bundled:registry/kz/proposals).",
                                             callback=bundled_path)],
    scenario: ScenarioArg,
    registry: Path = typer.Option(None, "--registry", help="Functions registry folder (default: bundled:registry/kz).",
                                   callback=bundled_path),
    out_file: Path = typer.Option(None, "--out", help="Write the results: .xlsx (a sheet per table) or .csv."),
    top: int = typer.Option(15, "--top", help="Budgets to show in the terminal, by the largest change in needs."),
    base: str = typer.Option(None, "--base", help="Price from this registry state (e.g. baseline-2002) instead of the "
                             "proposal's own base (default today)."),
    allow_duplicates: AllowDuplicates = False,
) -> None:
    """Apply a proposal: each move changes the needs of the budgets it touches by the function's normative cost
    at the receiving level, the engine reruns, and each budget's needs, transfers and balance are compared;
    moves that leave a budget with a need and no money are flagged as unfunded mandates (§3.3.1)."""
    from ..functions.proposals import apply, load_proposal
    from ..functions.registry import load_registry
    from ..scenario import load_scenario

    with _reported(out_file):
        reg = load_registry(registry or BUNDLED_REGISTRY)
        prop = load_proposal(proposal, reg)
        if base:
            prop["base"] = base
        result = apply(dataset_of(dataset, allow_duplicates), reg, prop, load_scenario(scenario)[0])
        paths = _write_proposal(out_file, result) if out_file is not None else []
    t = Table(title=f"{escape(result['proposal'])}: moves (from {prop['effective_year']}, base state {escape(result['base'])})")
    for c in ("move", "need moved", "after, at the receiving norm", "norm ratio", "merged", "stayed", "note"):
        t.add_column(c, justify="left" if c in ("move", "note") else "right")
    for m in result["moves"]:
        t.add_row(escape(m["move"]), _fmt(m["moved"]), _fmt(m["after"]), f"{m['norm_ratio']:.3f}" if "norm_ratio" in m else "—",
                  ("yes" if m["merged"] else "no") if "merged" in m else "—", _fmt(m.get("stayed", 0.0)), escape(m.get("cost", "")))
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
    unready = result["not_ready"]
    if unready:
        out.print(f"§3.4 readiness: {len(unready)} okrug(s) receive functions but their district fails a condition "
                  "(readiness.csv, ILLUSTRATIVE), e.g.:", highlight=False)
        for r in unready[:5]:
            out.print(f"  {r['code']} {escape(r['name'])} (district {r['district']}): {escape(r['reasons'])}", highlight=False)
    flags = result["unfunded_mandates"]
    out.print(f"unfunded mandates (§3.3.1): {len(flags)} budget-year(s)"
              + (f", {_fmt(sum(f['unfunded'] for f in flags))} without money" if flags else ""), highlight=False)
    for p in paths:
        out.print(f"written: {p}", highlight=False, soft_wrap=True)
