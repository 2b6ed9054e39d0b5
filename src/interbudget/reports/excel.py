"""Excel: a workbook of a run (xlsxwriter) and the import of receipts and shares (openpyxl).

Finance departments live in Excel: the first sheet has the layout of the
published transfer law (region, year, subvention, withdrawal); the inputs
that produced the figures are in the workbook too.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import xlsxwriter

from ..basis import MARK, footnote, rule_filled
from ..engine import Result
from ..errors import InterbudgetError, Problem
from ..hierarchy import REGION
from ..output import budgets_table, shares_table
from ..scenario import scenario_dict

RECEIPT_COLUMNS = ["code", "year", "tax", "payer", "amount"]
SHARE_COLUMNS = ["tax", "region", "district", "rural"]


def _sheet(wb, name: str, header: list[str], rows, fmt_head, fmt_num, widths: dict[int, int] | None = None):
    ws = wb.add_worksheet(name)
    ws.write_row(0, 0, header, fmt_head)
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row):
            if isinstance(v, (float, np.floating)):
                ws.write_number(i, j, float(v), fmt_num)
            elif isinstance(v, (int, np.integer)) and not isinstance(v, bool):
                ws.write_number(i, j, int(v))
            else:
                ws.write(i, j, v)
    ws.freeze_panes(1, 0)
    for j in range(len(header)):
        ws.set_column(j, j, (widths or {}).get(j, 16))
    return ws


def write_workbook(res: Result, path: Path, lang: str = "en", programme: dict | None = None, reconciliation=None) -> Path:
    """PROGRAMME (analysis.programme.report_status): the reform's measures and this run's indicators, two sheets more;
    RECONCILIATION (analysis.reconcile.Reconciliation): adds the sheet of modelled vs published transfers."""
    h, tr = res.hierarchy, res.transfers
    path = Path(path)
    fd, tmp = tempfile.mkstemp(suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        wb = xlsxwriter.Workbook(tmp, {"nan_inf_to_errors": True})
        head = wb.add_format({"bold": True, "bg_color": "#DDE6F0", "border": 1, "text_wrap": True})
        num = wb.add_format({"num_format": "#,##0.0"})
        regions = np.flatnonzero(h.b_level == REGION)
        marks = rule_filled(res.dataset.folder)
        law = [[h.name(int(h.budget_units[b]), lang), h.b_codes[b], y, float(tr.subvention[b, k]), float(tr.withdrawal[b, k]),
                MARK if (h.b_codes[b], y) in marks else ""] for b in regions.tolist() for k, y in enumerate(res.years)]
        ws = _sheet(wb, "Transfers (law layout)", ["region", "code", "year", "subvention, thousand tenge", "withdrawal, thousand tenge",
                                                   "basis"], law, head, num, {0: 34, 5: 8})
        if note := footnote(marks, [(r[1], r[2]) for r in law]):
            ws.write(len(law) + 2, 0, note)
        bt = budgets_table(res)
        _sheet(wb, "Budgets", bt.column_names, zip(*(bt.column(c).to_pylist() for c in bt.column_names), strict=True), head, num)
        st = shares_table(res)
        _sheet(wb, "Computed shares", st.column_names, zip(*(st.column(c).to_pylist() for c in st.column_names), strict=True), head, num)
        # inputs: the scenario after inheritance, the files and their hashes, receipts by region and tax
        sc = scenario_dict(res.scenario)
        _sheet(wb, "Scenario", ["key", "value"], [[k, str(v)] for k, v in sc.items()], head, num, {0: 22, 1: 120})
        _sheet(wb, "Input files", ["file", "sha256"], sorted(res.dataset.hashes().items()), head, num, {0: 24, 1: 70})
        rec = res.dataset.receipts
        reg = h.anc[REGION][rec.unit]
        rows = []
        for y in res.years:
            sel = rec.year == y
            key = np.where(reg[sel] >= 0, reg[sel], h.republic).astype(np.int64) * len(res.taxes) + rec.tax[sel]
            sums = np.bincount(key, weights=rec.amount[sel], minlength=h.n * len(res.taxes))
            for idx in np.flatnonzero(sums):
                u, t = divmod(int(idx), len(res.taxes))
                rows.append([h.codes[u], h.name(u, lang), y, res.taxes[t], float(sums[idx])])
        _sheet(wb, "Receipts by region", ["code", "region", "year", "tax", "amount, thousand tenge"], rows, head, num, {1: 34})
        if programme is not None:
            _sheet(wb, "Programme", ["status", "recorded status", "measure", "§", "due", f"measure ({lang})", "lead", "evidence",
                                     "reference", f"status on {programme['at']}"],
                   [[r["status"], r["recorded_status"], r["id"], r["section"], r["due"], r["text"][lang], r["lead"], r["evidence"],
                     r["evidence_ref"], programme["at"]] for r in programme["measures"]], head, num, {5: 60, 7: 60})
            _sheet(wb, "Programme indicators", ["indicator", "level", "year", "value", "unit", "concept baseline"],
                   [[t["indicator"], t["level"], int(y), v, t["unit"], t["baseline"]] for t in programme["indicators"]
                    for y, v in t["values"].items()], head, num)
        if reconciliation is not None:
            from .reconcile import reconcile_sheet

            reconcile_sheet(wb, reconciliation, lang, lambda w, name, hd, rs, widths: _sheet(w, name, hd, rs, head, num, widths))
        _input_sheets(wb, res, head)
        wb.close()
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a report is to be read
        os.replace(tmp, path)
    except OSError as exc:
        raise InterbudgetError(f"{path}: cannot write the workbook ({exc.strerror})") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


#: rows of a worksheet (Excel's limit, the header aside)
SHEET_ROWS = 1_048_575


def _input_sheets(wb, res: Result, head) -> None:
    """The sheets `import-excel` reads back: the dataset's receipts row by row (codes as text, amounts at full
    precision) and the scenario's sharing norms."""
    ds = res.dataset
    rec = ds.receipts
    if rec.amount.size <= SHEET_ROWS:
        full = wb.add_format({"num_format": "0.0##############"})
        codes, taxes, payers = ds.hierarchy.codes, ds.taxes, ds.payer_names
        ws = wb.add_worksheet("Receipts")
        ws.write_row(0, 0, RECEIPT_COLUMNS, head)
        for i, (u, y, t, p, a) in enumerate(zip(rec.unit.tolist(), rec.year.tolist(), rec.tax.tolist(), rec.payer.tolist(),
                                                 rec.amount.tolist(), strict=True), start=1):
            ws.write_string(i, 0, codes[u])
            ws.write_number(i, 1, y)
            ws.write_string(i, 2, taxes[t])
            ws.write_string(i, 3, payers[p])
            ws.write_number(i, 4, a, full)
        ws.freeze_panes(1, 0)
    shares = [[tax, ts.region, ts.district, ts.rural] for tax, ts in res.scenario.sharing.items()]
    _sheet(wb, "Shares", SHARE_COLUMNS, shares, head, wb.add_format({"num_format": "0.0##############"}))


