"""The scorecard's files: scorecard.csv (long), scorecard.xlsx (one sheet, scenarios side by side) and a standalone
scorecard.html (plotly inlined, offline) with the concept's words for each argument (kk/ru/en).

All three are written to a temporary folder beside the target and moved into place when complete.
"""
from __future__ import annotations

import html
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..analysis.scorecard import COLUMNS, SECTIONS, side_by_side
from ..errors import InterbudgetError
from ..i18n import catalog
from ..output import csv_bytes

FILES = ("scorecard.csv", "scorecard.xlsx", "scorecard.html")
KEYS = ["section", "indicator", "level", "code", "year", "unit"]


def scorecard_table(rows: list[dict]) -> pa.Table:
    return pa.table({c: pa.array([r[c] for r in rows], pa.float64() if c == "value" else pa.int64() if c == "year" else pa.string())
                     for c in COLUMNS})


def write_xlsx(rows: list[dict], path: Path) -> None:
    import xlsxwriter

    names, table = side_by_side(rows)
    wb = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
    head = wb.add_format({"bold": True, "bg_color": "#DDE6F0", "border": 1, "text_wrap": True})
    num = wb.add_format({"num_format": "#,##0.000"})
    ws = wb.add_worksheet("Scorecard")
    ws.write_row(0, 0, KEYS + names, head)
    for i, r in enumerate(table, start=1):
        ws.write_row(i, 0, [r[k] for k in KEYS])
        for j, n in enumerate(names):
            if n in r:
                ws.write_number(i, len(KEYS) + j, r[n], num)
    ws.freeze_panes(1, len(KEYS))
    ws.set_column(0, 1, 30)
    ws.set_column(len(KEYS), len(KEYS) + len(names), 18)
    wb.close()


def read_xlsx(path: Path) -> list[dict]:
    """The long rows back from scorecard.xlsx (for checks: the workbook holds the csv's numbers)."""
    from openpyxl import load_workbook

    ws = load_workbook(path, read_only=True, data_only=True)["Scorecard"]
    it: Iterator[tuple[Any, ...]] = ws.iter_rows(values_only=True)  # the cells write_xlsx wrote: text, numbers
    header = list(next(it))
    names = header[len(KEYS):]
    out = []
    for row in it:
        key = dict(zip(KEYS, row[:len(KEYS)], strict=False))
        for n, v in zip(names, row[len(KEYS):], strict=False):
            if v is not None:
                out.append({"scenario": n, "year": int(key["year"]), "level": key["level"], "code": key["code"] or "",
                            "indicator": key["indicator"], "value": float(v), "unit": key["unit"], "section": key["section"]})
    return out


def _fmt(v: float | None, unit: str) -> str:
    if v is None:
        return "—"
    if v != v:  # NaN
        return "n/a"
    if unit in ("budgets", "norms", "taxes", "1 yes / 0 no"):
        return f"{v:,.0f}".replace(",", "\u202f")
    if unit == "thousand tenge":
        return f"{v / 1e6:,.1f} bn".replace(",", "\u202f")
    return f"{v:.3f}"


def figures(rows: list[dict]):
    import plotly.graph_objects as go

    names = list(dict.fromkeys(r["scenario"] for r in rows))
    years = sorted({r["year"] for r in rows})
    last = years[-1]
    out = []

    def total(ind, level, year, scen):
        return next((r["value"] for r in rows if r["indicator"] == ind and r["level"] == level and r["code"] == ""
                     and r["year"] == year and r["scenario"] == scen), None)

    levels = list(dict.fromkeys(r["level"] for r in rows if r["indicator"] == "subvention_budgets"))
    fig = go.Figure([go.Bar(name=f"{n}: {ind.split('_')[0]}", x=levels, y=[total(ind, lv, last, n) for lv in levels])
                     for n in names for ind in ("subvention_budgets", "withdrawal_budgets")])
    fig.update_layout(title=f"Subvention and withdrawal budgets by level, {last}", barmode="group", height=420)
    out.append(("counts", fig))
    codes = sorted({r["code"] for r in rows if r["indicator"] == "hidden_withdrawal" and r["code"]})
    fig = go.Figure([go.Bar(name=n, x=codes, y=[sum(r["value"] for r in rows if r["indicator"] == "hidden_withdrawal" and r["code"] == c
                                                    and r["scenario"] == n) / 1e6 for c in codes]) for n in names])
    fig.update_layout(title="Hidden withdrawal by region, over the medium term (billion tenge)", barmode="group", height=420)
    out.append(("hidden", fig))
    fig = go.Figure([go.Bar(name=n, x=["republic", "local budgets"],
                            y=[(total("republic_shortfall_oil_p5", "republic", years[0], n) or 0) / 1e6,
                               (total("local_shortfall_oil_p5", "local", years[0], n) or 0) / 1e6]) for n in names])
    fig.update_layout(title=f"Shortfall against the plan under the oil shock, worst 5% of draws, {years[0]} (billion tenge)",
                      barmode="group", height=400)
    out.append(("oil", fig))
    fig = go.Figure([go.Scatter(name=n, x=years, y=[total("fixed_transfers_share_of_republic_revenue", "republic", y, n) for y in years],
                                mode="lines+markers") for n in names])
    fig.update_layout(title="Fixed subventions as a share of republican revenue", height=380, yaxis_tickformat=".0%")
    out.append(("fixed", fig))
    return out


