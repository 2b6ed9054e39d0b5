"""programme status | validate: the concept's measures, their status on a date, and the indicators computed
from the published scenarios."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from ._common import BUNDLED_KZ, BUNDLED_REGISTRY, app, out, reported, write_json

BUNDLED_PROGRAMME = Path(__file__).resolve().parents[3] / "programme" / "kz"
BUNDLED_SCENARIOS = Path(__file__).resolve().parents[3] / "scenarios"

programme_app = typer.Typer(no_args_is_help=True, help="The reform as a programme: measures, acts, preconditions, indicators.")
app.add_typer(programme_app, name="programme")

ProgrammeOpt = typer.Option(None, "--programme", help="Programme folder (measures.csv, acts.csv, preconditions.csv; default programme/kz).")
RegistryOpt = typer.Option(None, "--registry", help="Functions registry the links are checked against (default registry/kz).")
ScenariosOpt = typer.Option(None, "--scenarios", help="Folder of the published scenarios (default scenarios/).")


def _pct(x) -> str:
    return "—" if x is None else f"{x:.1%}"


def _value(unit: str, x) -> str:
    if x is None:
        return "—"
    return _pct(x) if unit == "share" else f"{x:,.0f}".replace(",", " ")


@programme_app.command("validate")
def programme_validate(programme: Path = typer.Argument(None, help="Programme folder (default programme/kz)."),
                       registry: Path = RegistryOpt, scenarios: Path = ScenariosOpt) -> None:
    """Check the programme files and every link (registry functions, proposals, scenarios, preconditions)."""
    from ..programme.data import load_for

    with reported():
        prog = load_for(programme or BUNDLED_PROGRAMME, registry or BUNDLED_REGISTRY, scenarios or BUNDLED_SCENARIOS)
    out.print(f"{prog.folder}: {len(prog.measures)} measures, {len(prog.acts)} acts, {len(prog.preconditions)} preconditions: ok",
              highlight=False)


@programme_app.command("status")
def programme_status(
    at: str = typer.Option(None, "--at", help="The date the status is read on (YYYY-MM-DD; default today)."),
    programme: Path = ProgrammeOpt, registry: Path = RegistryOpt, scenarios: Path = ScenariosOpt,
    dataset: Path = typer.Option(None, "--dataset", help="Dataset the scenarios run on (default data/kz)."),
    store: str = typer.Option(None, "--store", help="Also read the status updates recorded in the web workbench's store."),
    lang: str = typer.Option("en", "--lang", help="Language of the measures: kk, ru or en."),
    json_out: Path = typer.Option(None, "--json", help="Also write everything as JSON to this file."),
) -> None:
    """Measures by status (late ones first: past due and not done at --at), and the indicators of the published
    scenarios with their trend over the medium term."""
    from ..analysis.programme import indicators
    from ..dataset import load_dataset
    from ..engine import run
    from ..functions.registry import load_registry
    from ..hierarchy import REGION
    from ..i18n import catalog
    from ..programme.data import load_for
    from ..programme.status import counts, measure_rows, parse_day
    from ..scenario import load_scenario

    with reported(json_out):
        day = parse_day(at)
        cat = catalog(lang)["programme"]
        reg = load_registry(registry or BUNDLED_REGISTRY)
        folder = scenarios or BUNDLED_SCENARIOS
        ds = load_dataset(dataset or BUNDLED_KZ)
        h = ds.hierarchy
        prog = load_for(programme or BUNDLED_PROGRAMME, registry or BUNDLED_REGISTRY, folder, reg,
                        regions=h.codes[h.level == REGION].tolist())
        ups = []
        if store:
            from ..store import Store
            from ..store.programme import updates

            st = Store.open(store)
            try:
                ups = updates(st, prog.folder.name)
            finally:
                st.close()
        rows = measure_rows(prog, day, ups)
        results = {}
        for p in sorted(Path(folder).glob("*.yaml")):
            results[p.stem] = run(ds, load_scenario(p)[0], p.name)
        ind = indicators(results, reg)
        if json_out is not None:
            write_json(json_out.parent, json_out.name, {"at": day.isoformat(), "counts": counts(rows),
                       "measures": [{k: v for k, v in r.items() if k != "trail"} for r in rows], "indicators": ind})
    c = counts(rows)
    t = Table(title=f"{cat['title']}: {cat['at'].lower()} {day.isoformat()} — " +
              ", ".join(f"{cat['statuses'][s]} {n}" for s, n in c.items() if n))
    for col in ("status", "id", "§", "due", "measure", "lead", "evidence"):
        t.add_column(col, overflow="fold")
    for r in rows:
        st_ = cat["statuses"][r["status"]] + ("" if r["recorded_status"] == r["status"] else f" ({cat['statuses'][r['recorded_status']]})")
        t.add_row(st_, r["id"], r["section"], r["due"], escape(r["text"][lang]), escape(cat["bodies"][r["lead"]]),
                  escape(r["evidence"]))
    out.print(t)
    t = Table(title=f"{cat['indicators']} ({len(results)} scenarios of {folder}); {cat['baseline'].lower()}: "
              f"{ind['baseline']['text']} ({ind['baseline']['section']})")
    for col in ("scenario", "indicator", "level", "first", "last", "trend", "baseline"):
        t.add_column(col, justify="right" if col in ("first", "last") else "left")
    for name, trs in ind["scenarios"].items():
        for tr in trs:
            t.add_row(name, cat["indicators_names"][tr["indicator"]], tr["level"],
                      f"{tr['first_year']}: {_value(tr['unit'], tr['first'])}", f"{tr['last_year']}: {_value(tr['unit'], tr['last'])}",
                      tr["trend"], _pct(tr["baseline"]) if tr["baseline"] is not None else "")
    out.print(t)
    t = Table(title=cat["registry_indicators"])
    for col in ("indicator", "count", "of", "value"):
        t.add_column(col)
    for r in ind["registry"]:
        t.add_row(cat["indicators_names"][r["indicator"]], str(r["count"]), str(r["of"]), _value(r["unit"], r["value"]))
    out.print(t)
