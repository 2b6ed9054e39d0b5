"""A server-side SVG choropleth of the regions, or of one region's districts, for the web dashboard.

Boundaries: the dataset's `geo/regions.geojson` and `geo/districts.geojson` (geokz, CC BY 4.0; see
`data/kz/geo/SOURCES.md`). Units are joined to features exactly as the HTML report does
(`reports/html.py`, `figures`: `featureidkey="properties.kato"`, `locations=` the unit codes): a unit's
9-digit KATO code equals the feature's `properties.kato`; nothing else is matched (no name or alias
look-up). On data/kz that joins all 20 regions and 218 of the 228 districts (the other ten have
provisional codes or no polygon of their own; see SOURCES.md).

Cost: each file is parsed once per (path, mtime, size) and kept as lon/lat arrays; each view (the set of
codes drawn) is projected, rounded, simplified and turned into path strings once and kept too, so a
request only colours and joins cached strings. No plotly, no JavaScript, no external CSS.
"""
from __future__ import annotations

import html
import json
import math
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np

# the join of reports/html.py (featureidkey="properties.kato" for both levels)
REGIONS, DISTRICTS = "regions.geojson", "districts.geojson"
KEY = "kato"
# the attribution the boundary licence asks for; the same text as reports.html.CREDIT (a test keeps them
# equal: importing that module here would load plotly on every dashboard start)
CREDIT = ("Boundaries: geokz (A. Rodionov), CC BY 4.0 — based on OCHA/HDX COD-AB Kazakhstan (UNHCR), city outlines "
          "© OpenStreetMap contributors; generalised.")

