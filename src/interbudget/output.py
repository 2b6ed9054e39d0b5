"""Result files (METHOD.md "Output"): budgets.csv, shares.csv, manifest.json.

Files are written to a temporary folder beside the target and moved into
place only when all of them are complete, so a failed run never leaves a
half-written or mixed set of results.
"""
from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from ._version import __version__
from .engine import Result
from .errors import InterbudgetError
from .hierarchy import LEVELS
from .scenario import scenario_dict
from .tables.arrow import from_np

BUDGET_COLUMNS = ["track", "code", "year", "level", "needs", "revenue", "subvention_received", "withdrawal_paid",
                  "subventions_paid", "withdrawals_received", "balance"]
SHARE_COLUMNS = ["code", "tax", "level", "share", "first_year", "last_year"]


def budgets_table(res: Result) -> pa.Table:
    """One row per track, budget and year; sorted by track, level, code, year."""
    h = res.hierarchy
    order = np.lexsort((h.b_codes.astype(str), h.b_level))
    parts = []
    for track in res.tracks:
        tr = track.transfers
        pos = np.asarray(track.year_pos)
        nb, ny = order.size, pos.size
        b = np.repeat(order, ny)
        y = np.tile(pos, nb)

        def col(a: np.ndarray, b: np.ndarray = b, y: np.ndarray = y) -> pa.Array:
            return from_np(a[b, y] + 0.0)  # + 0.0 turns -0.0 into 0.0

        parts.append(pa.table({
            "track": pa.array([track.name] * (nb * ny)),
            "code": pa.array(h.b_codes[b].tolist(), pa.string()),
            "year": from_np(np.asarray(res.years, dtype=np.int64)[y]),
            "level": pa.array(np.asarray(LEVELS, dtype=object)[h.b_level[b]].tolist(), pa.string()),
            "needs": col(res.needs if track.needs is None else track.needs),
            "revenue": col(track.revenue),
            "subvention_received": col(tr.subvention),
            "withdrawal_paid": col(tr.withdrawal),
            "subventions_paid": col(tr.subventions_paid),
            "withdrawals_received": col(tr.withdrawals_received),
            "balance": col(track.balance),
        }))
    return pa.concat_tables(parts)


def shares_table(res: Result) -> pa.Table:
    rows = res.shares_rows()
    return pa.table({
        "code": pa.array([r["code"] for r in rows], pa.string()),
        "tax": pa.array([r["tax"] for r in rows], pa.string()),
        "level": pa.array([r["level"] for r in rows], pa.string()),
        "share": pa.array([float(r["share"]) + 0.0 for r in rows], pa.float64()),
        "first_year": pa.array([r["first_year"] for r in rows], pa.int64()),
        "last_year": pa.array([r["last_year"] for r in rows], pa.int64()),
    })


COVERAGE_COLUMNS = ["code", "year", "level", "mandatory", "basic", "additional", "mandatory_from_revenue", "category1",
                    "basic_covered", "additional_covered", "basic_uncovered", "additional_uncovered", "surplus", "category2"]


def coverage_table(res: Result) -> pa.Table | None:
    """Targeted model: per budget and year, which priority tiers are covered and by what (plan track)."""
    cv = res.coverage
    if cv is None:
        return None
    h = res.hierarchy
    nb, ny = cv.mandatory.shape
    b = np.repeat(np.arange(nb), ny)
    y = np.tile(np.arange(ny), nb)
    col = lambda a: a[b, y] + 0.0  # noqa: E731
    return pa.table({
        "code": pa.array(h.b_codes[b].tolist(), pa.string()), "year": pa.array(np.asarray(res.years)[y], pa.int64()),
        "level": pa.array(np.asarray(LEVELS, dtype=object)[h.b_level[b]].tolist(), pa.string()),
        "mandatory": col(cv.mandatory), "basic": col(cv.basic), "additional": col(cv.additional),
        "mandatory_from_revenue": col(cv.mandatory - cv.category1), "category1": col(cv.category1),
        "basic_covered": col(cv.basic_covered), "additional_covered": col(cv.additional_covered),
        "basic_uncovered": col(cv.basic - cv.basic_covered), "additional_uncovered": col(cv.additional - cv.additional_covered),
        "surplus": col(cv.surplus), "category2": col(cv.category2),
    })


