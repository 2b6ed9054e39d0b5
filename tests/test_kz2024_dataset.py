"""data/kz-2024: rebuilt from the shared sources it must be identical; every region-level figure equals
its source row of the MinFin bulletin (to the thousand tenge); published.csv holds every region's
executed 2024 subvention and withdrawal; current law of 2024 runs on it."""
from __future__ import annotations

import csv
import filecmp
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from interbudget.dataset import load_dataset
from interbudget.engine import run
from interbudget.scenario import load_scenario
from test_errors import run_cli

ROOT = Path(__file__).resolve().parents[1]
KZ24 = ROOT / "data" / "kz-2024"
SHARED = ROOT.parent / "shared"
EXECUTION = SHARED / "data" / "kz" / "execution" / "execution.csv"
needs_shared = pytest.mark.skipif(not EXECUTION.is_file(), reason="the shared sources are not beside the project")
TAX_ITEM = {"iit": ["REV.PIT"], "cit": ["REV.CIT"], "social_tax": ["REV.SOCIAL_TAX"], "excise": ["REV.EXCISE"],
            "nontax": ["REV.NONTAX"], "capital": ["REV.CAPITAL"]}
FUNCTION_ITEM = {f"EXP.{k:02d}": k for k in range(1, 15)}


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def source() -> dict[tuple[str, str], float]:
    """(kato2, item) -> value in thousand tenge, December 2024 (the full year), as printed in the source file."""
    return {(r["kato2"], r["item_code"]): float(r["value_thousand_kzt"]) for r in rows(EXECUTION)
            if r["date_in_source"] == "2024-12-01" and r["kato2"]}


@needs_shared
def test_the_build_script_rebuilds_the_committed_dataset(tmp_path):
    out = tmp_path / "kz-2024"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_kz2024_dataset.py"), "--shared", str(SHARED), "--out", str(out)],
                   check=True, capture_output=True, text=True)
    committed = sorted(str(p.relative_to(KZ24)) for p in KZ24.rglob("*") if p.is_file())
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == committed
    _, mismatch, errors = filecmp.cmpfiles(KZ24, out, committed, shallow=False)
    assert mismatch == [] and errors == []


@needs_shared
def test_every_region_level_receipt_equals_its_source_row(source):
    got = defaultdict(float)
    for r in rows(KZ24 / "receipts.csv"):
        got[r["code"][:2], r["tax"]] += float(r["amount"])
    regions = {r["code"][:2] for r in rows(KZ24 / "units.csv") if r["level"] == "region"}
    assert len(regions) == 20
    for k2 in regions:
        for tax, items in TAX_ITEM.items():
            assert got[k2, tax] == pytest.approx(sum(source[k2, i] for i in items), abs=1.0), (k2, tax)
        rest = source[k2, "REV.TAX"] - sum(source[k2, i] for i in ("REV.PIT", "REV.CIT", "REV.SOCIAL_TAX", "REV.EXCISE"))
        assert got[k2, "other_taxes"] == pytest.approx(rest, abs=1.0)
        # all of own revenue, nothing else: REV - REV.TRANSFERS
        own = sum(v for (c, _), v in got.items() if c == k2)
        assert own == pytest.approx(source[k2, "REV"] - source[k2, "REV.TRANSFERS"], abs=1.0)


@needs_shared
def test_every_region_level_need_equals_its_spending_by_function_less_group_15(source):
    got = defaultdict(float)
    for r in rows(KZ24 / "needs.csv"):
        got[r["code"][:2], int(r["function"][2:4])] += float(r["amount"])
    for k2 in {k for k, _ in got}:
        for item, group in FUNCTION_ITEM.items():
            assert got[k2, group] == pytest.approx(source[k2, item], abs=1.0), (k2, item)
        total = sum(v for (c, _), v in got.items() if c == k2)
        assert total == pytest.approx(source[k2, "EXP"] - source[k2, "EXP.15"], abs=1.0)
    assert 15 not in {g for _, g in got} and 14 in {g for _, g in got}  # debt service stays a need


@needs_shared
def test_published_holds_every_regions_executed_transfers(source):
    pub = rows(KZ24 / "published.csv")
    assert list(pub[0]) == ["code", "year", "transfer", "amount", "source"]
    regions = [r["code"] for r in rows(KZ24 / "units.csv") if r["level"] == "region"]
    assert {(r["code"], r["transfer"]) for r in pub} == {(c, t) for c in regions for t in ("subvention", "withdrawal")}
    assert len(pub) == 40 and {r["year"] for r in pub} == {"2024"}
    for r in pub:
        item = "SUBVENTIONS" if r["transfer"] == "subvention" else "WITHDRAWALS"
        assert float(r["amount"]) == pytest.approx(source.get((r["code"][:2], item), 0.0), abs=1.0)
    subs = sum(float(r["amount"]) for r in pub if r["transfer"] == "subvention")
    assert subs == pytest.approx(5265026806.0, abs=1.0)  # the national row of табл 18, 2024
    donors = sorted(r["code"] for r in pub if r["transfer"] == "withdrawal" and float(r["amount"]) > 0)
    assert donors == ["230000000", "710000000", "750000000"]


@needs_shared
def test_drivers_are_the_bns_population_of_2024():
    d = {(r["code"], r["driver"]): float(r["value"]) for r in rows(KZ24 / "drivers.csv")}
    assert d["610000000", "population"] == d["610000000", "urban_population"] + d["610000000", "rural_population"]
    assert d["750000000", "rural_population"] == 0.0 and d["750000000", "population"] > 2e6
    assert sum(v for (c, k), v in d.items() if k == "population") == pytest.approx(20_158_620.5, abs=0.01)  # the national row


def test_current_law_of_2024_runs_and_closes_every_regions_gap():
    ds = load_dataset(KZ24)
    s, _ = load_scenario(KZ24 / "scenarios" / "current-law.yaml")
    assert s.years == [2024] and s.needs_basis == "observed"
    res = run(ds, s)
    h = res.hierarchy
    regions = h.budget_index_of_unit[np.flatnonzero(h.level == 1)]
    # a region's net transfer = its consolidated spending on functions - its own receipts (withdrawal rate 1)
    need = defaultdict(float)
    for r in rows(KZ24 / "needs.csv"):
        need[r["code"][:2]] += float(r["amount"])
    for r in rows(KZ24 / "receipts.csv"):
        need[r["code"][:2]] -= float(r["amount"])
    for b in regions:
        code = h.b_codes[b]
        net = res.transfers.subvention[b, 0] - res.transfers.withdrawal[b, 0]
        assert net == pytest.approx(need[code[:2]], rel=1e-9, abs=1e-3)
    code, out = run_cli("validate", KZ24)
    assert code == 0 and "OK" in out


def test_the_readme_says_per_column_what_is_real_derived_or_illustrative():
    text = (KZ24 / "README.md").read_text(encoding="utf-8")
    for col in ("receipts.csv | amount, summed per region and tax | **real**", "other_taxes", "needs.csv | code (which budget spends) | ILLUSTRATIVE",
                "published.csv | amount | **real**", "drivers.csv | area_km2, density | **derived**"):
        assert col in text
