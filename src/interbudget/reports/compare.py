"""`compare --out`: compare.xlsx (the same tables as the terminal and compare.json) and a standalone compare.html
(tables, gains and losses of transfers and, apart from them, of balances by region, a map), plotly inlined (offline).

Rule-filled figures (basis.py) carry the mark † and a footnote in both.
"""
from __future__ import annotations

import html
import os
import tempfile
from pathlib import Path

from ..analysis.compare_table import Comparison
from ..basis import MARK, footnote
from ..errors import InterbudgetError

REGION_SHEET = "Regions"


def _atomic(path: Path, write) -> Path:
    fd, tmp = tempfile.mkstemp(suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a report is to be read
        os.replace(tmp, path)
    except OSError as exc:
        raise InterbudgetError(f"{path}: cannot write {path.name} ({exc.strerror})") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def region_columns(c: dict) -> list[tuple[str, str]]:
    names = c["scenarios"]
    return ([("code", "code"), ("name", "region"), ("population", "population")]
            + [(f"net_transfer[{n}]", f"net transfer: {n}") for n in names]
            + [(f"change[{n}]", f"Δ net transfer: {n}") for n in names[1:]]
            + [(f"change_per_capita_tenge[{n}]", f"Δ per person, tenge: {n}") for n in names[1:]]
            + [(f"capacity_after[{n}]", f"capacity after transfers: {n}") for n in names])


ROW_COLUMNS = ["code", "name", "level", "population", "net_before", "net_after", "change", "balance_before", "balance_after",
               "balance_change", "status_before", "status_after"]
BAND_COLUMNS = ["band", "budgets", "transfer_up", "transfer_down", "balance_up", "balance_down", "change", "balance_change",
                "change_per_capita_tenge"]


def write_compare_xlsx(c: Comparison | dict, path: Path, marks: dict[tuple[str, int], str]) -> Path:
    c = c.to_dict() if isinstance(c, Comparison) else c  # the compare.json layout: one column per scenario
    import xlsxwriter

    def write(tmp: Path):
        wb = xlsxwriter.Workbook(str(tmp), {"nan_inf_to_errors": True})
        head = wb.add_format({"bold": True, "bg_color": "#DDE6F0", "border": 1, "text_wrap": True})
        num = wb.add_format({"num_format": "#,##0.0"})

        def sheet(name: str, header: list[str], rows: list[list], note: str = ""):
            ws = wb.add_worksheet(name[:31])
            ws.write_row(0, 0, header, head)
            for i, row in enumerate(rows, start=1):
                for j, v in enumerate(row):
                    if isinstance(v, float):
                        ws.write_number(i, j, v, num)
                    else:
                        ws.write(i, j, v)
            if note:
                ws.write(len(rows) + 2, 0, note)
            ws.freeze_panes(1, 0)
            ws.set_column(0, len(header), 18)

        cols = region_columns(c)
        shown = [(r["code"], c["year"]) for r in c["regions"]]
        sheet(REGION_SHEET, [label for _, label in cols] + ["basis"],
              [[r[k] for k, _ in cols] + [MARK if (r["code"], c["year"]) in marks else ""] for r in c["regions"]],
              footnote(marks, shown))
        for i, cmp in enumerate(c["comparisons"], start=1):
            sheet(f"{i} budgets", ROW_COLUMNS, [[r[k] for k in ROW_COLUMNS] for r in cmp["rows"]], f"{cmp['from']} → {cmp['to']}")
            sheet(f"{i} bands", BAND_COLUMNS, [[b[k] for k in BAND_COLUMNS] for b in cmp["bands"]], f"{cmp['from']} → {cmp['to']}")
            sheet(f"{i} status changes", ["transition", "code"], [[k, code] for k, v in cmp["transitions"].items() for code in v],
                  f"{cmp['from']} → {cmp['to']}")
        wb.close()

    return _atomic(Path(path), write)


def _table(header: list[str], rows: list[list[str]]) -> str:
    return ("<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>"
            + "".join("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in r) + "</tr>" for r in rows) + "</table>")


def _n(v, digits: int = 0) -> str:
    if isinstance(v, float):
        return "n/a" if v != v else f"{v:,.{digits}f}".replace(",", "\u202f")
    return str(v)


def compare_figures(c: dict, geo_dir: Path | None):
    import plotly.graph_objects as go

    from .html import choropleth

    out = []
    names = c["scenarios"]
    labels = [f"{r['name']}" for r in c["regions"]]
    for n in names[1:]:
        fig = go.Figure([go.Bar(name="net transfer", x=labels, y=[r[f"change[{n}]"] / 1e6 for r in c["regions"]])])
        fig.update_layout(title=f"Gains and losses of net transfer by region, {names[0]} → {n}, {c['year']} (billion tenge)", height=440)
        out.append((f"transfer-{n}", fig))
    for i, cmp in enumerate(c["comparisons"]):
        regions = [r for r in cmp["rows"] if r["level"] == "region"]
        fig = go.Figure([go.Bar(name="net transfer", x=[r["name"] for r in regions], y=[r["change"] / 1e6 for r in regions]),
                         go.Bar(name="balance", x=[r["name"] for r in regions], y=[r["balance_change"] / 1e6 for r in regions])])
        fig.update_layout(title=f"Region budgets: transfer change beside balance change, {cmp['from']} → {cmp['to']} (billion tenge)",
                          barmode="group", height=440)
        out.append((f"balance-{i}", fig))
    if geo_dir is not None and len(names) > 1:
        n = names[1]
        fig = choropleth(geo_dir / "regions.geojson", [r["code"] for r in c["regions"]], labels,
                         [r[f"change_per_capita_tenge[{n}]"] for r in c["regions"]],
                         f"Change of net transfer per person, {names[0]} → {n}, {c['year']}")
        if fig is not None:
            out.append(("map-regions", fig))
    return out


def write_compare_html(c: Comparison | dict, path: Path, marks: dict[tuple[str, int], str], geo_dir: Path | None = None) -> Path:
    c = c.to_dict() if isinstance(c, Comparison) else c  # the compare.json layout: one column per scenario
    import plotly.io as pio

    from .html import CREDIT, OFFLINE_GEO

    cols = region_columns(c)
    shown = [(r["code"], c["year"]) for r in c["regions"]]
    regions = _table([label for _, label in cols],
                     [[(r["code"] + (f" {MARK}" if (r["code"], c["year"]) in marks else ""))]
                      + [_n(r[k], 3 if k.startswith("capacity") else 0) for k, _ in cols[1:]]
                      for r in c["regions"]])
    parts = [(f"<h2>Regions, {c['year']}: net transfer from the republic (subvention − withdrawal), thousand tenge</h2>"
              f"{regions}<p>{html.escape(footnote(marks, shown))}</p>")]
    for cmp in c["comparisons"]:
        tr = cmp["transitions"]
        parts.append(f"<h2>{html.escape(cmp['from'])} → {html.escape(cmp['to'])}</h2><p>"
                     + "; ".join(f"{html.escape(k.replace('_', ' '))}: {len(v)}" for k, v in tr.items()) + "</p>"
                     + "<p>A budget whose net transfer grows gains only if its balance grows: both are shown apart.</p>"
                     + _table(BAND_COLUMNS, [[_n(b[k]) for k in BAND_COLUMNS] for b in cmp["bands"]]))
        for key, what in (("transfer_gains", "largest transfer gains"), ("balance_gains", "largest balance gains"),
                          ("balance_losses", "largest balance losses")):
            parts.append(f"<h3>{what}</h3>" + _table(["code", "name", "level", "change", "balance_change"],
                                                   [[r["code"], r["name"], r["level"], _n(r["change"]), _n(r["balance_change"])]
                                                    for r in cmp[key]]))
    figs = compare_figures(c, geo_dir)
    charts = "".join(f'<section id="{k}">' + pio.to_html(f, full_html=False, include_plotlyjs=(i == 0), config={"displaylogo": False})
                     + "</section>" for i, (k, f) in enumerate(figs))
    title = " → ".join(c["scenarios"])
    doc = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>interbudget — compare {html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:1300px}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}footer{{color:#666;font-size:small;margin-top:2em}}</style></head>
<body>{OFFLINE_GEO}<h1>{html.escape(title)} ({c['year']})</h1>
{''.join(parts)}{charts}
<footer>Made by interbudget. {CREDIT if any(k.startswith('map') for k, _ in figs) else ''}</footer></body></html>"""
    return _atomic(Path(path), lambda tmp: tmp.write_text(doc, encoding="utf-8"))
