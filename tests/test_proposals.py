"""Reform proposals priced by the engine: a proposal and its inverse return every budget to its figures; equal norms
keep national needs, differing norms are reported; fixed amounts flag unfunded mandates; the model structure."""
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import yaml
from openpyxl import load_workbook

from helpers import write_csv
from interbudget.dataset import load_dataset
from interbudget.engine import run
from interbudget.functions.proposals import apply, load_proposal, move_needs, structure, with_moves
from interbudget.functions.registry import load_registry
from interbudget.scenario import load_scenario
from test_errors import run_cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "example"
SCENARIO = EXAMPLE / "scenarios" / "current-law.yaml"
FN_COLS = ["id", "name_en", "group", "type", "priority", "legal_basis", "inherent", "bodies", "finances", "executes",
           "national", "local", "scale", "spillover", "proximity", "uniform", "communal_property", "need_function",
           "norm_district", "norm_rural", "share", "cost_source"]
BODIES = [["min", "ministry", "central", "republic"], ["obl", "oblast akimat", "akimat", "region"],
          ["dist", "district akimat", "akimat", "district"], ["rur", "rural akimat", "akimat", "rural"]]


def registry(tmp_path, norm_rural=""):
    tmp_path.mkdir(parents=True, exist_ok=True)
    write_csv(tmp_path / "bodies.csv", ["id", "name_en", "kind", "level"], BODIES)
    write_csv(tmp_path / "functions.csv", FN_COLS, [
        ["clinics", "clinics", "07", "service", "basic", "Act", "true", "dist", "district", "district",
         *["0.5"] * 6, "false", "health", "1" if norm_rural else "", norm_rural, "1", "the line is the function"],
        ["schools", "schools", "04", "service", "basic", "Act", "true", "dist;obl", "district", "district",
         *["0.5"] * 6, "false", "education", "", "", "1", "the line is the function"]])
    return load_registry(tmp_path)


def proposal(tmp_path, name, moves, **extra):
    p = tmp_path / f"{name}.yaml"
    p.write_text(yaml.safe_dump({"name": name, "effective_year": 2027, "moves": moves, **extra}), encoding="utf-8")
    return p


DOWN = [{"function": "clinics", "from": "district", "to": "rural", "body_from": "dist", "body_to": "rur"}]
UP = [{"function": "clinics", "from": "rural", "to": "district", "body_from": "rur", "body_to": "dist"}]


@pytest.fixture(scope="module")
def ds():
    return load_dataset(EXAMPLE)


@pytest.mark.parametrize("norm_rural", ["", "1.6"])  # equal norms, and a dearer fourth level: the ratios cancel
def test_a_proposal_and_its_inverse_return_every_budget(tmp_path, ds, norm_rural):
    reg = registry(tmp_path, norm_rural)
    scen = load_scenario(SCENARIO)[0]
    fwd = load_proposal(proposal(tmp_path, "fwd", DOWN), reg)
    needs, notes = move_needs(ds, reg, fwd)
    assert notes[0]["moved"] > 0 and not notes[0]["merged"]  # the okrugs held no health need before
    moved_ds = replace(ds, needs=needs)
    # the move back runs on the registry's state after the first proposal (the function now sits with the okrugs)
    back, _ = move_needs(moved_ds, with_moves(reg, fwd), load_proposal(proposal(tmp_path, "back", UP), reg))
    base, mid, again = run(ds, scen), run(moved_ds, scen), run(replace(ds, needs=back), scen)
    assert not np.allclose(mid.needs, base.needs)  # the proposal did move money
    for a, b in ((base.needs, again.needs), (base.plan.balance, again.plan.balance),
                 (base.transfers.subvention, again.transfers.subvention), (base.transfers.withdrawal, again.transfers.withdrawal)):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-3)
    # before the effective year nothing moves
    k = base.years.index(2026)
    np.testing.assert_allclose(mid.needs[:, k], base.needs[:, k])


def test_equal_norms_keep_national_needs_and_differing_norms_are_reported(tmp_path, ds):
    scen = load_scenario(SCENARIO)[0]
    same = apply(ds, registry(tmp_path / "a"), load_proposal(proposal(tmp_path, "p", DOWN), registry(tmp_path / "a")), scen)
    assert all(abs(r["change"]) < 1e-3 for r in same["national_needs"])
    reg = registry(tmp_path / "b", norm_rural="1.25")  # the okrugs do it 25% dearer per person
    dear = apply(ds, reg, load_proposal(proposal(tmp_path, "p", DOWN), reg), scen)
    m = dear["moves"][0]
    assert m["norm_ratio"] == pytest.approx(1.25) and m["after"] == pytest.approx(1.25 * m["moved"])
    by_year = {r["year"]: r["change"] for r in dear["national_needs"]}
    assert by_year[2026] == pytest.approx(0, abs=1e-3)
    assert by_year[2027] + by_year[2028] == pytest.approx(0.25 * m["moved"], rel=1e-9)


