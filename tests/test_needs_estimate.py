"""needs estimate (§3.1, §3.3.3): the fit recovers known norms, refuses degenerate input, writes its files."""
from __future__ import annotations

import csv
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from typer.testing import CliRunner

from helpers import make_dataset
from interbudget.analysis.normative import estimate_needs, explained_rows, fit_rows, quality_rows
from interbudget.analysis.normative_needs import normative_needs
from interbudget.cli import app
from interbudget.dataset import load_dataset
from interbudget.errors import InterbudgetError

# eight regions: population, urban share, area (km2)
REGIONS = {"R1": (1000, 0.2, 100.0), "R2": (2000, 0.5, 80.0), "R3": (1500, 0.9, 10.0), "R4": (800, 0.3, 400.0),
           "R5": (3000, 0.7, 50.0), "R6": (1200, 0.4, 300.0), "R7": (2500, 0.6, 40.0), "R8": (900, 0.1, 900.0)}
# the true model per person: a + b * urban share + c * ln(density)
TRUE = {"education": (40.0, 30.0, -5.0), "health": (25.0, 0.0, 0.0)}


def truth(code: str, function: str) -> float:
    pop, u, area = REGIONS[code]
    a, b, c = TRUE[function]
    return pop * (a + b * u + c * math.log(pop / area))


def kz_like(tmp_path, regions=REGIONS, true=truth, extra_needs=(), drivers=None, district_share=0.25, silent=()):
    """Each region has one district that spends DISTRICT_SHARE of the territory's need; SILENT regions have no needs rows."""
    units = [("0", None, "republic", sum(r[0] for r in regions.values()))]
    needs, drv = [], []
    for code, (pop, u, _area) in regions.items():
        units += [(code, "0", "region", pop), (code + "D", code, "district", pop / 2)]
        drv.append([code, 2024, "urban_population", pop * u])
        for f in TRUE if code not in silent else ():
            total = true(code, f)
            needs += [(code, 2024, f, total * (1 - district_share)), (code + "D", 2024, f, total * district_share, "basic")]
    areas = {c: r[2] for c, r in regions.items()}
    return load_dataset(make_dataset(tmp_path / "ds", units, [("0", 2024, "vat", 1.0)], needs + list(extra_needs),
                                     drivers=drivers if drivers is not None else drv, areas=areas))


def test_the_fit_recovers_the_true_norms_and_coefficients(tmp_path):
    est = estimate_needs(kz_like(tmp_path), 2024)
    assert est.terms == ["urban_share", "log_density"]
    fit = {(r["function"], r["driver"]): r for r in fit_rows(est)}
    pops = np.array([r[0] for r in REGIONS.values()], float)
    for f, (_a, b, c) in TRUE.items():
        assert fit[(f, "urban_share")]["coefficient"] == pytest.approx(b, abs=1e-8)
        assert fit[(f, "log_density")]["coefficient"] == pytest.approx(c, abs=1e-8)
        national = sum(truth(code, f) for code in REGIONS) / pops.sum()  # the norm: national spending per person
        assert fit[(f, "population")]["coefficient"] == pytest.approx(national, rel=1e-12)
        assert fit[(f, "population")]["n"] == 8 and fit[(f, "population")]["std_error"] < 1e-6
    assert fit[("education", "population")]["r2"] == pytest.approx(1.0)
    # hand-checked: region R1's education coefficient = its need per person / the national one
    j = est.functions.index("education")
    i = est.codes.index("R1")
    assert est.coefficient[i, j] == pytest.approx(truth("R1", "education") / 1000 / fit[("education", "population")]["coefficient"])
    for r in explained_rows(est):
        assert r["explained"] == pytest.approx(1.0) and r["explained_loo"] == pytest.approx(1.0)
    q = {r["function"]: r for r in quality_rows(est)}
    assert q["education"]["priority"] == "mandatory" and q["health"]["loo_error_share"] == pytest.approx(0, abs=1e-9)


