"""Issue 16: the registry at the concept's scale (every function and power of ../shared/FUNCTIONS.md), each function
priced by its own share of a needs line, dated states and their diff, the §3.4 move from the 2002 baseline with the
readiness conditions, and recommendations that cannot contradict what the concept decides."""
import re
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from helpers import write_csv
from interbudget.dataset import load_dataset
from interbudget.errors import InterbudgetError
from interbudget.functions.criteria import recommend
from interbudget.functions.proposals import apply, check_proposal, move_needs
from interbudget.functions.registry import load_registry
from interbudget.functions.states import at, diff
from interbudget.scenario import load_scenario
from test_errors import run_cli

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" if (ROOT.parent / "shared").is_dir() else Path("/work/shared")
KZ_REG = ROOT / "registry" / "kz"
EXAMPLE = ROOT / "data" / "example"
BODIES = [["min", "ministry", "central", "republic"], ["obl", "oblast akimat", "akimat", "region"],
          ["dist", "district akimat", "akimat", "district"], ["rur", "rural akimat", "akimat", "rural"]]
COLS = ["id", "name_en", "name_kk", "group", "type", "priority", "legal_basis", "inherent", "bodies", "finances", "executes",
        "national", "local", "scale", "spillover", "proximity", "uniform", "communal_property", "need_function", "share",
        "cost_source", "decided", "target"]


def kinds_in_functions_md() -> dict[str, str]:
    text = (SHARED / "FUNCTIONS.md").read_text(encoding="utf-8")
    out = {}
    for label, kind in (("Sector, service and governance", "function"), ("Fiscal and budget powers", "fiscal_power")):
        line = text.split(f"**{label}")[1].split("\n")[0]
        out.update(dict.fromkeys(re.findall(r"`([a-z_0-9]+)`", line), kind))
    return out


def test_every_function_and_power_of_the_concept_is_in_the_registry():
    want = kinds_in_functions_md()
    assert len(want) == 97
    reg = load_registry(KZ_REG)
    missing = sorted(set(want) - set(reg.functions))
    assert not missing
    for fid, kind in want.items():
        f = reg.functions[fid]
        assert f.kind == kind, fid
        assert f.name["kk"].strip() and f.name["ru"].strip() and f.name["en"].strip(), fid
        assert f.section and f.legal_basis and f.legal_article, fid  # 'unknown' when no source cites the article
    for f in reg.functions.values():
        if f.priced:
            assert f.cost_source and ("ILLUSTRATIVE" in f.cost_source or "data/kz" in f.cost_source), f.id
    # the 14 problem and move categories are the audit's and the proposals' kinds
    code, out = run_cli("functions", "audit")
    assert code == 0 and "vertical_duplication" in out


def small_registry(tmp_path: Path, share: str = "0.3", extra: list[list] = ()) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    write_csv(tmp_path / "bodies.csv", ["id", "name_en", "kind", "level"], BODIES)
    attrs = ["0.5"] * 6
    write_csv(tmp_path / "functions.csv", COLS, [
        ["clinics", "clinics", "емханалар", "05", "service", "basic", "Act", "true", "dist", "district", "district", *attrs, "false",
         "health", share, "ILLUSTRATIVE", "", ""],
        ["parks", "parks", "саябақтар", "07", "service", "basic", "Act", "true", "dist", "district", "district", *attrs, "false",
         "", "", "", "", ""],
        ["wells", "wells", "құдықтар", "07", "service", "basic", "Act", "true", "rur", "rural", "rural", *attrs, "false",
         "", "", "", "§3.4", "rural"],
        *extra])
    return tmp_path


def by_budget(ds, needs) -> np.ndarray:
    """Needs per budget and year (budgets x years) straight from the rows."""
    h = ds.hierarchy
    years = sorted(set(needs.year.tolist()))
    b = h.budget_of[needs.unit]
    out = np.zeros((h.nb, len(years)))
    np.add.at(out, (b, np.searchsorted(years, needs.year)), needs.amount)
    return out


@pytest.fixture(scope="module")
def ds():
    return load_dataset(EXAMPLE)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(share=st.floats(0.05, 1.0), to=st.sampled_from(["rural", "region", "republic"]))
