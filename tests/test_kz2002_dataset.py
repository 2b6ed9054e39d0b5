"""data/kz-2002: rebuilt from the sources it is identical; current law reproduces every published
1999-2005 subvention and withdrawal; the four options run on it."""
import csv
import filecmp
import subprocess
import sys
from pathlib import Path

import pytest

from interbudget.dataset import load_dataset
from interbudget.engine import run
from interbudget.scenario import Scenario, load_scenario
from test_errors import run_cli

ROOT = Path(__file__).resolve().parents[1]
K2 = ROOT / "data" / "kz-2002"
SHARED = ROOT.parent / "shared"


@pytest.mark.skipif(not (SHARED / "data" / "kz").is_dir(), reason="the shared sources are not beside the project")
def test_the_build_script_rebuilds_the_committed_dataset(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_kz2002_dataset.py"), "--shared", str(SHARED), "--out", str(tmp_path)],
                   check=True, capture_output=True)
    files = sorted(p.name for p in K2.iterdir() if p.is_file())
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == files
    _, mismatch, errors = filecmp.cmpfiles(K2, tmp_path, files, shallow=False)
    assert mismatch == [] and errors == []


def test_current_law_reproduces_the_actual_transfers_of_1999_2005():
    s, _ = load_scenario(K2 / "scenarios" / "current-law.yaml")
    res = run(load_dataset(K2), Scenario.model_validate({**s.model_dump(), "years": list(range(1999, 2006))}))
    h = res.hierarchy
    with (K2 / "transfers_1999_2005.csv").open(encoding="utf-8") as fh:
        published = [r for r in csv.DictReader(fh) if r["type"] in ("subvention", "withdrawal")]
    assert len(published) == 107
    for r in published:
        b = h.budget_index_of_unit[h.unit_index()[r["code"]]]
        k = res.years.index(int(r["year"]))
        got = res.transfers.subvention[b, k] if r["type"] == "subvention" else res.transfers.withdrawal[b, k]
        assert got == pytest.approx(float(r["amount"]), rel=1e-3), r


@pytest.mark.parametrize("scenario", sorted((K2 / "scenarios").glob("*.yaml")), ids=lambda p: p.stem)
def test_the_four_options_run_on_the_2002_data(tmp_path, scenario):
    code, out = run_cli("simulate", K2, scenario, "--out", tmp_path)
    assert code == 0 and "South Kazakhstan" in out, out
