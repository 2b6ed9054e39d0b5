"""A standalone HTML report of a run: interactive plotly charts (the library's JavaScript inlined, so it
works offline), maps of regions and districts, the metrics and, if given, stress-test distributions."""
from __future__ import annotations

import html
import json
import os
import tempfile
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from ..engine import Result
from ..errors import InterbudgetError
from ..hierarchy import DISTRICT, REGION

CREDIT = ("Boundaries: geokz (A. Rodionov), CC BY 4.0 — based on OCHA/HDX COD-AB Kazakhstan (UNHCR), city outlines "
          "© OpenStreetMap contributors; generalised.")


def _per_capita_net(res: Result, level: int, k: int, lang: str = "en") -> tuple[list[str], list[str], np.ndarray]:
    h, tr = res.hierarchy, res.transfers
    b = np.flatnonzero(h.b_level == level)
    units = h.budget_units[b]
    pop = h.population[units]
    net = (tr.subvention[b, k] - tr.withdrawal[b, k]) * 1000.0
    per = np.divide(net, pop, out=np.full(b.size, np.nan), where=pop > 0)
    return [h.codes[u] for u in units.tolist()], [h.name(int(u), lang) for u in units.tolist()], per


def choropleth(path: Path, codes: list[str], names: list[str], z, title: str, unit: str = "tenge per person",
               hover_unit: str | None = None) -> go.Figure | None:
    """A map of the units in PATH (geojson keyed by `kato`) coloured by Z, diverging around 0; None without the file."""
    if not path.is_file():
        return None
    gj = json.loads(path.read_text(encoding="utf-8"))
    fig = go.Figure(go.Choropleth(geojson=gj, featureidkey="properties.kato", locations=codes, z=z, text=names,
                                  colorscale="RdBu", zmid=0, colorbar_title=unit.replace(" per ", " / "),
                                  hovertemplate="%{text}<br>%{z:,.0f} " + (hover_unit or unit) + "<extra></extra>"))
    # no base map: plotly would fetch its world map from the internet for the layers it draws itself
    fig.update_geos(fitbounds="locations", visible=False, showland=False, showcountries=False, showcoastlines=False,
                    showocean=False, showlakes=False, showrivers=False, showframe=False, showsubunits=False)
    fig.update_layout(title=title, height=520, margin={"l": 0, "r": 0, "t": 50, "b": 0})
    return fig


def figures(res: Result, metrics: dict | None, stress: dict | None, geo_dir: Path | None,
            lang: str = "en") -> list[tuple[str, go.Figure]]:
    from ..i18n import catalog

    t = catalog(lang)["report_html"]
    h, tr = res.hierarchy, res.transfers
    k = 0
    year = res.years[k]
    out = []
    codes, names, per = _per_capita_net(res, REGION, k, lang)
    b = np.flatnonzero(h.b_level == REGION)
    fig = go.Figure([go.Bar(name=t["subvention"], x=names, y=tr.subvention[b, k] / 1e6),
                     go.Bar(name=t["withdrawal"], x=names, y=-tr.withdrawal[b, k] / 1e6)])
    fig.update_layout(barmode="relative", title=t["transfers_title"].format(year=year), height=460)
    out.append(("transfers", fig))
    if metrics is not None:
        rows = metrics["region_rows"]
        idx = h.unit_index()
        label = [h.name(idx[r["code"]], lang) if r["code"] in idx else r["name"] for r in rows]
        fig = go.Figure([go.Bar(name=t["before"], x=label, y=[r["capacity_before"] for r in rows]),
                         go.Bar(name=t["after"], x=label, y=[r["capacity_after"] for r in rows])])
        fig.update_layout(title=t["capacity_title"].format(year=year), height=420)
        out.append(("capacity", fig))
    if geo_dir is not None:
        for level, fname in ((REGION, "regions.geojson"), (DISTRICT, "districts.geojson")):
            codes, names, per = _per_capita_net(res, level, k, lang)
            fig = choropleth(geo_dir / fname, codes, names, per,
                             t["map_title_regions" if level == REGION else "map_title_districts"].format(year=year),
                             unit=t["per_person"], hover_unit=t["hover"])
            if fig is not None:
                out.append((f"map-{fname.split('.')[0]}", fig))
    if stress is not None:
        for r in stress["results"]:
            fig = go.Figure()
            for lv in r["levels"]:
                fig.add_trace(go.Bar(name=lv["level"], x=["p5", "median", "p95", "deterministic"],
                                     y=[lv["balance_p5"][0] / 1e6, lv["balance_p50"][0] / 1e6, lv["balance_p95"][0] / 1e6,
                                        lv["deterministic_balance"][0] / 1e6]))
            fig.update_layout(title=t["stress_title"].format(draws=f"{r['draws']:,}", scenario=r["scenario"], year=year),
                              barmode="group", height=420)
            out.append((f"stress-{r['scenario']}", fig))
    return out