def test_a_move_carries_exactly_the_share_and_the_move_back_returns_every_budget(tmp_path_factory, ds, share, to):
    folder = small_registry(tmp_path_factory.mktemp("reg"), f"{share:.6f}")
    reg = load_registry(folder)
    line = ds.functions.index("health")
    h = ds.hierarchy
    district = (h.level[h.budget_units[h.budget_of[ds.needs.unit]]] == 2) & (ds.needs.function == line) & (ds.needs.year >= 2027)
    fwd = check_proposal({"name": "f", "effective_year": 2027, "moves": [
        {"function": "clinics", "from": "district", "to": to, "body_to": {"rural": "rur", "region": "obl", "republic": "min"}[to]}]}, reg)
    needs, notes = move_needs(ds, reg, fwd)
    s = float(f"{share:.6f}")
    assert notes[0]["moved"] + notes[0].get("stayed", 0) == pytest.approx(s * ds.needs.amount[district].sum(), rel=1e-9)
    before, after = by_budget(ds, ds.needs), by_budget(ds, needs)
    lvl = h.b_level
    # each district lost exactly the share of its health line from 2027 (what stayed had no okrug to go to)
    per = np.zeros(h.nb)
    np.add.at(per, h.budget_of[ds.needs.unit[district]], ds.needs.amount[district])
    lost = (before - after)[:, 1:].sum(axis=1)
    stayed = notes[0].get("stayed", 0.0)
    np.testing.assert_allclose(lost[lvl == 2].sum() + stayed, s * per[lvl == 2].sum(), rtol=1e-9)
    if to != "rural":  # up: nothing stays, every district loses exactly its share
        np.testing.assert_allclose(lost[lvl == 2], s * per[lvl == 2], rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(before.sum(axis=0), after.sum(axis=0), rtol=1e-12)  # equal norms: nothing created
    # the move back, from the state the first proposal leaves (base: its file), finds the function's own rows
    (folder / "proposals").mkdir()
    (folder / "proposals" / "fwd.yaml").write_text(yaml.safe_dump({k: v for k, v in fwd.items() if k != "_folder"}), encoding="utf-8")
    back = check_proposal({"name": "b", "base": "fwd.yaml", "effective_year": 2027,
                           "moves": [{"function": "clinics", "from": to, "to": "district", "body_to": "dist"}]}, reg)
    again, _ = move_needs(ds, reg, back)
    np.testing.assert_allclose(by_budget(ds, again), before, rtol=1e-9, atol=1e-6)


def test_a_function_that_is_not_a_string_is_named_not_a_crash():
    # mypy: dict.get of a move's `function` (any YAML value): a list was unhashable, a TypeError instead of a problem
    reg = load_registry(KZ_REG)
    with pytest.raises(InterbudgetError, match=r"unknown function '\['a', 'b'\]'"):
        check_proposal({"name": "x", "effective_year": 2027, "moves": [{"function": ["a", "b"], "from": "district", "to": "rural"}]}, reg)


def test_a_move_of_an_unpriced_function_is_refused_unless_it_says_cost_none(tmp_path, ds):
    reg = load_registry(small_registry(tmp_path))
    move = {"function": "parks", "from": "district", "to": "rural"}
    with pytest.raises(InterbudgetError, match=r"function 'parks' \(parks\) has no cost.*cost: none"):
        check_proposal({"name": "x", "effective_year": 2027, "moves": [move]}, reg)
    p = check_proposal({"name": "x", "effective_year": 2027, "moves": [{**move, "cost": "none"}]}, reg)
    needs, notes = move_needs(ds, reg, p)
    assert notes[0]["moved"] == 0 and "none" in notes[0]["cost"]
    np.testing.assert_allclose(by_budget(ds, needs), by_budget(ds, ds.needs))
    with pytest.raises(InterbudgetError, match="only value is 'none'"):
        check_proposal({"name": "x", "effective_year": 2027, "moves": [{**move, "cost": 0}]}, reg)
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump({"name": "x", "effective_year": 2027, "moves": [move]}), encoding="utf-8")
    code, out = run_cli("proposal", "apply", EXAMPLE, path, EXAMPLE / "scenarios" / "current-law.yaml", "--registry", tmp_path)
    assert code == 2 and "function 'parks'" in out and "has no cost" in out and "Traceback" not in out


@pytest.mark.parametrize("row, message", [
    (["more", "more", "", "05", "service", "basic", "Act", "true", "dist", "district", "district", *["0.5"] * 6, "false",
      "health", "0.8", "ILLUSTRATIVE", "", ""], "shares of needs line 'health' add up to 1.1 > 1"),
    (["src", "src", "", "05", "service", "basic", "Act", "true", "dist", "district", "district", *["0.5"] * 6, "false",
      "health", "0.1", "", "", ""], "needs its source or the word ILLUSTRATIVE"),
    (["dec", "dec", "", "05", "service", "basic", "Act", "true", "dist", "district", "district", *["0.5"] * 6, "false",
      "", "", "", "§3.4", ""], "decided by §3.4 but no target level"),
])
def test_bad_costs_and_decisions_are_named(tmp_path, row, message):
    small_registry(tmp_path, extra=[row])
    code, out = run_cli("functions", "audit", tmp_path)
    assert code == 2 and message in out and "functions.csv, line 5" in out


