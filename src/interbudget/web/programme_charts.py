"""The programme page's charts (plotly figures as HTML fragments; the library's JavaScript is served by the app
from the installed package, never a CDN): one chart per indicator and level across the published scenarios, the
concept's baseline as a line, and a timeline of the measures' due dates by status."""
from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

COLOURS = {"late": "#b00020", "in_progress": "#e0a100", "planned": "#1f5fa8", "unknown": "#888888", "done": "#2e7d32",
           "dropped": "#444444"}


def _html(fig: go.Figure, div_id: str) -> str:
    return pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=div_id, config={"displaylogo": False})


def timeline(rows: list[dict], p: dict, lang: str) -> list[tuple[str, str]]:
    """The measures with a due date, by date and status."""
    out = []
    dated = [r for r in rows if r["due"]]
    if dated:
        fig = go.Figure()
        for s in COLOURS:
            sel = [r for r in dated if r["status"] == s]
            if sel:
                fig.add_trace(go.Scatter(x=[r["due"] for r in sel], y=[r["id"] for r in sel], mode="markers", name=p["statuses"][s],
                                         marker={"size": 12, "color": COLOURS[s]}, text=[r["text"][lang] for r in sel],
                                         hovertemplate="%{text}<br>%{x}<extra></extra>"))
        fig.update_layout(title=p["timeline"], height=120 + 28 * len(dated), margin={"l": 220}, xaxis={"type": "date"})
        out.append(("chart-timeline", _html(fig, "chart-timeline")))
    return out


def indicator_charts(ind: dict, p: dict) -> list[tuple[str, str]]:
    """One chart per indicator and level: the published scenarios, a bar per year, the concept's baseline as a line."""
    out = []
    series: dict[tuple[str, str], dict[str, dict]] = {}
    units = {}
    for scen, trs in ind["scenarios"].items():
        for t in trs:
            series.setdefault((t["indicator"], t["level"]), {})[scen] = t
            units[(t["indicator"], t["level"])] = (t["unit"], t["baseline"])
    for (ind_id, level), per in series.items():
        unit, baseline = units[(ind_id, level)]
        years = sorted({y for t in per.values() for y in t["values"]}, key=int)
        scen = list(per)
        fig = go.Figure([go.Bar(name=str(y), x=scen, y=[per[s]["values"].get(y) for s in scen]) for y in years])
        if baseline is not None:
            fig.add_hline(y=baseline, line_dash="dash", annotation_text=p["baseline"])
        title = p["indicators_names"][ind_id] + (f" — {level}" if level else "")
        fig.update_layout(title=title, barmode="group", height=380, yaxis={"tickformat": ".0%"} if unit == "share" else {})
        div = f"chart-{ind_id}" + (f"-{level}" if level else "")
        out.append((div, _html(fig, div)))
    return out