def _code(v, row: int, where: str, spelled: dict[int, list[str]] | None, known: set[str] | None, problems: list[Problem]) -> str | None:
    """A unit code as units.csv spells it. A code typed as a number in Excel has lost any leading zeros: it is
    restored only when exactly one code of units.csv has that value, never guessed."""
    if isinstance(v, str) or v is None:
        code = (v or "").strip()
        if not code:
            problems.append(Problem(where, "empty code", f"row {row}", "code"))
        elif known is not None and code not in known:
            problems.append(Problem(where, f"unknown unit code '{code}' (not in units.csv)", f"row {row}", "code"))
        else:
            return code
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or int(v) != v or v < 0:
        problems.append(Problem(where, f"'{v}' is not a unit code", f"row {row}", "code"))
        return None
    n = int(v)
    if spelled is None:
        problems.append(Problem(where, f"code {n} is a number in Excel, so leading zeros may be lost: format the column as "
                                "text, or give --dataset to restore codes as units.csv spells them", f"row {row}", "code"))
        return None
    found = spelled.get(n, [])
    if len(found) != 1:
        what = "no code of units.csv has this value" if not found else f"ambiguous: {', '.join(found)} in units.csv"
        problems.append(Problem(where, f"code {n} is a number in Excel and {what}; format the column as text", f"row {row}", "code"))
        return None
    return found[0]


