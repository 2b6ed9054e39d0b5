"""Kazakhstan on real numbers: the normative basis of data/kz comes from the command, the README's
reconciliation figures are what `reconcile` computes, and the tax criteria read the real series."""
from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from helpers import make_dataset, write_csv
from interbudget.analysis.reconcile import read_published, reconcile
from interbudget.analysis.tax_criteria import data_scores
from interbudget.dataset import load_dataset
from interbudget.engine import run
from interbudget.scenario import load_scenario
from test_errors import run_cli

ROOT = Path(__file__).resolve().parents[1]
KZ, KZ24 = ROOT / "data" / "kz", ROOT / "data" / "kz-2024"
README = (ROOT / "README.md").read_text(encoding="utf-8")


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_the_normative_basis_is_what_the_command_writes(tmp_path):
    code, out = run_cli("needs", "estimate", KZ, "--year", 2027, "--out", tmp_path / "fit")
    assert code == 0, out
    made = {(r["code"], r["function"]): float(r["amount"]) for r in rows(tmp_path / "fit" / "needs_normative.csv")}
    shipped = {(r["code"], r["function"]): float(r["amount"]) for r in rows(KZ / "needs_normative.csv")
               if r["year"] == "2027" and r["code"] != "000000000"}
    assert made.keys() == shipped.keys() and len(made) > 1000
    for k, v in made.items():
        assert shipped[k] == pytest.approx(v, rel=1e-12, abs=1e-6)


def test_normative_needs_add_up_to_the_observed_total_per_function():
    """The fit's norm is the national spending per person: the regions' normative needs of a function add up to
    their observed needs (up to needs floored at 0)."""
    obs, nrm = defaultdict(float), defaultdict(float)
    for r in rows(KZ / "needs.csv"):
        if r["year"] == "2026" and r["code"] != "000000000":
            obs[r["function"]] += float(r["amount"])
    for r in rows(KZ / "needs_normative.csv"):
        if r["year"] == "2026" and r["code"] != "000000000":
            nrm[r["function"]] += float(r["amount"])
    assert obs.keys() == nrm.keys()
    for f in obs:
        assert nrm[f] >= obs[f] * (1 - 1e-9)
        assert nrm[f] == pytest.approx(obs[f], rel=0.05)


def bn(x: float) -> str:
    return f"{x / 1e6:,.1f}"


def summary(dataset: Path, scenario: Path, published: Path):
    s, _ = load_scenario(scenario)
    res = run(load_dataset(dataset), s)
    return reconcile(res, read_published(published, res.hierarchy)).years[0]


def test_the_readme_quotes_the_2024_reconciliation():
    y = summary(KZ24, KZ24 / "scenarios" / "current-law.yaml", KZ24 / "published.csv")
    assert (y.year, y.compared, y.same_status) == (2024, 20, 19)
    text = (f"20 regions compared, mean absolute difference {bn(y.mean_abs_difference)}, correlation {y.correlation:.3f}, "
            f"the same status (subvention,\ndonor, neither) in 19 of 20")
    assert text in README
    assert f"add up to {bn(y.modelled_total)} against {bn(y.published_total)} executed" in README


def test_the_readme_quotes_the_normative_reconciliation():
    y = summary(KZ, ROOT / "scenarios" / "normative-needs.yaml", KZ / "published.csv")
    assert y.compared == 17 and sorted(y.missing_in_published) == ["610000000", "620000000", "790000000"]
    assert f"mean absolute difference {bn(y.mean_abs_difference)}, correlation {y.correlation:.3f}" in README
    assert f"the same status in {y.same_status} of 17" in README
    assert re.sub(r"\s+", " ", f"net transfers {bn(y.modelled_total)} on normative needs against {bn(y.published_total)} in the law") \
        in re.sub(r"\s+", " ", README)


def test_the_tax_criteria_read_the_real_regional_series(tmp_path):
    """Hand-made: two regions, the tax grows 10 % and 30 % (spread 0.1), receipts per person 1 and 3."""
    units = [("0", None, "republic", 300), ("1", "0", "region", 100), ("2", "0", "region", 200)]
    ds = make_dataset(tmp_path / "ds", units, receipts=[("1", 2026, "t", 5)], needs=[])
    write_csv(ds / "tax_series.csv", ["code", "year", "tax", "amount"],
              [["1", 2023, "t", 100], ["1", 2024, "t", 110], ["2", 2023, "t", 200], ["2", 2024, "t", 260],
               ["1", 2025, "t", 100], ["2", 2025, "t", 600]])
    sc = data_scores(load_dataset(ds))["t"]
    g = np.array([0.1, 0.3, 100 / 110 - 1, 600 / 260 - 1])
    assert sc["stability"]["score"] == pytest.approx(min(1.0, 5 * g.std()))
    assert "tax_series.csv" in sc["stability"]["rationale"]
    # 2025: 1 per person (100 people) and 3 per person (200): population-weighted Gini = 2*100*200*2 / (2*300^2*mean)
    mean = (100 * 1 + 200 * 3) / 300
    gini = (100 * 200 * 2 * 2) / (2 * 300**2 * mean)
    assert sc["evenness"]["score"] == pytest.approx(min(1.0, 2 * gini), rel=1e-6)


def test_on_data_kz_the_taxes_differ_as_their_real_series_do():
    sc = data_scores(load_dataset(KZ))
    st = {t: sc[t]["stability"]["score"] for t in ("iit_source", "social_tax", "cit_sme", "excise_local")}
    assert st["social_tax"] < st["iit_source"] < st["excise_local"] < st["cit_sme"]
    assert sc["iit_source"]["stability"] == sc["iit_self"]["stability"]  # the bulletin's IIT covers both
    assert sc["cit_sme"]["evenness"]["score"] > sc["iit_source"]["evenness"]["score"]


def test_the_readme_quotes_the_observed_basis_against_the_law():
    s, _ = load_scenario(ROOT / "scenarios" / "current-law.yaml")
    res = run(load_dataset(KZ), s.model_copy(update={"needs_basis": "observed"}))
    y = reconcile(res, read_published(KZ / "published.csv", res.hierarchy)).years[0]
    text = f"mean absolute difference of {bn(y.mean_abs_difference)} and a correlation of {y.correlation:.3f}"
    assert text in re.sub(r"\s+", " ", README)
