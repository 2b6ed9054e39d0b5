"""Needs by norms, correction factors and network norms (§3.1, §3.3.3), by hand."""
import math

import pytest

from helpers import make_dataset, simulate, write_csv
from test_errors import run_cli, write_scenario

Y = 2026
UNITS = [("0", None, "republic", 1000), ("1", "0", "region", 1000), ("11", "1", "district", 900), ("12", "1", "district", 100)]


def test_network_norms_give_sparse_districts_more_institutions_per_person(tmp_path):
    # schools: one per 300 pupils-age people, and at least one within 20 km (a catchment of pi x 20^2 km2)
    ds = make_dataset(tmp_path, UNITS, receipts=[("0", Y, "vat", 1)], areas={"11": 500, "12": 12000},
                      networks=[["education", "district", "mandatory", "school", 1000, 300, "", 20]],
                      coefficients=[["12", "education", 1.2, "climate"], ["12", "education", 1.1, "density"]])
    rows, _, _ = simulate(ds, {"name": "n", "years": [Y]})
    # dense district 11: 900 people -> 3 schools; its area needs ceil(500 / 1256.6) = 1
    assert rows["plan", "11", Y]["needs"] == pytest.approx(3 * 1000)
    # sparse district 12: 100 people -> 1; its area needs ceil(12000 / (pi 400)) = 10 schools; factors 1.2 x 1.1
    assert math.ceil(12000 / (math.pi * 400)) == 10
    assert rows["plan", "12", Y]["needs"] == pytest.approx(10 * 1000 * 1.2 * 1.1)


def test_explain_shows_institutions_and_factors(tmp_path):
    ds = make_dataset(tmp_path / "ds", UNITS, receipts=[("0", Y, "vat", 1)], areas={"12": 12000},
                      networks=[["education", "district", "mandatory", "school", 1000, 300, "", 20]],
                      coefficients=[["12", "education", 1.2, "climate"]])
    sc = write_scenario(tmp_path / "s.yaml", {"name": "n", "years": [Y]})
    code, out = run_cli("explain", ds, sc, "--code", "12", "--year", Y)
    assert code == 0
    assert "10 × school (100 people / 300 per institution 12000 km² / 1256.64 km² per institution (catchment))" in out
    assert "factor climate: 1.2" in out


@pytest.mark.parametrize("row, message", [
    (["education", "district", "mandatory", "school", 1000, "", "", ""], "needs a catchment rule"),
    (["education", "district", "mandatory", "school", -5, 300, "", ""], "negative cost per institution -5"),
    (["education", "district", "mandatory", "school", 5, 0, "", ""], "population_per_institution must be positive"),
    (["education", "county", "mandatory", "school", 5, 10, "", ""], "'county' is not one of republic, region, district, rural"),
])
def test_bad_network_rows(tmp_path, row, message):
    ds = make_dataset(tmp_path / "ds", UNITS, receipts=[("0", Y, "vat", 1)])
    write_csv(ds / "networks.csv", ["function", "level", "priority", "institution", "cost", "population_per_institution",
                                    "area_per_institution_km2", "max_distance_km"], [row])
    code, out = run_cli("validate", ds)
    assert code == 2 and "networks.csv" in out and "line 2" in out and message in out, out


def test_bad_area_and_duplicate_factor(tmp_path):
    ds = make_dataset(tmp_path / "ds", UNITS, receipts=[("0", Y, "vat", 1)], areas={"11": -4},
                      coefficients=[["11", "education", 1.2, "climate"], ["11", "education", 1.3, "climate"]])
    code, out = run_cli("validate", ds)
    assert code == 2 and "negative area -4" in out
    assert "duplicate coefficient for this (code, function, factor)" in out