def read_workbook(path: Path, codes: list[str] | None = None) -> tuple[list[list], dict[str, dict[str, float]]]:
    """Receipts (sheet "Receipts": code, year, tax, payer, amount) and shares (sheet "Shares": tax, region,
    district, rural) from a workbook in the layout the workbook of a run (`report`) uses; problems name sheet,
    row, column. CODES (units.csv's): codes must be among them, and codes typed as numbers are restored
    as spelled there when exactly one matches; without CODES a code typed as a number is refused."""
    from openpyxl import load_workbook

    path = Path(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 -- openpyxl raises many kinds for a file that is not a workbook
        raise InterbudgetError(Problem(path.name, f"not an Excel workbook ({type(exc).__name__})")) from None
    problems: list[Problem] = []

    def rows_of(name: str, columns: list[str]):
        if name not in wb.sheetnames:
            return []
        it = wb[name].iter_rows(values_only=True)
        header = [str(c).strip().lower() if c is not None else "" for c in next(it, [])]
        missing = [c for c in columns if c not in header]
        if missing:
            problems.append(Problem(f"{path.name} [{name}]", f"missing column(s) {', '.join(missing)}", "row 1"))
            return []
        pos = [header.index(c) for c in columns]
        return [(i, [row[p] for p in pos]) for i, row in enumerate(it, start=2) if any(v is not None for v in row)]

    known = set(codes) if codes is not None else None
    spelled: dict[int, list[str]] | None = None
    if codes is not None:
        spelled = {}
        for c in codes:
            if c.isdigit():
                spelled.setdefault(int(c), []).append(c)
    receipts = []
    where = f"{path.name} [Receipts]"
    for i, (code, year, tax, payer, amount) in rows_of("Receipts", RECEIPT_COLUMNS):
        code = _code(code, i, where, spelled, known, problems)
        if code is None:
            continue
        if not isinstance(amount, (int, float)):
            problems.append(Problem(f"{path.name} [Receipts]", f"'{amount}' is not a number", f"row {i}", "amount"))
            continue
        if not isinstance(year, (int, float)) or int(year) != year:
            problems.append(Problem(f"{path.name} [Receipts]", f"'{year}' is not a year", f"row {i}", "year"))
            continue
        receipts.append([code, int(year), str(tax).strip(), str(payer or "regional").strip(), float(amount)])
    sharing: dict[str, dict[str, float]] = {}
    for i, (tax, *levels) in rows_of("Shares", SHARE_COLUMNS):
        shares = {}
        for name, v in zip(("region", "district", "rural"), levels, strict=True):
            if v in (None, ""):
                continue
            if not isinstance(v, (int, float)) or not 0 <= v <= 1:
                problems.append(Problem(f"{path.name} [Shares]", f"share '{v}' is not in [0, 1]", f"row {i}", name))
                continue
            shares[name] = float(v)
        sharing[str(tax).strip()] = shares
    if "Receipts" not in wb.sheetnames and "Shares" not in wb.sheetnames:
        problems.append(Problem(path.name, "no sheet named Receipts or Shares"))
    if problems:
        raise InterbudgetError(problems)
    return receipts, sharing
