"""Optimized region shares (HiGHS) against brute force; infeasibility; official shares in a scenario."""
import itertools
from pathlib import Path

import numpy as np
import pytest

from interbudget.analysis.optimize import evaluate, solve
from interbudget.errors import InterbudgetError
from test_errors import run_cli, write_scenario

ROOT = Path(__file__).resolve().parents[1]


def small(rate=1.0):
    # two regions, two years: gaps with a zero share and regulated receipts
    return {"g0": np.array([[50.0, 80.0], [-20.0, 30.0]]), "q": np.array([[100.0, 200.0], [60.0, 40.0]]),
            "cap": np.array([0.6, 0.6]), "rate": rate, "republic_base": np.array([1000.0, 1000.0]), "current": np.array([0.4, 0.0]),
            "codes": ["1", "2"]}


def brute(p, key, step=0.005, spread=None):
    grid = np.arange(0, 0.6 + 1e-9, step)
    best = None
    for s in itertools.product(grid, grid):
        if spread is not None and abs(s[0] - s[1]) > spread + 1e-12:
            continue
        r = evaluate(p, np.array(s))
        v = key(r)
        if best is None or v < best[0] - 1e-9:
            best = (v, s)
    return best


@pytest.mark.parametrize("rate", [1.0, 0.5])
def test_the_lp_agrees_with_brute_force(rate):
    p = small(rate)
    lp = solve(p)
    total = lambda r: r["subventions"] + r["withdrawals"]  # noqa: E731
    b, _ = brute(p, total)
    assert total(lp) == pytest.approx(b, abs=1e-6) or total(lp) < b
    assert total(lp) >= b - 1.0  # the grid's resolution
    lp = solve(p, max_spread=0.0)
    assert lp["share"][0] == pytest.approx(lp["share"][1])
    b, _ = brute(p, total, spread=0.0)
    assert total(lp) <= b + 1e-6 and total(lp) >= b - 1.0


def test_the_mip_minimizes_the_number_of_withdrawals():
    p = small()
    mip = solve(p, objective="withdrawal_budgets")
    b, _ = brute(p, lambda r: r["withdrawal_budgets"])
    assert mip["withdrawal_budgets"] == b == 1  # region 2 has a surplus in year 1 whatever its share


def test_infeasible_constraints_give_a_clear_message():
    p = small(0.5)
    with pytest.raises(InterbudgetError, match="no shares satisfy the constraints"):
        solve(p, republic_floor=10_000.0)


def test_optimize_cli_writes_a_scenario_that_simulates(tmp_path):
    code, out = run_cli("optimize", ROOT / "data" / "kz", ROOT / "scenarios" / "option-2.yaml", "--curve", 3, "--out", tmp_path)
    assert code == 0 and "optimized:" in out and "trade-off" in out
    code, out = run_cli("simulate", ROOT / "data" / "kz", tmp_path / "optimized.yaml", "--out", tmp_path / "run")
    assert code == 0
    assert "option 2, given" in run_cli("explain", ROOT / "data" / "kz", tmp_path / "optimized.yaml", "--code", "750000000",
                                        "--year", 2026)[1]
    code, out = run_cli("optimize", ROOT / "data" / "kz", ROOT / "scenarios" / "current-law.yaml")
    assert code == 2 and "need a scenario with option 2 or 4" in out


@pytest.mark.parametrize("shares, message", [
    ({"750000000": 0.1}, "no share for region(s)"),
    ({"750000000": 0.9}, "share above the cap 0.5"),
    ({"11": 0.1}, "'11' is not a region code"),
])
def test_bad_region_shares(tmp_path, shares, message):
    f = write_scenario(tmp_path / "s.yaml", {"extends": str(ROOT / "scenarios" / "option-2.yaml"), "name": "x", "region_shares": shares})
    code, out = run_cli("simulate", ROOT / "data" / "kz", f, "--out", tmp_path / "o")
    assert code == 2 and message in out, out