def test_recommend_never_contradicts_a_decided_assignment(tmp_path):
    reg = load_registry(KZ_REG)
    for weights in ({}, {"national": 50.0}, {"local": 50.0, "proximity": 50.0}):
        for r in recommend(reg, weights):
            f = reg.functions[r["function"]]
            if f.decided:
                assert r["recommended"].split(";") == list(f.target) and r["decided"] == f.decided
    rec = {r["function"]: r for r in recommend(reg)}
    assert rec["fire_safety"]["recommended"] == "rural" and rec["water_safety"]["recommended"] == "rural"
    # a planted contradiction is refused, with the §
    with pytest.raises(InterbudgetError, match=r"fire_safety=region contradicts the concept: §3.4 assigns 'fire_safety' to rural"):
        recommend(reg, assign={"fire_safety": "region"})
    code, out = run_cli("functions", "recommend", "--assign", "defence=district")
    assert code == 2 and "contradicts the concept" in out and "§3.2 (criterion 1)" in out
    small = load_registry(small_registry(tmp_path))
    assert {r["function"]: r["recommended"] for r in recommend(small, assign={"parks": "rural"})}["parks"] == "rural"


def test_two_dated_states_and_two_regions_differ_where_the_data_say(tmp_path):
    reg = load_registry(KZ_REG)
    rows = {r["function"]: r for r in diff(at(reg, "baseline-2002"), at(reg, "today"))}
    for fid in ("landscaping", "greening", "sanitary_cleaning", "cemeteries", "water_supply", "water_use_regulation"):
        assert rows[fid]["levels_a"] == "district" and rows[fid]["levels_b"] == "rural" and rows[fid]["decided"] == "§3.4"
    assert rows["rural_own_budget"]["change"] == "added"
    cities = {r["function"] for r in diff(at(reg, "today", "750000000"), at(reg, "today", "100000000"))}
    assert "landscaping" in cities and "defence" not in cities
    code, out = run_cli("functions", "diff", "baseline-2002", "today", "--out", tmp_path / "d.csv")
    assert code == 0 and (tmp_path / "d.csv").read_text(encoding="utf-8").startswith("function,name,change,levels_a")
    code, out = run_cli("functions", "diff", "1999", "today")
    assert code == 2 and "unknown registry state '1999'" in out


def test_the_34_list_from_the_2002_baseline_is_priced_per_okrug_with_the_okrugs_not_ready():
    kz = load_dataset(ROOT / "data" / "kz")
    reg = load_registry(KZ_REG)
    prop = yaml.safe_load((KZ_REG / "proposals" / "concept-3.4-district-to-rural.yaml").read_text(encoding="utf-8"))
    res = apply(kz, reg, check_proposal(prop, reg), load_scenario(ROOT / "scenarios" / "current-law.yaml")[0])
    assert res["base"] == "baseline-2002" and all(m["moved"] > 0 for m in res["moves"])
    gained = {r["code"] for r in res["budgets"] if r["level"] == "rural" and r["needs_after"] > r["needs_before"] + 1e-6}
    lost = {r["code"] for r in res["budgets"] if r["level"] == "district" and r["needs_after"] < r["needs_before"] - 1e-6}
    assert len(gained) > 1000 and lost
    moved = sum(m["moved"] for m in res["moves"])
    dn = sum(r["needs_after"] - r["needs_before"] for r in res["budgets"] if r["level"] == "rural")
    assert dn == pytest.approx(moved, rel=1e-9)  # every okrug's gain is what the districts gave
    unready = res["not_ready"]
    assert unready and {r["code"] for r in unready} <= gained and all(r["reasons"] for r in unready)
    readiness = {r.split(",")[0]: r.split(",") for r in (KZ_REG / "readiness.csv").read_text(encoding="utf-8").splitlines()[1:]}
    for r in unready[:50]:
        d = readiness[r["district"]]
        assert int(d[1]) < 2 or "false" in d[2:5]
    ready_districts = {c for c, d in readiness.items() if int(d[1]) >= 2 and "false" not in d[2:5]}
    assert not {r["district"] for r in unready} & ready_districts
    # the okrugs end where today's data has them: the 2002 baseline moved the §3.4 list up, the proposal brings it back
    from interbudget.engine import run

    today = run(kz, load_scenario(ROOT / "scenarios" / "current-law.yaml")[0])
    h = today.hierarchy
    now = {(h.b_codes[b], y): today.needs[b, k] for k, y in enumerate(today.years) for b in np.flatnonzero(h.b_level == 3)}
    for r in res["budgets"]:
        if r["level"] == "rural" and r["year"] >= 2027:
            assert r["needs_after"] == pytest.approx(now[(r["code"], r["year"])], rel=1e-9, abs=1e-3)