def test_leave_one_out_equals_a_refit_without_the_region(tmp_path):
    noisy = lambda code, f: truth(code, f) * (1 + 0.05 * ((hash(code + f) % 7) - 3))  # noqa: E731
    est = estimate_needs(kz_like(tmp_path, true=noisy), 2024)
    j = est.functions.index("education")
    for drop in ("R3", "R8"):
        rest = {c: v for c, v in REGIONS.items() if c != drop}
        sub = estimate_needs(kz_like(tmp_path / drop, regions=rest, true=noisy), 2024)
        pop, u, area = REGIONS[drop]
        k = sub.functions.index("education")
        x = np.array([u, math.log(pop / area)]) - sub.xbar
        predicted = sub.beta[0, k] + sub.beta[1:, k] @ x
        assert est.loo[est.codes.index(drop), j] == pytest.approx(predicted, rel=1e-9)
    assert 0 < est.r2[j] < 1


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0.5, 2.0), min_size=8, max_size=8))
def test_modelled_needs_add_up_to_the_executed_total(tmp_path_factory, noise):
    tmp = tmp_path_factory.mktemp("sum")
    factor = dict(zip(REGIONS, noise, strict=True))
    est = estimate_needs(kz_like(tmp, true=lambda c, f: truth(c, f) * factor[c]), 2024)
    if (est.fitted > 0).all():  # the floor at 0 is the only thing that can break the balance
        assert est.modelled.sum(axis=0) == pytest.approx(est.observed.sum(axis=0), rel=1e-9)


def test_normative_needs_per_budget_split_as_observed(tmp_path):
    ds = kz_like(tmp_path, true=lambda c, f: truth(c, f) * (1.1 if c == "R2" else 1.0))
    est = estimate_needs(ds, 2024)
    rows = normative_needs(ds, est, years=[2024, 2025], index={2025: 1.1})
    by = {(r["code"], r["year"], r["function"]): r for r in rows}
    for code in REGIONS:
        i = est.codes.index(code)
        for f in TRUE:
            territory = est.modelled[i, est.functions.index(f)]
            assert by[(code, 2024, f)]["amount"] == pytest.approx(0.75 * territory)
            assert by[(code + "D", 2024, f)]["amount"] == pytest.approx(0.25 * territory)
            assert by[(code + "D", 2025, f)]["amount"] == pytest.approx(0.25 * territory * 1.1)
    r = by[("R1", 2024, "education")]
    assert r["priority"] == "mandatory" and "§3.1" in r["reference"] and r["norm"] == pytest.approx(est.norm[0])
    whole = normative_needs(ds, est, split="region")
    assert {r["code"] for r in whole} == set(REGIONS)


def refused(tmp_path, **kw) -> str:
    with pytest.raises(InterbudgetError) as e:
        estimate_needs(kz_like(tmp_path, **{k: v for k, v in kw.items() if k != "terms"}), 2024, kw.get("terms"))
    return str(e.value)


def test_too_few_regions_is_refused_naming_the_function(tmp_path):
    four = dict(list(REGIONS.items())[:4])
    msg = refused(tmp_path, regions=four)
    assert "function 'education'" in msg and "4 regions" in msg and "at least 6" in msg


def test_a_constant_driver_is_refused(tmp_path):
    same = {c: (p, 0.5, a) for c, (p, _u, a) in REGIONS.items()}
    assert "term 'urban_share' is the same" in refused(tmp_path, regions=same)


def test_zero_population_and_missing_area_are_refused(tmp_path):
    zero = dict(REGIONS, R8=(0, 0.1, 900.0))
    assert "region 'R8' has population 0" in refused(tmp_path / "a", regions=zero, true=lambda c, f: 0 if c == "R8" else truth(c, f))
    no_area = dict(REGIONS, R8=(900, 0.1, ""))
    msg = refused(tmp_path / "b", regions=no_area, true=lambda c, f: truth(c, f) if c != "R8" else 100.0, terms=["log_density"])
    assert "region 'R8'" in msg and "area_km2" in msg


def test_missing_drivers_and_unknown_terms_are_refused(tmp_path):
    assert "urban_population" in refused(tmp_path / "a", drivers=[["R1", 2023, "pupils", 5]], terms=["urban_share"])
    assert "unknown term 'wealth'" in refused(tmp_path / "b", terms=["wealth"])
    assert "no driver 'pupils'" in refused(tmp_path / "c", terms=["per_person:pupils"])


def test_a_region_without_rows_is_reported_not_fitted_as_zero(tmp_path):
    nine = dict(REGIONS, R9=(700, 0.5, 70.0))
    est = estimate_needs(kz_like(tmp_path / "a", regions=nine, true=lambda c, f: truth(c, f) if c in REGIONS else 0.0), 2024)
    assert "R9" in est.codes  # zero spending that is written down is an observation
    est = estimate_needs(kz_like(tmp_path / "b", regions=nine, silent={"R9"}), 2024)
    assert est.excluded == ["R9"] and "R9" not in est.codes


