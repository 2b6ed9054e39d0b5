"""Build small datasets on disk and run the engine on them."""
from __future__ import annotations

import csv
from pathlib import Path

import yaml

from interbudget.dataset import load_dataset
from interbudget.engine import run
from interbudget.output import budgets_table, shares_table
from interbudget.scenario import Scenario

UNIT_COLS = ["code", "parent", "level", "name_kk", "name_ru", "name_en", "population"]


def write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def make_dataset(folder: Path, units: list[tuple], receipts: list[tuple], needs: list[tuple] = (),
                 actual: list[tuple] | None = None, norms=None, drivers=None, coefficients=None,
                 revised: list[tuple] | None = None, payers: list[list] | None = None, bases: list[list] | None = None,
                 networks: list[list] | None = None, areas: dict | None = None, programs: list[list] | None = None) -> Path:
    """units: (code, parent, level, population[, has_budget]); receipts: (code, year, tax, amount[, payer]);
    needs: (code, year, function, amount[, priority])."""
    folder.mkdir(parents=True, exist_ok=True)
    has_hb = any(len(u) > 4 for u in units)
    header = UNIT_COLS + (["has_budget"] if has_hb else []) + (["area_km2"] if areas is not None else [])
    rows = []
    for u in units:
        code, parent, level, pop = u[:4]
        row = [code, parent or "", level, f"{code} kk", f"{code} ru", f"{code} en", pop]
        if has_hb:
            row.append(("true" if u[4] else "false") if len(u) > 4 else "")
        if areas is not None:
            row.append(areas.get(code, ""))
        rows.append(row)
    write_csv(folder / "units.csv", header, rows)
    rec = lambda rs: [[r[0], r[1], r[2], r[4] if len(r) > 4 else "regional", r[3]] for r in rs]  # noqa: E731
    write_csv(folder / "receipts.csv", ["code", "year", "tax", "payer", "amount"], rec(receipts))
    if actual is not None:
        write_csv(folder / "receipts_actual.csv", ["code", "year", "tax", "payer", "amount"], rec(actual))
    if revised is not None:
        write_csv(folder / "receipts_revised.csv", ["code", "year", "tax", "payer", "amount"], rec(revised))
    if payers is not None:
        write_csv(folder / "payers.csv", ["payer", "base"], payers)
    if bases is not None:
        write_csv(folder / "bases.csv", ["code", "year", "tax", "base"], bases)
    if needs:
        write_csv(folder / "needs.csv", ["code", "year", "function", "priority", "amount"],
                  [[n[0], n[1], n[2], n[4] if len(n) > 4 else "mandatory", n[3]] for n in needs])
    if norms:
        write_csv(folder / "norms.csv", ["function", "level", "priority", "driver", "norm"], norms)
    if drivers:
        write_csv(folder / "drivers.csv", ["code", "year", "driver", "value"], drivers)
    if coefficients:
        with_factor = any(len(c) > 3 for c in coefficients)
        write_csv(folder / "coefficients.csv", ["code", "function", "coefficient"] + (["factor"] if with_factor else []), coefficients)
    if programs:
        write_csv(folder / "programs.csv", ["program", "code", "year", "cost", "score"], programs)
    if networks:
        write_csv(folder / "networks.csv", ["function", "level", "priority", "institution", "cost", "population_per_institution",
                                            "area_per_institution_km2", "max_distance_km"], networks)
    return folder


def write_scenario(path: Path, sc: dict) -> Path:
    path.write_text(yaml.safe_dump(sc, sort_keys=False), encoding="utf-8")
    return path


def simulate(folder: Path, sc: dict):
    """Run and return ({(track, code, year): row}, shares rows, result). The engine's arithmetic is under test
    here, on generated data that may repeat a row or share a tax without receipts (METHOD.md sums repeated rows
    and allows such a tax; the CLI refuses both unless --allow-duplicates / --allow-unknown-taxes, see
    test_silent_data.py)."""
    res = run(load_dataset(folder, allow_duplicates=True), Scenario.model_validate(sc), allow_unknown_taxes=True)
    rows = budgets_table(res).to_pylist()
    return {(r["track"], r["code"], r["year"]): r for r in rows}, shares_table(res).to_pylist(), res
