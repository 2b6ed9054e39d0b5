"""Pictures first (issue 19, items 3 and 5) on data/kz: the dashboard's headline figures and charts equal the engine's
figures (hand-checked on Kyzylorda), the map's scale and legend are the same for every region and drill level, and
a budget's explanation reads as plain text (no codes, no file names, one number format) in kk, ru and en."""
import html
import json
import re
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import given, strategies as st

from interbudget.dataset import load_dataset
from interbudget.engine import run
from interbudget.explain import explain
from interbudget.i18n import catalog
from interbudget.scenario import load_scenario
from interbudget.web import mapscale
from interbudget.web.app import create_app
from interbudget.web.explain_text import Names, money, percent, plain_text

ROOT = Path(__file__).resolve().parents[1]
KZ = ROOT / "data" / "kz"
KYZYLORDA, AKMOLA = "430000000", "110000000"


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(KZ, ROOT / "scenarios"))


@pytest.fixture(scope="module")
def res():
    return run(load_dataset(KZ), load_scenario(ROOT / "scenarios" / "current-law.yaml")[0])


def specs(page: str) -> dict[str, dict]:
    """The chart specs (web/charts.py) a page embeds, by chart id."""
    out = {}
    for m in re.finditer(r'<script type="application/json" class="chart-spec">(.*?)</script>', page, re.DOTALL):
        c = json.loads(m.group(1))
        out[c["id"]] = c
    return out


def legend(page: str) -> list[tuple[str, str]]:
    block = re.search(r'<ul id="map-legend".*?</ul>', page, re.DOTALL).group(0)
    return [(c, html.unescape(w)) for c, w in re.findall(r'background:(#[0-9a-f]{6})" aria-hidden="true"></span> ([^<]+)</li>', block)]


