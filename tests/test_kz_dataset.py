"""The bundled Kazakhstan dataset: rebuilt from the shared sources it must be identical, it
validates, and current law reproduces the published 2026-2028 transfer law."""
from __future__ import annotations

import csv
import filecmp
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from interbudget.dataset import load_dataset
from interbudget.engine import run
from interbudget.scenario import load_scenario
from test_errors import run_cli

ROOT = Path(__file__).resolve().parents[1]
KZ = ROOT / "data" / "kz"
SHARED = ROOT.parent / "shared"
LAW_2026 = {  # the law of 8 Dec 2025 and the MinFin list: thousand tenge
    "100000000": 264857157, "110000000": 323875972, "150000000": 195066920, "190000000": 105955760, "630000000": 249718158,
    "310000000": 492283724, "330000000": 379860574, "270000000": 171621490, "350000000": 266040247, "430000000": 501986476,
    "390000000": 348590472, "470000000": 120663643, "550000000": 5807202, "590000000": 331936630}
WITHDRAWALS_2026 = {"230000000": 262404282, "750000000": 491887501, "710000000": 125655286}


@pytest.fixture(scope="module")
def current_law():
    s, _ = load_scenario(ROOT / "scenarios" / "current-law.yaml")
    return run(load_dataset(KZ), s)


@pytest.mark.skipif(not (SHARED / "data" / "kz").is_dir(), reason="the shared sources are not beside the project")
def test_the_build_script_rebuilds_the_committed_dataset(tmp_path):
    out = tmp_path / "kz"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_kz_dataset.py"), "--shared", str(SHARED), "--out", str(out)],
                   check=True, capture_output=True, text=True)
    committed = sorted(str(p.relative_to(KZ)) for p in KZ.rglob("*") if p.is_file())
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == committed
    _, mismatch, errors = filecmp.cmpfiles(KZ, out, committed, shallow=False)
    assert mismatch == [] and errors == []


def test_the_dataset_validates():
    code, out = run_cli("validate", KZ)
    assert code == 0 and "OK" in out
    ds = load_dataset(KZ)
    h = ds.hierarchy
    assert (h.level == 1).sum() == 20 and h.n > 2500
    assert ((h.level == 3) & h.has_budget).sum() > 2000  # fourth-level budgets


def test_current_law_gives_the_laws_donor_and_subvention_counts(current_law):
    res = current_law
    h = res.hierarchy
    regions = h.budget_index_of_unit[np.flatnonzero(h.level == 1)]
    s, w = res.transfers.subvention[regions], res.transfers.withdrawal[regions]
    assert [(int((s[:, k] > 0.5).sum()), int((w[:, k] > 0.5).sum())) for k in range(3)] == [(17, 3), (17, 3), (15, 4)]
    pavlodar = h.budget_index_of_unit[h.unit_index()["550000000"]]
    assert abs(res.transfers.subvention[pavlodar, 2]) < 0.5 and abs(res.transfers.withdrawal[pavlodar, 2]) < 0.5
    mangystau = h.budget_index_of_unit[h.unit_index()["470000000"]]
    assert res.transfers.withdrawal[mangystau, 2] > 0  # a donor again in 2028


def test_current_law_reproduces_the_published_figures(current_law):
    res = current_law
    h = res.hierarchy
    b = lambda code: h.budget_index_of_unit[h.unit_index()[code]]  # noqa: E731
    for code, v in LAW_2026.items():
        assert res.transfers.subvention[b(code), 0] == pytest.approx(v, rel=1e-3)
    for code, v in WITHDRAWALS_2026.items():
        assert res.transfers.withdrawal[b(code), 0] == pytest.approx(v, rel=1e-3)
    regions = h.budget_index_of_unit[np.flatnonzero(h.level == 1)]
    totals = {2026: (5137567833, 879947069), 2027: (6357838886, 1079818403), 2028: (6796559470, 1400607718)}
    for k, (sub, wd) in enumerate(totals.values()):
        assert res.transfers.subvention[regions, k].sum() == pytest.approx(sub, rel=1e-3)
        assert res.transfers.withdrawal[regions, k].sum() == pytest.approx(wd, rel=1e-3)


def test_targets_not_matched_by_construction(current_law):
    """Local spending follows from the revenue forecast and the law's totals: within 0.5 % of the forecast."""
    res = current_law
    local = res.hierarchy.b_level > 0
    for k, spending in enumerate((14.9e9, 17.3e9, 18.7e9)):
        assert res.needs[local, k].sum() == pytest.approx(spending, rel=5e-3)
    for k, revenue in enumerate((10.7e9, 12.1e9, 13.3e9)):
        assert res.plan.revenue[local, k].sum() == pytest.approx(revenue, rel=1e-6)
    with (KZ / "calibration.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) > 40 and all(abs(float(r["relative_residual"])) < 0.05 for r in rows)


def test_current_law_scenario_is_taxes_csv():
    sc = yaml.safe_load((ROOT / "scenarios" / "current-law.yaml").read_text(encoding="utf-8"))
    with (KZ / "taxes.csv").open(encoding="utf-8") as fh:
        for t in csv.DictReader(fh):
            shares = {lvl: float(t[lvl]) for lvl in ("region", "district", "rural") if float(t[lvl])}
            got = {k: v for k, v in (sc["sharing"].get(t["tax"]) or {}).items() if k in ("region", "district", "rural")}
            assert got == shares, t["tax"]


@pytest.mark.parametrize("scenario", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_bundled_scenario_runs_on_the_kazakhstan_data(tmp_path, scenario):
    code, out = run_cli("simulate", KZ, scenario, "--out", tmp_path)
    assert code == 0, out
    assert "Turkestan region" in out and (tmp_path / "budgets.csv").exists()
