"""Downloads of a run: budgets.csv (a region's rows only for a shared draft), the Excel workbook and the HTML report."""
from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI, HTTPException, Query
from fastapi.responses import Response

from .access import View, Viewer, region_of
from .common import lang_ok
from .security import attachment_header


def _download(body: bytes, media: str, filename: str) -> Response:
    return Response(body, media_type=media, headers=attachment_header(filename))


def _full_report_only(v: View) -> None:
    if v.region is not None:
        raise HTTPException(403, "the full report of a draft is for the ministry; your region's figures are in budgets.csv")


def register(app: FastAPI, site) -> None:
    wb = site.wb
    dataset = wb.dataset_path
    viewer_dep = Depends(site.viewer)

    @app.get("/download/{scenario}/budgets.csv")
    def download_csv(scenario: str, version: int | None = Query(None, ge=1), viewer: Viewer = viewer_dep):
        """budgets.csv of the run, as `simulate` writes it (METHOD.md columns); a region's rows only for a shared draft."""
        import pyarrow as pa
        import pyarrow.compute as pc

        from ..output import budgets_table, csv_bytes

        v = wb.view(viewer, scenario, version)
        res = wb.result(v)
        table = budgets_table(res)
        if v.region is not None:
            h = res.hierarchy
            allowed = h.codes[region_of(h, h.codes) == v.region].tolist()
            table = table.filter(pc.is_in(table["code"], value_set=pa.array(allowed)))
        return _download(csv_bytes(table), "text/csv; charset=utf-8", f"{scenario}-budgets.csv")

    @app.get("/download/{scenario}/report.xlsx")
    def download_xlsx(scenario: str, lang: str = "en", version: int | None = Query(None, ge=1), viewer: Viewer = viewer_dep):
        """The Excel workbook of the run (the law's layout), as `report` writes it."""
        import tempfile

        from ..reports.excel import write_workbook
        from .reconcile import published_reconciliation

        v = wb.view(viewer, scenario, version)
        _full_report_only(v)
        res = wb.result(v)
        with tempfile.TemporaryDirectory() as tmp:
            rec = published_reconciliation(res, dataset, lang)
            body = write_workbook(res, Path(tmp) / "report.xlsx", lang_ok(lang), app.state.programme_report(res), rec).read_bytes()
        return _download(body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"{scenario}-report.xlsx")

    @app.get("/download/{scenario}/report.html")
    def download_html(scenario: str, lang: str = "en", version: int | None = Query(None, ge=1), viewer: Viewer = viewer_dep):
        """The standalone HTML report (charts, and maps where the dataset has geo/) in LANG, as `report` writes it."""
        import tempfile

        from ..analysis.metrics import metrics
        from ..reports.html import write_html

        v = wb.view(viewer, scenario, version)
        _full_report_only(v)
        res = wb.result(v)
        geo = Path(dataset) / "geo"
        with tempfile.TemporaryDirectory() as tmp:
            page = write_html(res, Path(tmp) / "report.html", metrics(res, 0, f"{scenario}@v{v.version}"), None,
                              geo if geo.is_dir() else None, app.state.programme_report(res), lang_ok(lang))
            return _download(page.read_bytes(), "text/html; charset=utf-8", f"{scenario}-report.html")