# plotly's geo maps load a world base map (topojson) from the internet unless it is already in
# window.PlotlyGeoAssets: give it an empty one, so the report stays offline; our own boundaries are the map
_EMPTY_WORLD = {"type": "Topology", "arcs": [], "objects": {k: {"type": "GeometryCollection", "geometries": []} for k in
                ("coastlines", "land", "ocean", "lakes", "rivers", "countries", "subunits")}}
OFFLINE_GEO = ("<script>window.PlotlyGeoAssets = window.PlotlyGeoAssets || {topojson: {}};"
               f"window.PlotlyGeoAssets.topojson['world_110m'] = {json.dumps(_EMPTY_WORLD)};</script>")


def _programme_html(p: dict) -> str:
    """The programme status: counts, the measures (late first) with their evidence, this run's indicators."""
    e = html.escape
    counts = ", ".join(f"{s} {n}" for s, n in p["counts"].items() if n)
    rows = "".join(f"<tr><td>{e(r['status'])}</td><td>{e(r['id'])}</td><td>{e(r['section'])}</td><td>{e(r['due'])}</td>"
                   f"<td style='text-align:left'>{e(r['text']['en'])}</td><td style='text-align:left'>{e(r['evidence'])}</td></tr>"
                   for r in p["measures"])
    def fmt(t: dict, v) -> str:
        return "—" if v is None else f"{v:.1%}" if t["unit"] == "share" else f"{v:,.0f}"

    ind = "".join(f"<tr><td>{e(t['indicator'])}</td><td>{e(t['level'])}</td><td>{fmt(t, t['first'])}</td><td>{fmt(t, t['last'])}</td>"
                  f"<td>{t['trend']}</td><td>{'' if t['baseline'] is None else format(t['baseline'], '.0%')}</td></tr>"
                  for t in p["indicators"])
    return (f"<section id='programme'><h2>The reform as a programme, status on {e(p['at'])}</h2><p>{e(counts)}; a measure past its "
            "due date and not done is late.</p><table><tr><th>status</th><th>measure</th><th>§</th><th>due</th><th>text</th>"
            f"<th>evidence</th></tr>{rows}</table><h3>Indicators of this run</h3><table><tr><th>indicator</th><th>level</th>"
            f"<th>first year</th><th>last year</th><th>trend</th><th>concept baseline (§3.4)</th></tr>{ind}</table></section>")


def write_html(res: Result, path: Path, metrics: dict | None = None, stress: dict | None = None, geo_dir: Path | None = None,
               programme: dict | None = None, lang: str = "en") -> Path:
    """The report in LANG (kk, ru or en). It names the dataset by its folder's name and fingerprint, never by the
    path it was read from (a served report must not tell the server's directories). PROGRAMME
    (analysis.programme.report_status): the reform's measures by status and this run's indicators."""
    import hashlib

    from ..i18n import catalog

    cat = catalog(lang)
    t = cat["report_html"]
    figs = figures(res, metrics, stress, geo_dir, lang)
    fingerprint = hashlib.sha256(json.dumps(res.dataset.hashes(), sort_keys=True).encode()).hexdigest()
    parts = []
    for i, (name, fig) in enumerate(figs):
        parts.append(f'<section id="{name}">' + pio.to_html(fig, full_html=False, include_plotlyjs=(i == 0),
                                                             config={"displaylogo": False}) + "</section>")
    summary = ""
    if metrics is not None:
        rows = "".join(f"<tr><td>{html.escape(cat['levels'].get(r['level'], r['level']))}</td><td>{r['budgets']}</td>"
                       f"<td>{r['subvention_budgets']}</td><td>{r['withdrawal_budgets']}</td><td>{r['dependence']:.1%}</td></tr>"
                       for r in metrics["levels"])
        before, after = metrics["regions"]["before"], metrics["regions"]["after"]
        summary = (f"<h2>{html.escape(t['metrics'].format(year=metrics['year']))}</h2><p>"
                   f"{html.escape(t['gini'].format(before=format(before['gini'], '.3f'), after=format(after['gini'], '.3f')))}</p>"
                   f"<table><tr><th>{t['level']}</th><th>{t['budgets']}</th><th>{t['subvention']}</th><th>{t['withdrawal']}</th>"
                   f"<th>{t['dependence']}</th></tr>{rows}</table>")
    doc = f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>interbudget — {html.escape(res.scenario.name)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:1200px}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}footer{{color:#666;font-size:small;margin-top:2em}}</style></head>
<body>{OFFLINE_GEO}<h1>{html.escape(res.scenario.name)}</h1><p>{html.escape(res.scenario.description or '')}</p>
<p>{html.escape(t["basis"].format(years=", ".join(map(str, res.years)), option=res.scenario.option, dataset=Path(res.dataset.folder).name,
                                    fingerprint=fingerprint[:12]))}
{html.escape(t["amounts"])}</p>
{summary}
{_programme_html(programme) if programme is not None else ''}
{''.join(parts)}
<footer>{html.escape(t["made_by"])} {CREDIT if geo_dir is not None else ''}</footer></body></html>"""
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(suffix=".html", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(doc)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a report is to be read
        os.replace(tmp, path)
    except OSError as exc:
        raise InterbudgetError(f"{path}: cannot write the report ({exc.strerror})") from None
    return path