def test_cli_writes_the_contract_files(tmp_path):
    kz_like(tmp_path)
    res = CliRunner().invoke(app, ["needs", "estimate", str(tmp_path / "ds"), "--year", "2024", "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    assert "education" in res.output and "explained" in res.output
    rows = list(csv.DictReader((tmp_path / "out" / "fit.csv").open(encoding="utf-8")))
    assert list(rows[0]) == ["function", "driver", "coefficient", "std_error", "r2", "n"] and len(rows) == 6
    norms = list(csv.DictReader((tmp_path / "out" / "norms.csv").open(encoding="utf-8")))
    assert {(r["function"], r["level"], r["driver"]) for r in norms} == {("education", "region", "population"),
                                                                         ("health", "region", "population")}
    assert (tmp_path / "out" / "needs_normative.csv").is_file() and (tmp_path / "out" / "explained.csv").is_file()
    # the written norms and coefficients are a valid dataset part: the engine's need = norm x population x coefficient
    coef = list(csv.DictReader((tmp_path / "out" / "coefficients.csv").open(encoding="utf-8")))
    assert len(coef) == 16 and all(float(r["coefficient"]) > 0 for r in coef)


def test_cli_bad_input_exits_2_without_traceback(tmp_path):
    kz_like(tmp_path, regions=dict(list(REGIONS.items())[:3]))
    res = CliRunner().invoke(app, ["needs", "estimate", str(tmp_path / "ds"), "--year", "2024", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "function 'education'" in res.output and "Traceback" not in res.output
    res = CliRunner().invoke(app, ["needs", "estimate", str(tmp_path / "ds"), "--year", "2030", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "2030" in res.output
    assert not (tmp_path / "o" / "fit.csv").exists()


def test_a_function_few_regions_spend_on_is_refused_and_named(tmp_path):
    rare = [(c, 2024, "defence", 5.0) for c in ("R1", "R2", "R3")]
    ds = kz_like(tmp_path, extra_needs=rare)
    est = estimate_needs(ds, 2024)
    assert est.functions == ["education", "health"]
    ((f, why),) = est.refused
    assert f == "defence" and "spending in 3 of 8 regions" in why and "at least 6" in why
    with pytest.raises(InterbudgetError, match="function 'defence': spending in 3 of 8 regions"):
        estimate_needs(ds, 2024, functions=["defence"])
    res = CliRunner().invoke(app, ["needs", "estimate", str(tmp_path / "ds"), "--year", "2024", "--out", str(tmp_path / "o")])
    assert res.exit_code == 0 and "refused, left out of the fit: function 'defence'" in " ".join(res.output.split())


def test_norm_alone_gives_coefficient_one(tmp_path):
    est = estimate_needs(kz_like(tmp_path), 2024, terms=[])
    assert est.terms == [] and np.allclose(est.coefficient, 1.0)
    assert [r["driver"] for r in fit_rows(est)] == ["population", "population"]


def test_written_norms_and_coefficients_give_the_modelled_need_in_the_engine(tmp_path):
    """The contract: need = norm(f, region) x driver population x coefficient(region, f), computed by the engine."""
    import shutil

    from interbudget.engine import run
    from interbudget.scenario import Scenario

    noisy = lambda code, f: truth(code, f) * (1.2 if code in ("R2", "R5") else 0.9)  # noqa: E731
    kz_like(tmp_path, true=noisy)
    res = CliRunner().invoke(app, ["needs", "estimate", str(tmp_path / "ds"), "--year", "2024", "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    est = estimate_needs(load_dataset(tmp_path / "ds"), 2024)
    normative = tmp_path / "normative"
    shutil.copytree(tmp_path / "ds", normative)
    (normative / "needs.csv").unlink()
    for name in ("norms.csv", "coefficients.csv"):
        shutil.copy(tmp_path / "out" / name, normative / name)
    with (normative / "drivers.csv").open("w", encoding="utf-8") as fh:
        fh.write("code,year,driver,value\n" + "".join(f"{c},2024,population,{p}\n" for c, (p, _u, _a) in REGIONS.items()))
    r = run(load_dataset(normative), Scenario.model_validate({"name": "n", "years": [2024], "option": 1}))
    h = r.hierarchy
    for i, code in enumerate(est.codes):
        b = h.b_codes.tolist().index(code)
        assert r.needs[b, 0] == pytest.approx(est.modelled[i].sum(), rel=1e-12)


def test_runs_on_data_kz(tmp_path):
    """Read-only on data/kz (observed needs on the executed 2024 structure, BNS urban population in drivers.csv, areas
    from the boundary file): 20 regions, every function fitted."""
    from pathlib import Path

    ds = load_dataset(Path(__file__).resolve().parents[1] / "data" / "kz")
    est = estimate_needs(ds, 2026)
    assert est.n == 20 and est.terms == ["urban_share", "log_density"] and not est.refused and not est.excluded
    q = quality_rows(est)
    assert all(np.isfinite([r["r2"], r["loo_error_share"]]).all() for r in q)
    assert sum(r["observed"] for r in q) == pytest.approx(est.observed.sum())


def test_apply_the_fit_to_another_dataset_with_growth(tmp_path):
    """Fit on the executed year, write the medium term's normative needs: its population, its split, an index."""
    kz_like(tmp_path / "fit")
    units = [("0", None, "republic", 1)]
    needs, drivers = [], []
    for code, (pop, _u, _a) in REGIONS.items():
        units += [(code, "0", "region", pop), (code + "D", code, "district", pop / 2)]
        needs += [(code, 2026, "education", 60.0), (code + "D", 2026, "education", 40.0)]  # a 60/40 split in 2026
        drivers.append([code, 2026, "population", 2 * pop])
    make_dataset(tmp_path / "mt", units, [("0", 2026, "vat", 1.0)], needs, drivers=drivers)
    res = CliRunner().invoke(app, ["needs", "estimate", str(tmp_path / "fit" / "ds"), "--year", "2024", "--out", str(tmp_path / "o"),
                                   "--apply-to", str(tmp_path / "mt"), "--needs-year", "2026", "--index", "2026=1.5"])
    assert res.exit_code == 0, res.output
    est = estimate_needs(load_dataset(tmp_path / "fit" / "ds"), 2024)
    rows = {(r["code"], r["function"]): r for r in csv.DictReader((tmp_path / "o" / "needs_normative.csv").open(encoding="utf-8"))}
    i, e, h = est.codes.index("R3"), est.functions.index("education"), est.functions.index("health")
    territory = est.norm[e] * 2 * REGIONS["R3"][0] * est.coefficient[i, e] * 1.5  # doubled population, index 1.5
    assert float(rows[("R3", "education")]["amount"]) == pytest.approx(0.6 * territory)
    assert float(rows[("R3D", "education")]["amount"]) == pytest.approx(0.4 * territory)
    # health has no rows in the target dataset: the whole territory's need at the region's budget
    assert float(rows[("R3", "health")]["amount"]) == pytest.approx(est.norm[h] * 2 * 1500 * est.coefficient[i, h] * 1.5)
    assert ("R3D", "health") not in rows and all(r["year"] == "2026" for r in rows.values())
    bad = CliRunner().invoke(app, ["needs", "estimate", str(tmp_path / "fit" / "ds"), "--year", "2024", "--out", str(tmp_path / "o2"),
                                   "--index", "2026:1.5"])
    assert bad.exit_code == 2 and "expected YEAR=FACTOR" in bad.output
    other = tmp_path / "other"
    make_dataset(other, [("0", None, "republic", 1), ("X1", "0", "region", 5)], [("0", 2026, "vat", 1.0)])
    bad = CliRunner().invoke(app, ["needs", "estimate", str(tmp_path / "fit" / "ds"), "--year", "2024", "--out", str(tmp_path / "o3"),
                                   "--apply-to", str(other)])
    assert bad.exit_code == 2 and "are not regions of this dataset" in bad.output


def test_standard_errors_are_the_textbook_ones_for_equal_weights(tmp_path):
    """Equal populations: simple regression, se(slope) = sqrt(SSR / (n - 2) / Sxx), se(mean) = sqrt(SSR / (n - 2) / n)."""
    equal = {f"R{i}": (1000, u, 100.0) for i, u in enumerate([0.1, 0.3, 0.35, 0.5, 0.6, 0.8, 0.9], start=1)}
    wobble = [3.0, -2.0, 1.5, -4.0, 2.5, 0.5, -1.5]
    spend = {c: 1000 * (50 + 20 * u + wobble[i]) for i, (c, (_p, u, _a)) in enumerate(equal.items())}
    est = estimate_needs(kz_like(tmp_path, regions=equal, true=lambda c, f: spend[c]), 2024, terms=["urban_share"])
    u = np.array([v[1] for v in equal.values()])
    y = np.array([spend[c] / 1000 for c in equal])
    slope = ((u - u.mean()) * (y - y.mean())).sum() / ((u - u.mean()) ** 2).sum()
    ssr = ((y - y.mean() - slope * (u - u.mean())) ** 2).sum()
    fit = {(r["function"], r["driver"]): r for r in fit_rows(est)}
    assert fit[("education", "urban_share")]["coefficient"] == pytest.approx(slope)
    assert fit[("education", "urban_share")]["std_error"] == pytest.approx(math.sqrt(ssr / 5 / ((u - u.mean()) ** 2).sum()))
    assert fit[("education", "population")]["std_error"] == pytest.approx(math.sqrt(ssr / 5 / 7))
    assert fit[("education", "population")]["r2"] == pytest.approx(1 - ssr / ((y - y.mean()) ** 2).sum())