def html_doc(rows: list[dict], lang: str = "en", title_note: str = "", options: dict[str, int] | None = None) -> str:
    import plotly.io as pio

    from .html import OFFLINE_GEO

    cat = catalog(lang)["scorecard"]
    names, table = side_by_side(rows)
    ind_names = cat["indicators"]
    sections = []
    for sec in SECTIONS:
        mine = [r for r in table if r["section"] == sec and r["code"] == ""]
        if not mine:
            continue
        meta = cat["sections"][sec]
        body = "".join(f"<tr><td>{html.escape(ind_names.get(r['indicator'], r['indicator']))}</td><td>{html.escape(r['level'])}</td>"
                       f"<td>{r['year']}</td>" + "".join(f"<td>{_fmt(r.get(n), r['unit'])}</td>" for n in names) + "</tr>" for r in mine)
        side = cat[meta["side"]] + (f" — {html.escape(meta['option'])}" if meta["option"] else "")
        sections.append(f'<section id="{sec}"><h2>{html.escape(meta["title"])}</h2><blockquote>{html.escape(cat["concept"])} '
                        f'({side}): «{html.escape(meta["words"])}»</blockquote><table><tr><th>{html.escape(cat["indicator"])}</th>'
                        f'<th>{html.escape(cat["level"])}</th><th>{html.escape(cat["year"])}</th>'
                        + "".join(f"<th>{html.escape(n)}" + (f"<br><small>{html.escape(cat['options'][str(options[n])])}</small>"
                                                            if options and n in options else "") + "</th>" for n in names)
                        + f"</tr>{body}</table></section>")
    charts = "".join(f'<section id="chart-{k}">' + pio.to_html(f, full_html=False, include_plotlyjs=(i == 0), config={"displaylogo": False})
                     + "</section>" for i, (k, f) in enumerate(figures(rows)))
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(cat['title'])}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:1300px}}table{{border-collapse:collapse;margin:.5em 0}}
td,th{{border:1px solid #ccc;padding:4px 8px}}td:nth-child(n+3){{text-align:right}}blockquote{{color:#444;font-style:italic}}</style></head>
<body>{OFFLINE_GEO}<h1>{html.escape(cat['title'])}</h1><p>{html.escape(cat['intro'])}</p><p>{html.escape(cat['illustrative'])}</p>
<p>{html.escape(title_note)}</p>{''.join(sections)}{charts}<footer>Made by interbudget (scorecard.csv holds every figure, per region too).</footer>
</body></html>"""


def write_scorecard(rows: list[dict], out: Path, lang: str = "en", note: str = "", options: dict[str, int] | None = None) -> dict[str, Path]:
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".interbudget-", dir=out))
    except OSError as exc:
        raise InterbudgetError(f"{out}: cannot create the output folder ({exc.strerror})") from None
    try:
        (tmp / FILES[0]).write_bytes(csv_bytes(scorecard_table(rows)))
        write_xlsx(rows, tmp / FILES[1])
        (tmp / FILES[2]).write_text(html_doc(rows, lang, note, options), encoding="utf-8")
        for n in FILES:
            os.chmod(tmp / n, 0o644)
            os.replace(tmp / n, out / n)
    except OSError as exc:
        raise InterbudgetError(f"{out}: cannot write the scorecard ({exc.strerror}); earlier files there are unchanged") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {n.split(".")[1]: out / n for n in FILES}