def programs_table(res: Result) -> pa.Table | None:
    if res.programs is None or not res.programs.rows:
        return None
    rows = res.programs.rows
    return pa.table({k: pa.array([r[k] for r in rows]) for k in ("program", "code", "year", "cost", "score", "funded", "capped")})


def envelope_table(res: Result) -> pa.Table | None:
    if res.envelope is None or not res.envelope.rows:
        return None
    rows = res.envelope.rows
    return pa.table({k: pa.array([r[k] for r in rows]) for k in ("year", "code", "need", "last", "floor", "ceiling", "allocated",
                                                                 "bound", "scale")})


def mandates_table(res: Result) -> pa.Table | None:
    if not res.mandates:
        return None
    keys = ("mandate", "code", "year", "decided_by", "cost", "compensated", "unfunded")
    return pa.table({k: pa.array([r[k] for r in res.mandates]) for k in keys})


def manifest(res: Result, scenario_files: list[Path]) -> dict:
    from .dataset import NEEDS_BASES, sha256_file
    from .review import review

    return {
        "interbudget_version": __version__,
        "scenario": scenario_dict(res.scenario),
        "scenario_files": {str(p): sha256_file(p) for p in scenario_files},
        "dataset": str(res.dataset.folder),
        "dataset_files": res.dataset.hashes(),
        "needs_basis": {"basis": res.dataset.needs_basis, "file": NEEDS_BASES[res.dataset.needs_basis] + ".csv"},
        "years": res.years,
        "tracks": [t.name for t in res.tracks],
        "warnings": res.warnings,
        # what a reviewer would raise: needs left unfunded, budgets in deficit on the plan (review.py)
        "review": review(res),
    }


def csv_bytes(table: pa.Table) -> bytes:
    """Plain CSV; Arrow's "needed" style quotes every string, so quote only if a
    value really contains a comma, quote or line break ("none" refuses those)."""
    for style in ("none", "all_valid"):
        sink = io.BytesIO()
        sink.write((",".join(table.column_names) + "\n").encode())
        try:
            pacsv.write_csv(table, sink, write_options=pacsv.WriteOptions(include_header=False, quoting_style=style))
        except pa.ArrowInvalid:
            continue
        return sink.getvalue()
    raise AssertionError("all_valid quoting writes any table")


def _write_csv(table: pa.Table, path: Path) -> None:
    path.write_bytes(csv_bytes(table))


def write_results(res: Result, out: str | Path, scenario_files: list[Path]) -> dict[str, Path]:
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".interbudget-", dir=out))
    except OSError as exc:
        raise InterbudgetError(f"{out}: cannot create the output folder ({exc.strerror})") from None
    names = {"budgets": "budgets.csv", "shares": "shares.csv", "manifest": "manifest.json"}
    extra = {"coverage": coverage_table(res), "programs_funded": programs_table(res), "envelope": envelope_table(res),
             "mandates": mandates_table(res)}
    from .output_debt import tables as debt_tables  # sequestration and borrowing

    extra.update(debt_tables(res))
    names.update({k: f"{k}.csv" for k, t in extra.items() if t is not None})
    try:
        _write_csv(budgets_table(res), tmp / names["budgets"])
        _write_csv(shares_table(res), tmp / names["shares"])
        for k, t in extra.items():
            if t is not None:
                _write_csv(t, tmp / names[k])
        (tmp / names["manifest"]).write_text(json.dumps(manifest(res, scenario_files), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        for n in names.values():  # all complete: move them into place
            os.replace(tmp / n, out / n)
    except OSError as exc:
        raise InterbudgetError(f"{out}: cannot write results ({exc.strerror}); earlier results there are unchanged") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {k: out / v for k, v in names.items()}