def test_a_function_priced_by_its_own_norm_moves_norm_times_population(tmp_path, ds):
    norm = ["norm", "norm", "норма", "08", "service", "basic", "Act", "true", "dist", "district", "district", *["0.5"] * 6,
            "false", "culture_sport", "", "", "", ""]
    folder = small_registry(tmp_path, extra=[norm])
    with (folder / "functions.csv").open(encoding="utf-8") as fh:
        text = fh.read()
    lines = text.splitlines()
    lines[0] += ",driver,norm_district,norm_rural"
    lines[1:] = [ln + (",population,0.01,0.012" if ln.startswith("norm,") else ",,,") for ln in lines[1:]]
    (folder / "functions.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    reg = load_registry(folder)
    assert reg.functions["norm"].priced and reg.functions["norm"].share is None
    h = ds.hierarchy
    rows = (ds.needs.function == ds.functions.index("culture_sport")) & (ds.needs.year >= 2027) \
        & (h.level[h.budget_units[h.budget_of[ds.needs.unit]]] == 2)
    want = np.minimum(0.01 * h.population[ds.needs.unit[rows]], ds.needs.amount[rows]).sum()
    p = check_proposal({"name": "n", "effective_year": 2027, "moves": [{"function": "norm", "from": "district", "to": "rural",
                                                                      "body_to": "rur"}]}, reg)
    _, notes = move_needs(ds, reg, p)
    m = notes[0]
    assert m["moved"] + m["stayed"] == pytest.approx(want, rel=1e-9) and want > 0
    assert m["after"] == pytest.approx(1.2 * m["moved"], rel=1e-9)  # valued at the okrugs' norm


def test_the_competitive_sector_and_back_and_a_territorial_unit_move(tmp_path):
    kz = load_dataset(ROOT / "data" / "kz")
    reg = load_registry(KZ_REG)
    base = by_budget(kz, kz.needs)
    p = yaml.safe_load((KZ_REG / "proposals" / "concept-3.1-investment-back-to-state.yaml").read_text(encoding="utf-8"))
    needs, notes = move_needs(kz, reg, check_proposal(p, reg))
    np.testing.assert_allclose(by_budget(kz, needs), base, rtol=1e-9, atol=1e-3)  # out and back: every budget as it was
    assert notes[0]["moved"] > 0
    p = yaml.safe_load((KZ_REG / "proposals" / "concept-3.2-control-to-territorial-units.yaml").read_text(encoding="utf-8"))
    needs, notes = move_needs(kz, reg, check_proposal(p, reg))
    np.testing.assert_allclose(by_budget(kz, needs), base, rtol=1e-9, atol=1e-3)  # the republic pays before and after
    assert all("paid by the republic budget" in m["cost"] for m in notes)


def test_the_cli_prices_a_proposal_from_another_base_state(tmp_path):
    kz, scen = ROOT / "data" / "kz", ROOT / "scenarios" / "current-law.yaml"
    p = KZ_REG / "proposals" / "concept-1.4-communal-property-split.yaml"
    code, out = run_cli("proposal", "apply", kz, p, scen, "--top", "3", "--out", tmp_path / "p.xlsx")
    assert code == 0 and "base state baseline-2002" in out and "§3.4 readiness" in out
    code, out = run_cli("proposal", "apply", kz, p, scen, "--base", "today", "--top", "3")
    assert code == 0 and "base state today" in out
    code, out = run_cli("proposal", "apply", kz, p, scen, "--base", "1990")
    assert code == 2 and "unknown registry state '1990'" in out


def test_a_base_state_on_a_dataset_without_some_lines(ds):
    """data/example has no landscaping or water-supply lines: the 2002 baseline moves what it has, nothing fails."""
    reg = load_registry(KZ_REG)
    p = check_proposal({"name": "s", "base": "baseline-2002", "effective_year": 2027, "moves": [
        {"function": "school_education", "from": "district", "to": "region", "body_to": "oblast_akimat"}]}, reg)
    needs, notes = move_needs(ds, reg, p)
    assert notes[0]["moved"] > 0
    np.testing.assert_allclose(by_budget(ds, needs).sum(axis=0), by_budget(ds, ds.needs).sum(axis=0), rtol=1e-9)
