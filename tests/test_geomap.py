"""The dashboard's SVG choropleth (web/geomap.py) on data/kz: regions, one region's districts, links, titles,
grey for missing values, well-formed XML, a small file, the same join as the HTML report, and None without
boundaries."""
import csv
import math
import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from interbudget.web import geomap
from interbudget.web.geomap import COLOURS, MISSING, map_svg

ROOT = Path(__file__).resolve().parents[1]
KZ = ROOT / "data" / "kz"
GEO = KZ / "geo"
NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def units():
    with open(KZ / "units.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def href(code: str) -> str:
    return f"/?scenario=current-law&year=2026&lang=en&parent={code}"


def fmt(v: float) -> str:
    return f"{v:,.1f}"


def draw(values, names, parent=None):
    return map_svg(GEO, values, names, parent, href, ("fewer", "more"), fmt)


def shapes(svg: str) -> dict[str, dict]:
    """data-code -> {href, fill, title} of each shape, read from the parsed XML."""
    root = ET.fromstring(svg)
    out = {}
    for a in root.iter(f"{NS}a"):
        (p,) = a.findall(f"{NS}path")
        assert p.get("class") == "unit" and p.get("d").startswith("M")
        out[p.get("data-code")] = {"href": a.get("href"), "fill": p.get("fill"), "title": p.find(f"{NS}title").text}
    return out


def extent(svg: str) -> tuple[float, float]:
    """Width and height, in viewBox units, of the box around every drawn vertex (paths are 'M x y l dx dy ... z')."""
    xs, ys = [], []
    for d in (p.get("d") for p in ET.fromstring(svg).iter(f"{NS}path")):
        for sub in d.split("M")[1:]:
            nums = [float(t) for t in re.findall(r"-?(?:\d+\.?\d*|\.\d+)", sub)]
            x, y = nums[0], nums[1]
            xs.append(x), ys.append(y)
            for dx, dy in zip(nums[2::2], nums[3::2], strict=True):
                x, y = x + dx, y + dy
                xs.append(x), ys.append(y)
    return max(xs) - min(xs), max(ys) - min(ys)


def children(units, parent):
    return {u["code"]: u for u in units if u["parent"] == parent and u["level"] == "district"}


def test_the_region_map_has_every_region_linked_titled_and_coloured(units):
    regions = {u["code"]: u for u in units if u["level"] == "region"}
    assert len(regions) == 20
    values = {c: float(u["population"]) for c, u in regions.items()}
    names = {c: u["name_en"] for c, u in regions.items()}
    svg = draw(values, names)
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg" and root.get("role") == "group" and root.get("width") == "100%"
    assert root.get("aria-label") and len(root.get("viewBox").split()) == 4
    got = shapes(svg)
    assert set(got) == set(regions)        # all 20 regions of units.csv have a polygon
    for c, s in got.items():
        assert s["href"] == href(c)
        assert s["title"] == f"{names[c]}: {fmt(values[c])}"
        assert s["fill"] in COLOURS
    lo, hi = min(values, key=values.get), max(values, key=values.get)
    assert got[lo]["fill"] == COLOURS[0] and got[hi]["fill"] == COLOURS[-1]
    text = "".join(root.itertext())
    assert f"fewer {fmt(values[lo])}" in text and f"{fmt(values[hi])} more" in text
    assert geomap.CREDIT in text and "CC BY 4.0" in text
    assert len(svg.encode()) < 150_000


def test_the_attribution_and_the_join_are_those_of_the_html_report():
    from interbudget.reports import html as report

    assert geomap.CREDIT == report.CREDIT
    assert geomap.KEY == "kato"  # report.figures joins with featureidkey="properties.kato"


def test_a_region_gives_only_its_own_districts_zoomed(units):
    for parent in ("430000000", "110000000", "750000000"):
        own = children(units, parent)
        values = {c: float(u["population"]) for c, u in own.items()}
        svg = draw(values, {c: u["name_en"] for c, u in own.items()}, parent)
        got = shapes(svg)
        assert got and set(got) <= set(own) and all(c[:2] == parent[:2] for c in got)
        assert all(s["href"] == href(c) for c, s in got.items())
        w, h = extent(svg)  # zoomed: the districts fill the 980 x 680 drawing area in one direction
        assert max(w / 980, h / 680) > 0.98
    # Kyzylorda: all 9 districts of units.csv (Baikonur included) have a polygon
    assert set(shapes(draw(dict.fromkeys(children(units, "430000000"), 1.0), {}, "430000000"))) == set(children(units, "430000000"))


def test_districts_are_joined_by_their_exact_code(units):
    """218 of the 228 districts of units.csv have a polygon; the 10 others (provisional codes, Sauran,
    Satpaev's 622000000 vs the file's 622010000) are simply not drawn."""
    matched = 0
    for r in (u["code"] for u in units if u["level"] == "region"):
        own = children(units, r)
        svg = draw(dict.fromkeys(own, 1.0), {}, r)
        matched += len(shapes(svg)) if svg else 0
    assert matched == 218
    abai = children(units, "100000000")
    assert "109910000" in abai and "109910000" not in shapes(draw(dict.fromkeys(abai, 1.0), {}, "100000000"))


def test_missing_values_are_grey_and_titled_with_a_dash(units):
    regions = {u["code"]: u["name_en"] for u in units if u["level"] == "region"}
    codes = sorted(regions)
    values = {c: float(i) for i, c in enumerate(codes)}
    values[codes[0]], values[codes[1]] = math.nan, None
    got = shapes(draw(values, regions))
    for c in codes[:2]:
        assert got[c]["fill"] == MISSING and got[c]["title"] == f"{regions[c]}: —"
    assert all(got[c]["fill"] in COLOURS for c in codes[2:])
    assert got[codes[2]]["fill"] == COLOURS[0] and got[codes[-1]]["fill"] == COLOURS[-1]
    everything_missing = shapes(draw(dict.fromkeys(codes), regions))
    assert {s["fill"] for s in everything_missing.values()} == {MISSING}


def test_names_and_links_are_escaped():
    svg = map_svg(GEO, {"750000000": 1.0}, {"750000000": 'A <b> & "c"'}, None, lambda c: f"/?a=1&parent={c}",
                  ("<low>", "high & up"), fmt)
    root = ET.fromstring(svg)
    (a,) = root.iter(f"{NS}a")
    assert a.get("href") == "/?a=1&parent=750000000"
    assert a.find(f"{NS}path/{NS}title").text == 'A <b> & "c": 1.0'
    assert "<low> 1.0" in "".join(root.itertext())


def test_no_boundaries_or_no_match_give_none(tmp_path):
    values = {"430000000": 1.0}
    assert map_svg(tmp_path / "nowhere", values, {}, None, href, ("a", "b"), fmt) is None
    assert map_svg(tmp_path, values, {}, None, href, ("a", "b"), fmt) is None  # directory without the files
    assert draw({}, {}) is None
    assert draw({"999999999": 1.0}, {}) is None
    assert draw({"431010000": 1.0}, {}, "431000000") is None  # below a district: rural okrugs have no polygons


def test_a_repeated_call_is_served_from_the_cache(units):
    regions = {u["code"]: u["name_en"] for u in units if u["level"] == "region"}
    values = {c: float(i) for i, c in enumerate(sorted(regions))}
    first = draw(values, regions)
    own = children(units, "110000000")
    dvalues = {c: 1.0 + i for i, c in enumerate(sorted(own))}
    draw(dvalues, {}, "110000000")
    times = []
    for _ in range(5):
        t = time.perf_counter()
        again = draw(values, regions)
        draw(dvalues, {}, "110000000")
        times.append(time.perf_counter() - t)
    assert again == first
    assert sorted(times)[2] < 0.02  # both views, cached: well under a millisecond each on a laptop