# ColorBrewer "Blues", 6 classes, light to dark; grey for a unit with no value
COLOURS = ("#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
MISSING = "#cfcfcf"

WIDTH = 1000.0       # viewBox width; the map is fitted into WIDTH x MAX_H less the padding
MAX_H = 700.0
PAD = 10.0
LEGEND_H = 58.0      # legend row and attribution row below the map
GRID = 10            # coordinates are kept in tenths of a viewBox unit (one decimal)
TOLERANCE = 3        # Douglas-Peucker tolerance in tenths of a unit (0.3 unit, about 0.3 px at 1000 px)


class _Feature:
    __slots__ = ("bbox", "name", "starts", "xy")

    def __init__(self, name: str, rings: list[list]):
        self.name = name
        arrays = [np.asarray(r, dtype=float)[:, :2] for r in rings if len(r) >= 4]
        self.xy = np.concatenate(arrays) if arrays else np.zeros((0, 2))
        self.starts = np.cumsum([0] + [len(a) for a in arrays])
        self.bbox = (*self.xy.min(0), *self.xy.max(0)) if arrays else None


def _rings(geom: dict) -> list[list]:
    if geom is None:
        return []
    if geom["type"] == "Polygon":
        return list(geom["coordinates"])
    if geom["type"] == "MultiPolygon":
        return [r for poly in geom["coordinates"] for r in poly]
    return []


@lru_cache(maxsize=8)
def _features(path: str, mtime_ns: int, size: int) -> dict[str, _Feature]:
    """Code -> feature, parsed once per file version (mtime and size are part of the key)."""
    gj = json.loads(Path(path).read_text(encoding="utf-8"))
    out = {}
    for f in gj.get("features", []):
        props = f.get("properties") or {}
        code = props.get(KEY)
        if code is None:
            continue
        feat = _Feature(str(props.get("name") or code), _rings(f.get("geometry")))
        if feat.bbox is not None:
            out[str(code)] = feat
    return out


def _douglas_peucker(p: np.ndarray, tol: float) -> np.ndarray:
    """Mask of the vertices of polyline P kept by Douglas-Peucker at tolerance TOL (both ends kept; a closed
    ring, whose ends coincide, is split at the vertex farthest from them)."""
    n = len(p)
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        a = p[i]
        d = p[j] - a
        seg = p[i + 1:j] - a
        length = math.hypot(d[0], d[1])
        if length > 0:
            dist = np.abs(d[0] * seg[:, 1] - d[1] * seg[:, 0]) / length
        else:
            dist = np.hypot(seg[:, 0], seg[:, 1])
        k = int(dist.argmax())
        if dist[k] > tol:
            m = i + 1 + k
            keep[m] = True
            stack.append((i, m))
            stack.append((m, j))
    return keep


def _num(v: int) -> str:
    """A coordinate in tenths as the shortest SVG number: 12 -> '1.2', 10 -> '1', -5 -> '-.5'."""
    q, r = divmod(abs(v), GRID)
    s = f"{q}.{r}" if r else str(q)
    if s.startswith("0."):
        s = s[1:]
    return "-" + s if v < 0 else s


def _ring_path(q: np.ndarray) -> str:
    """One closed ring (integer tenths, consecutive duplicates already dropped) as 'M x y l dx dy ... z'."""
    d = np.diff(q[:-1], axis=0)   # the closing vertex is implied by 'z'
    start = " ".join(map(_num, q[0].tolist()))
    rel = " ".join(map(_num, d.ravel().tolist()))
    return ("M" + start + "l" + rel + "z").replace(" -", "-")


@lru_cache(maxsize=256)
def _view(path: str, mtime_ns: int, size: int, codes: tuple[str, ...]) -> tuple[float, tuple[tuple[str, str], ...]]:
    """The drawing of CODES: (map height in viewBox units, ((code, path d), ...)), zoomed to their bounding box.
    Equirectangular projection with x scaled by cos(mean latitude of the view), y pointing down."""
    feats = _features(path, mtime_ns, size)
    boxes = np.array([feats[c].bbox for c in codes])
    x0, y0 = boxes[:, 0].min(), boxes[:, 1].min()
    x1, y1 = boxes[:, 2].max(), boxes[:, 3].max()
    kx = math.cos(math.radians((y0 + y1) / 2))
    w, h = max((x1 - x0) * kx, 1e-9), max(y1 - y0, 1e-9)
    s = min((WIDTH - 2 * PAD) / w, (MAX_H - 2 * PAD) / h)
    ox = PAD + ((WIDTH - 2 * PAD) - w * s) / 2
    out = []
    for c in codes:
        f = feats[c]
        xy = np.empty_like(f.xy)
        xy[:, 0] = ox + (f.xy[:, 0] - x0) * kx * s
        xy[:, 1] = PAD + (y1 - f.xy[:, 1]) * s
        q = np.rint(xy * GRID).astype(np.int64)
        rings = []
        for a, b in zip(f.starts[:-1].tolist(), f.starts[1:].tolist(), strict=True):
            r = q[a:b]
            r = r[np.concatenate(([True], np.any(r[1:] != r[:-1], axis=1)))]
            if len(r) < 4:
                continue
            r = r[_douglas_peucker(r, TOLERANCE)]
            if len(r) >= 4:   # at least a triangle besides the closing vertex
                rings.append(_ring_path(r))
        if rings:
            out.append((c, "".join(rings)))
    return h * s + 2 * PAD, tuple(out)


def _classes(vals: np.ndarray) -> np.ndarray:
    """Quantile classes 0..len(COLOURS)-1 of the finite values VALS: by average rank, so equal values share a
    class, the smallest is the lightest and the largest the darkest."""
    n, steps = len(vals), len(COLOURS)
    if n == 0:
        return np.zeros(0, dtype=int)
    if n == 1 or vals.min() == vals.max():
        return np.full(n, steps // 2, dtype=int)
    order = np.sort(vals)
    rank = (np.searchsorted(order, vals, "left") + np.searchsorted(order, vals, "right") - 1) / 2
    return np.rint(rank / (n - 1) * (steps - 1)).astype(int)


def map_svg(geo_dir: Path, values: dict[str, float], names: dict[str, str], parent: str | None,
            href: Callable[[str], str], legend: tuple[str, str], fmt: Callable[[float], str], scale=None,
            labels: dict[str, str] | None = None) -> str | None:
    """An inline <svg> choropleth: the regions of geo_dir/regions.geojson whose code is in VALUES when PARENT is
    None, else the districts of geo_dir/districts.geojson whose code is in VALUES (the caller passes PARENT's
    districts), zoomed to them. Each shape links to HREF(code) and has the title 'NAME: fmt(value)'; colours
    are 6 quantile classes of the finite values, light to dark blue, grey for a missing (None / NaN) value; the
    legend shows LEGEND[0] fmt(min) at the light end and fmt(max) LEGEND[1] at the dark end. None when the
    directory or file is missing or no code matches a feature (the page then shows only its table).

    SCALE (web/mapscale.Scale): a fixed scale instead: VALUES are ratios coloured by the scale's breaks, the same
    for every view, each title is 'NAME: LABELS[code]', and the legend (the scale's words) is the page's, not the
    picture's. Every shape is a link with an accessible name, reached with Tab and opened with Enter."""
    path = Path(geo_dir) / (REGIONS if parent is None else DISTRICTS)
    try:
        st = path.stat()
    except OSError:
        return None
    key = (str(path), st.st_mtime_ns, st.st_size)
    feats = _features(*key)
    codes = tuple(sorted(c for c in values if c in feats))
    if not codes:
        return None
    map_h, shapes = _view(*key, codes)
    if not shapes:
        return None

    def num(v) -> float:
        try:
            v = float(v)
        except (TypeError, ValueError):
            return math.nan
        return v if math.isfinite(v) else math.nan

    vals = np.array([num(values[c]) for c, _ in shapes])
    ok = ~np.isnan(vals)
    cls = np.full(len(vals), -1, dtype=int)
    colours = COLOURS if scale is None else scale.colours
    cls[ok] = _classes(vals[ok]) if scale is None else scale.classes(vals[ok])
    esc = html.escape
    parts = []
    for (code, d), v, k in zip(shapes, vals.tolist(), cls.tolist(), strict=True):
        name = names.get(code) or feats[code].name
        shown = (labels or {}).get(code) if scale is not None else (fmt(v) if k >= 0 else None)
        label = f"{name}: {shown or '—'}"
        parts.append(f'<a href="{esc(href(code))}" aria-label="{esc(label)}"><path class="unit" data-code="{esc(code)}" d="{d}" '
                     f'fill="{colours[k] if k >= 0 else MISSING}"><title>{esc(label)}</title></path></a>')
    if scale is not None:
        return _svg(map_h, parts, [], scale.title, "#8a8a8a")  # grey borders: the middle class is near white

    # legend: [legend[0] min] [6 swatches] [max legend[1]], a grey 'no data' swatch when a value is missing
    y = map_h + 6
    sw, sx = 36.0, WIDTH / 2 - 3 * 36.0
    leg = []
    if ok.any():
        lo, hi = float(vals[ok].min()), float(vals[ok].max())
        for i, colour in enumerate(COLOURS):
            inside = vals[ok][cls[ok] == i]
            tip = f"{fmt(float(inside.min()))} – {fmt(float(inside.max()))}" if inside.size else "—"
            leg.append(f'<rect x="{sx + i * sw:g}" y="{y:g}" width="{sw:g}" height="14" fill="{colour}">'
                       f'<title>{esc(tip)}</title></rect>')
        leg.append(f'<text x="{sx - 8:g}" y="{y + 12:g}" text-anchor="end">{esc(f"{legend[0]} {fmt(lo)}")}</text>')
        leg.append(f'<text x="{sx + 6 * sw + 8:g}" y="{y + 12:g}">{esc(f"{fmt(hi)} {legend[1]}")}</text>')
        aria = f"{legend[0]} {fmt(lo)} – {fmt(hi)} {legend[1]}"
    else:
        aria = f"{legend[0]} – {legend[1]}"
    if not ok.all():
        leg.append(f'<rect x="{WIDTH - PAD - 14:g}" y="{y:g}" width="14" height="14" fill="{MISSING}"><title>—</title></rect>'
                   f'<text x="{WIDTH - PAD - 20:g}" y="{y + 12:g}" text-anchor="end">—</text>')
    return _svg(map_h, parts, leg, aria)


def _svg(map_h: float, parts: list[str], leg: list[str], aria: str, stroke: str = "#fff") -> str:
    """The picture: shapes, legend row (none on a fixed scale: the page gives it in words), attribution. A 'group'
    of the links a keyboard reaches (an 'img' would hide its children from assistive tools)."""
    esc = html.escape
    total_h = map_h + (LEGEND_H if leg else 22.0)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="geomap" viewBox="0 0 {WIDTH:g} {total_h:.1f}" width="100%" '
            f'role="group" aria-label="{esc(aria)}">'
            '<style>.geomap .unit:hover,.geomap a:focus .unit{stroke:#111;stroke-width:2.5}</style>'
            f'<g fill-rule="evenodd" stroke="{stroke}" stroke-width=".5" stroke-linejoin="round">' + "".join(parts) + "</g>"
            f'<g font-family="sans-serif" font-size="13" fill="#333">{"".join(leg)}</g>'
            f'<text x="{PAD:g}" y="{total_h - 8:.1f}" font-family="sans-serif" font-size="10" fill="#666">{esc(CREDIT)}</text>'
            "</svg>")
