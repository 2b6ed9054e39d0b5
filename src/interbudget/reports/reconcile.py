"""The reconciliation sheet of the Excel report: modelled vs published transfers per region and year (§3.3.3)."""
from __future__ import annotations

from ..i18n import catalog

COLUMNS = ["region", "code", "year", "modelled_subvention", "modelled_withdrawal", "published_subvention", "published_withdrawal",
           "modelled", "published", "difference", "modelled_status", "published_status"]


def reconcile_sheet(wb, rec, lang: str, sheet) -> None:
    """Add the sheet to an open xlsxwriter workbook; SHEET is excel._sheet bound to the workbook's formats.
    Regions of the scenario missing from the published file, and years of the file outside the scenario,
    follow the table, so nothing is dropped."""
    r = catalog(lang)["reconcile"]
    rows = [[x["name"], x["code"], x["year"], *(x[c] for c in COLUMNS[3:10]), r["status_" + x["modelled_status"]],
             r["status_" + x["published_status"]]] for x in rec.regions]
    for s in rec.years:
        if s.missing_in_published:
            rows.append([r["missing_in_published"], ", ".join(s.missing_in_published), s.year])
    if rec.missing_in_model:
        rows.append([r["missing_in_model"], ", ".join(map(str, rec.missing_in_model))])
    header = [r[c] for c in COLUMNS]
    sheet(wb, r["sheet"], header, rows, {0: 34})