def fills(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-code="(\d+)" d="[^"]*" fill="(#[0-9a-f]{6})"', page))


def test_the_headline_figures_are_the_engines_per_level(client, res):
    page = client.get("/?scenario=current-law&year=2027&lang=en").text
    h, k = res.hierarchy, res.years.index(2027)
    table = re.search(r'<table id="headline-figures">.*?</table>', page, re.DOTALL).group(0)
    rows = re.findall(r'<tr data-level="(\w+)">(.*?)</tr>', table, re.DOTALL)
    assert [r[0] for r in rows] == ["region", "district", "rural"]
    for level, cells in rows:
        budgets, ns, nd = [int(c.replace("\u202f", "")) for c in re.findall(r'<td class="n(?: subvention| donor)?">([\d\u202f]+)</td>', cells)]
        sub, wd = [float(v) for v in re.findall(r'data-value="([^"]+)"', cells)]  # full precision, thousand tenge
        m = h.b_level == ["republic", "region", "district", "rural"].index(level)
        s, w = res.transfers.subvention[m, k], res.transfers.withdrawal[m, k]
        assert budgets == m.sum() and sub == pytest.approx(s.sum(), rel=1e-12) and wd == pytest.approx(w.sum(), rel=1e-12)
        assert ns == (s >= 0.000005).sum() and nd == ((s < 0.000005) & (w >= 0.000005)).sum()
    assert "bn tenge" in table  # the unit in the headers


def test_the_net_transfer_per_person_chart_is_the_engines_hand_checked_on_kyzylorda(client, res):
    chart = specs(client.get("/?scenario=current-law&year=2026&lang=en").text)["chart-net-per-person"]
    h = res.hierarchy
    b = h.b_codes.tolist().index(KYZYLORDA)
    u = h.budget_units[b]
    expected = (res.transfers.subvention[b, 0] - res.transfers.withdrawal[b, 0]) * 1000 / h.population[u]
    x, y = chart["data"][0]["x"], chart["data"][0]["y"]
    assert len(x) == 20 and y == sorted(y, reverse=True)
    assert y[x.index("Kyzylorda region")] == pytest.approx(expected, abs=0.05)
    assert expected > 100_000  # a subvention region: ~ 0.5 trillion tenge for ~ 0.85 million people
    assert chart["table"]["rows"][x.index("Kyzylorda region")] == ["Kyzylorda region", y[x.index("Kyzylorda region")]]


def test_a_budgets_charts_are_its_explanations_figures(client, res):
    page = client.get(f"/budget/{KYZYLORDA}?scenario=current-law&year=2026&lang=ru").text
    c = specs(page)
    ex = explain(res, KYZYLORDA, 2026, lang="ru")
    rev = c["chart-revenue"]["data"][0]
    assert sum(rev["x"]) == pytest.approx(ex["revenue"]["total"] / 1000, rel=1e-9)
    assert "Социальный налог" in rev["y"] and not any("_" in n for n in rev["y"])
    needs = c["chart-needs"]["data"][0]
    assert sum(needs["x"]) == pytest.approx(sum(i["amount"] for i in ex["needs"]["items"]) / 1000, rel=1e-9)
    assert "образование" in needs["y"]
    hist = c["chart-history"]
    law = next(d for d in hist["data"] if d["name"] == catalog("ru")["charts"]["published_law"])
    # the law of 2026-2028 gives Kyzylorda's subvention for 2026 (transfers_published.csv)
    import csv

    with open(KZ / "transfers_published.csv", encoding="utf-8") as fh:
        pub = [r for r in csv.DictReader(fh) if r["code"] == KYZYLORDA and r["year"] == "2026" and r["amount"]]
    net = sum(float(r["amount"]) * (-1 if r["type"] == "withdrawal" else 1) for r in pub)
    assert law["y"][law["x"].index(2026)] == pytest.approx(net / 1000, abs=0.05)
    this = next(d for d in hist["data"] if d["name"].startswith("current-law v"))
    assert this["y"][this["x"].index(2026)] == pytest.approx(
        (ex["transfers"]["subvention"] - ex["transfers"]["withdrawal"]) / 1000, abs=0.05)


@pytest.mark.parametrize("metric", mapscale.METRICS)
def test_the_map_has_one_scale_for_every_region_and_level(client, metric):
    pages = [client.get(f"/?scenario=current-law&year=2026&lang=en&show={metric}" + (f"&parent={p}" if p else "")).text
             for p in (None, KYZYLORDA, AKMOLA)]
    legends = [legend(p) for p in pages]
    assert legends[0] == legends[1] == legends[2] and len(legends[0]) == 7
    assert [w for _, w in legends[0]] == catalog("en")["charts"]["legend"][mapscale.KIND[metric]]
    for p in pages:
        assert set(fills(p).values()) <= {c for c, _ in legends[0]} | {"#cfcfcf"}
    assert len(fills(pages[1])) >= 5 and len(fills(pages[2])) >= 5


def test_a_districts_colour_is_its_capacity_on_the_fixed_breaks(client):
    """Hand check: a district's colour on the capacity map is the class of its table capacity among the fixed breaks
    (0.5, 0.75, 0.9, 1.1, 1.33, 2), whatever the other districts of the region are."""
    page = client.get(f"/?scenario=current-law&year=2026&lang=en&parent={KYZYLORDA}&show=capacity_before").text
    rows = client.get(f"/api/scenarios/current-law/budgets?year=2026&parent={KYZYLORDA}").json()["budgets"]
    got = fills(page)
    checked = 0
    for r in rows:
        if r["code"] in got and r["capacity_before"] is not None:
            k = sum(r["capacity_before"] >= b for b in (0.5, 0.75, 0.9, 1.1, 1.33, 2.0))
            assert got[r["code"]] == mapscale.RATIO_COLOURS[k], r
            checked += 1
    assert checked >= 5


def test_the_averages_of_the_map_are_national_per_level(res):
    """need per person over the national average of the level: the population-weighted mean ratio is 1."""
    d = mapscale.values(res, 0, 2, "need_pp")
    h = res.hierarchy
    b = np.flatnonzero(h.b_level == 2)
    pop = h.population[h.budget_units[b]].astype(float)
    ratio = np.array([d[c][1] for c in h.b_codes[b].tolist()])
    ok = np.isfinite(ratio)
    assert np.average(ratio[ok], weights=pop[ok]) == pytest.approx(1.0, rel=1e-9)


@given(st.lists(st.floats(min_value=0, max_value=10, allow_nan=False), min_size=1, max_size=50))
def test_scale_classes_are_monotone_and_one_is_the_middle(xs):
    sc = mapscale.scale("need_pp", catalog("en")["charts"])
    cls = sc.classes(np.array(xs))
    order = np.argsort(xs, kind="stable")
    assert np.all(np.diff(cls[order]) >= 0) and cls.min() >= 0 and cls.max() <= 6
    assert sc.classes(np.array([1.0, 0.95, 1.05])).tolist() == [3, 3, 3]


CODES = ("000000000", KYZYLORDA, "431900000", "101033000")  # the republic, a region, a district, a rural okrug


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_explanation_is_plain_text_without_codes_or_file_names(client, lang):
    for code in CODES:
        page = client.get(f"/budget/{code}?scenario=current-law&year=2026&lang={lang}")
        assert page.status_code == 200, code
        text = re.sub(r"<[^>]+>", " ", re.search(r'<div id="explanation">(.*?)</div></section>', page.text, re.DOTALL).group(1))
        text = html.unescape(text)
        assert not _no_codes(text, lang), (code, lang, _no_codes(text, lang))
        assert catalog(lang)["plain_explain"]["million"] in text


def test_the_plain_text_names_taxes_and_functions_and_formats_numbers(res):
    ex = explain(res, KYZYLORDA, 2026, lang="kk", provenance=True)
    text = plain_text(ex, "kk", Names(KZ, "kk"))
    assert "Әлеуметтік салық" in text or "әлеуметтік салық" in text.lower()
    assert "білім беру" in text
    assert money(1_234_567.0, "ru") == "1\u202f234,6 млн тенге" and money(1_234_567.0, "en") == "1\u202f234.6 million tenge"
    assert percent(0.5, "ru") == "50\u00a0%" and percent(0.125, "kk") == "12,5\u00a0%" and percent(0.125, "en") == "12.5\u00a0%"


def _no_codes(text: str, lang: str) -> list[str]:
    """What a person should not meet in the text: codes with '_', file names, the other locale's decimal mark
    (the concept's section numbers, §3.3.2, are no decimals)."""
    text = re.sub(r"§[\d.]*\d", "§", text)
    wrong = r"\S*\d\.\d\S*" if lang != "en" else r"\S*\d,\d\S*"
    return re.findall(r"\S*_\S*", text) + re.findall(r"\w+\.(?:csv|md|yaml)\b|METHOD", text) + re.findall(wrong, text)


@pytest.mark.parametrize("scenario", ["option-3.yaml", "option-4.yaml", "normative-needs.yaml", "methods-2002-diversity.yaml"])
def test_the_plain_text_of_every_level_under_other_options_has_no_codes(scenario):
    res = run(load_dataset(KZ), load_scenario(ROOT / "scenarios" / scenario)[0])
    h = res.hierarchy
    codes = [h.b_codes[np.flatnonzero(h.b_level == lvl)[i]] for lvl in range(4) for i in (0, -1)]
    for lang in ("kk", "ru", "en"):
        names = Names(KZ, lang)
        for code in codes:
            text = plain_text(explain(res, code, res.years[-1], lang=lang, provenance=True), lang, names)
            assert not _no_codes(text, lang), (scenario, code, lang, _no_codes(text, lang))


def test_a_mistyped_map_choice_is_an_error_naming_the_choices(client):
    r = client.get("/?scenario=current-law&year=2026&lang=en&show=capacity")
    assert r.status_code == 422 and "unknown map choice show='capacity'" in r.text and "net_pp" in r.text
    assert client.get("/?scenario=current-law&year=2026&lang=en&show=").status_code == 200  # the chooser's default