def test_fixed_amounts_flag_unfunded_mandates_and_the_structure_follows(tmp_path, ds):
    reg = registry(tmp_path)
    scen = load_scenario(SCENARIO)[0]
    fixed = apply(ds, reg, load_proposal(proposal(tmp_path, "f", DOWN, fixed_amounts=True), reg), scen)
    flags = fixed["unfunded_mandates"]
    assert flags and {r["code"] for r in flags} <= {r["code"] for r in fixed["budgets"] if r["level"] == "rural"}
    got = {r["code"]: r for r in fixed["budgets"] if r["year"] == 2027}
    for f in flags:
        if f["year"] == 2027:
            r = got[f["code"]]
            assert r["net_transfer_after"] == r["net_transfer_before"]  # the money did not follow
            assert f["unfunded"] == pytest.approx(r["balance_before"] - r["balance_after"])
    s = {(r["level"], r["function"]): r["bodies"] for r in structure(reg, load_proposal(proposal(tmp_path, "f", DOWN), reg))}
    assert s[("rural", "clinics")] == "rur" and ("district", "clinics") not in s
    assert s[("district", "schools")] == "dist" and s[("region", "schools")] == "obl"


def test_the_cli_and_bad_proposals(tmp_path):
    registry(tmp_path / "reg")
    p = proposal(tmp_path, "p", DOWN)
    code, out = run_cli("proposal", "apply", EXAMPLE, p, SCENARIO, "--registry", tmp_path / "reg", "--out", tmp_path / "o.xlsx")
    assert code == 0 and "national needs" in out and "unfunded mandates" in out
    wb = load_workbook(tmp_path / "o.xlsx")
    assert wb.sheetnames == ["budgets", "moves", "national_needs", "unfunded_mandates", "structure", "not_ready"]
    code, out = run_cli("proposal", "apply", EXAMPLE, p, SCENARIO, "--registry", tmp_path / "reg", "--out", tmp_path / "o.csv")
    assert code == 0 and (tmp_path / "o_moves.csv").read_text().startswith("move,moved,after,norm_ratio,merged,stayed,cost")
    bad = proposal(tmp_path, "bad", [{"function": "teleport", "from": "district", "to": "rural"},
                                     {"function": "clinics", "from": "district", "to": "moon"},
                                     {"function": "clinics", "from": "rural", "to": "rural"}])
    code, out = run_cli("proposal", "apply", EXAMPLE, bad, SCENARIO, "--registry", tmp_path / "reg")
    assert code == 2 and "unknown function 'teleport'" in out and "'moon' is not a level" in out and "bad.yaml" in out
    assert "the same level 'rural'" in out
    worse = tmp_path / "worse.yaml"
    worse.write_text("name: x\neffective_year: next year\nmoves: [clinics]\n", encoding="utf-8")
    code, out = run_cli("proposal", "apply", EXAMPLE, worse, SCENARIO, "--registry", tmp_path / "reg")
    assert code == 2 and "is not a year" in out and "a move is a mapping" in out


def test_a_function_abolished_leaves_no_need(tmp_path, ds):
    reg = registry(tmp_path)
    gone = apply(ds, reg, load_proposal(proposal(tmp_path, "a", [{"function": "clinics", "from": "district", "to": "abolish"}]), reg),
                 load_scenario(SCENARIO)[0])
    moved = gone["moves"][0]["moved"]
    assert moved > 0 and gone["moves"][0]["after"] == 0
    by_year = {r["year"]: r["change"] for r in gone["national_needs"]}
    assert by_year[2026] == pytest.approx(0, abs=1e-3) and by_year[2027] + by_year[2028] == pytest.approx(-moved)
    assert ("abolish", "clinics") in {(r["level"], r["function"]) for r in gone["structure"]}


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "registry" / "kz" / "proposals").glob("*.yaml")))
def test_the_bundled_proposals_apply_to_the_kz_data(name):
    code, out = run_cli("proposal", "apply", ROOT / "data" / "kz", ROOT / "registry" / "kz" / "proposals" / name,
                        ROOT / "scenarios" / "current-law.yaml", "--top", "3")
    assert code == 0, out
    assert ("unfunded mandates (§3.3.1): 0" in out) != ("fixed" in name)


def test_the_structure_command(tmp_path):
    registry(tmp_path / "reg")
    code, out = run_cli("functions", "structure", tmp_path / "reg", "--proposal", proposal(tmp_path, "p", DOWN),
                        "--out", tmp_path / "s.csv")
    assert code == 0 and "model structure" in out
    rows = (tmp_path / "s.csv").read_text().splitlines()
    assert rows[0] == "level,function,bodies" and "rural,clinics,rur" in rows and "district,clinics,dist" not in rows
