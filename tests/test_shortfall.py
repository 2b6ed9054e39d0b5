"""When revenue falls short (§1, §3.3.3, §3.4): sequestration order, protected floor, borrowing within limits, by hand."""
import pytest

from helpers import make_dataset, simulate, write_csv

UNITS = [("0", None, "republic", 1000), ("1", "0", "region", 600)]
YEARS = [2026, 2027, 2028]
# (function, priority, kind, amount): 880 a year
NEEDS = [("edu", "mandatory", "current", 500), ("roads", "basic", "current", 150), ("culture", "basic", "current", 50),
         ("roads", "basic", "development", 100), ("sport", "additional", "current", 50), ("parks", "additional", "development", 30)]


def dataset(tmp_path, actual_2026=100.0, debt=None):
    ds = make_dataset(tmp_path, UNITS, receipts=[("0", y, "vat", 5000) for y in YEARS] + [("1", y, "loc", 600) for y in YEARS],
                      actual=[("0", y, "vat", 5000) for y in YEARS] + [("1", 2026, "loc", actual_2026)]
                      + [("1", y, "loc", 600) for y in YEARS[1:]])
    write_csv(ds / "needs.csv", ["code", "year", "function", "priority", "kind", "amount"],
              [["1", y, f, p, k, a] for y in YEARS for f, p, k, a in NEEDS])
    if debt is not None:
        write_csv(ds / "debt.csv", ["code", "creditor", "instrument", "currency", "amount", "rate", "start_year", "maturity_year"], debt)
    return ds


def scenario(**more):
    return {"name": "bad-year", "years": YEARS, "sharing": {"loc": {"region": 1.0}}, **more}


def test_a_shortfall_is_cut_in_order_down_to_the_protected_floor_then_borrowed_within_the_limit(tmp_path):
    sc = scenario(sequestration={"order": ["additional", "basic.development", "basic.current"], "protected": ["culture"]},
                  borrowing={"lenders": ["republic"], "rate": 0.1, "term": 2, "max_debt_to_revenue": 0.1})
    rows, _, res = simulate(dataset(tmp_path), sc)
    # plan: need 880, revenue 600 -> subvention 280, fixed. Actual 2026: revenue 100 -> balance 100 + 280 - 880 = -500
    assert rows["plan", "1", 2026]["subvention_received"] == 280 and rows["plan", "1", 2026]["balance"] == 0
    fin = res.debt.financing["actual"]
    cuts = {(r["priority"], r["kind"]): r["cut"] for r in _csv(res, "sequestration") if r["year"] == 2026}
    # additional (30 development + 50 current), basic development 100, basic current 150 (culture 50 protected); mandatory 500 never
    assert cuts == {("additional", "current"): 50, ("additional", "development"): 30, ("basic", "development"): 100,
                    ("basic", "current"): 150}
    # 500 - 330 = 170 left; the limit: debt <= 0.1 x (100 + 280) = 38 is borrowed, 132 is an unfinanced gap
    assert fin.borrowed[1, 0] == pytest.approx(38) and fin.unfinanced[1, 0] == pytest.approx(132)
    assert rows["actual", "1", 2026]["needs"] == pytest.approx(550) and rows["actual", "1", 2026]["balance"] == pytest.approx(-170)
    # the new loan's service is a mandatory need of the next years: 2027 interest 3.8 + amortization 19, 2028 1.9 + 19
    assert fin.new_service[1, 1] == pytest.approx(22.8) and fin.new_service[1, 2] == pytest.approx(20.9)
    # 2027 needs: 880 + 22.8 of service - 22.8 cut (below)
    assert rows["actual", "1", 2027]["needs"] == pytest.approx(880) and rows["actual", "1", 2027]["balance"] == pytest.approx(0)
    b = {(r["track"], r["year"]): r for r in _csv(res, "borrowing")}
    assert b["actual", 2026] == {"track": "actual", "code": "1", "year": 2026, "lender": "republic", "borrowed": pytest.approx(38),
                                 "debt_service": 0.0, "unfinanced": pytest.approx(132)}
    # 2027: revenue is back to plan, but the service of 22.8 is a deficit: cut from additional spending first
    assert b["actual", 2027]["debt_service"] == pytest.approx(22.8)
    assert {(r["priority"], r["kind"]): r["cut"] for r in _csv(res, "sequestration") if r["year"] == 2027} == {
        ("additional", "development"): pytest.approx(22.8)}


def test_without_borrowing_the_deficit_left_is_reported(tmp_path):
    rows, _, res = simulate(dataset(tmp_path), scenario(sequestration={}))
    d = {(r["track"], r["year"]): r for r in _csv(res, "deficits")}
    # default order cuts all 330 non-mandatory (culture is not protected here: 380); 500 - 380 = 120 left
    assert d["actual", 2026]["cut"] == pytest.approx(380) and d["actual", 2026]["unfinanced"] == pytest.approx(120)
    assert rows["actual", "1", 2026]["balance"] == pytest.approx(-120)


def test_no_shortfall_leaves_the_actual_track_as_today(tmp_path):
    ds = dataset(tmp_path, actual_2026=600.0)
    today, _, _ = simulate(ds, scenario())
    rows, _, res = simulate(ds, scenario(sequestration={}, borrowing={"rate": 0.1, "max_debt_to_revenue": 0.5}))
    assert rows == today
    assert not _csv(res, "sequestration") and not _csv(res, "deficits")


def test_an_amortization_schedule_sums_to_the_principal_and_a_limit_breach_is_reported(tmp_path):
    import numpy as np

    from interbudget.rules.borrowing import schedule

    i, a, o = schedule(np.array([100.0]), np.array([0.1]), np.array([2020]), np.array([2024]), list(range(2019, 2027)))
    assert a.sum() == pytest.approx(100) and a[0].tolist() == [0, 0, 25, 25, 25, 25, 0, 0]
    assert i[0].tolist() == pytest.approx([0, 0, 10, 7.5, 5, 2.5, 0, 0]) and o[0].tolist() == pytest.approx([0, 100, 75, 50, 25, 0, 0, 0])
    debt = [["1", "bank", "loan", "KZT", 1000, 0.12, 2025, 2030]]
    rows, _, res = simulate(dataset(tmp_path, actual_2026=600.0, debt=debt), scenario(borrowing={"max_debt_to_revenue": 0.5}))
    # service 2026: 200 amortization + 120 interest: a mandatory need, so the plan's subvention covers it
    assert rows["plan", "1", 2026]["needs"] == pytest.approx(1200) and rows["plan", "1", 2026]["subvention_received"] == pytest.approx(600)
    breach = [r for r in _csv(res, "debt_limits") if r["track"] == "plan" and r["year"] == 2026]
    # debt at the end of 2026: 800 > 0.5 x (600 + 600)
    assert breach == [{"track": "plan", "code": "1", "year": 2026, "limit": "max_debt_to_revenue", "value": pytest.approx(800),
                       "disposable_revenue": pytest.approx(1200), "ratio": pytest.approx(800 / 1200), "max_ratio": 0.5}]


def _csv(res, name):
    from interbudget.output_debt import tables

    t = tables(res)[name]
    return [] if t is None else t.to_pylist()


DEBT_HEADER = ["code", "creditor", "instrument", "currency", "amount", "rate", "start_year", "maturity_year"]


@pytest.mark.parametrize("row, expect", [
    (["1", "bank", "loan", "KZT", 100, -0.05, 2025, 2030], ["debt.csv", "line 3", "'rate'", "negative interest rate -0.05"]),
    (["1", "bank", "loan", "KZT", 100, 0.05, 2025, 2020], ["debt.csv", "line 3", "'maturity_year'", "maturity_year 2020 is before start_year 2025"]),
    (["1", "uncle", "loan", "KZT", 100, 0.05, 2025, 2030], ["debt.csv", "line 3", "'creditor'", "'uncle' is not one of republic, bank, bond, other"]),
    (["9", "bank", "loan", "KZT", 100, 0.05, 2025, 2030], ["debt.csv", "line 3", "'code'", "unknown unit code '9'"]),
    (["1", "bank", "loan", "KZT", -100, 0.05, 2025, 2030], ["debt.csv", "line 3", "'amount'", "negative principal"]),
    (["1", "bank", "loan", "KZT", 100, 5, 2025, 2030], ["debt.csv", "line 3", "'rate'", "above 1 is not one"]),
])
def test_every_bad_debt_row_is_named_by_file_row_and_column(tmp_path, row, expect):
    from test_errors import run_cli

    ds = dataset(tmp_path / "ds", debt=[["1", "republic", "budget_credit", "KZT", 50, 0.01, 2020, 2030], row])
    code, out = run_cli("validate", ds)
    assert code == 2 and "Traceback" not in out
    for e in expect:
        assert e in out, out


def test_a_bad_needs_kind_is_named(tmp_path):
    from test_errors import run_cli

    ds = dataset(tmp_path / "ds")
    text = (ds / "needs.csv").read_text().replace("roads,basic,development", "roads,basic,capital", 1)
    (ds / "needs.csv").write_text(text)
    code, out = run_cli("validate", ds)
    assert code == 2 and "needs.csv" in out and "'kind'" in out and "'capital' is not one of current, development" in out


@pytest.mark.parametrize("key, value, message", [
    ("sequestration", {"order": ["mandatory"]}, "mandatory current spending is never cut"),
    ("sequestration", {"order": ["basic.capital"]}, "unknown kind in step 'basic.capital'"),
    ("sequestration", {"order": ["basic", "basic.current"]}, "basic current spending is already in the order"),
    ("sequestration", {"max_share": 1.5}, "max_share 1.5 is outside [0, 1]"),
    ("borrowing", {"lenders": ["uncle"]}, "unknown lender 'uncle'"),
    ("borrowing", {"rate": -0.1}, "rate -0.1 is outside [0, 1]"),
    ("borrowing", {"lenders": ["bank"], "refinance": True}, "list republic among the lenders"),
    ("borrowing", {"max_debt_to_revenue": -1}, "limit -1.0 is negative"),
    ("actual_shock", {"years": [2031]}, "actual_shock year 2031 is not a year of the scenario"),
    ("actual_shock", {"years": [2027], "payers": {"regional": -1.5}}, "below -1"),
    ("rural_budgets", True, "contradicts rural_budgets: true"),
])
def test_every_new_scenario_key_is_validated_with_its_path(tmp_path, key, value, message):
    from test_errors import run_cli, write_scenario

    sc = scenario(**{key: value})
    if key == "rural_budgets":
        sc["rural_programmes"] = True
    f = write_scenario(tmp_path / "s.yaml", sc)
    code, out = run_cli("simulate", dataset(tmp_path / "ds"), f, "--out", tmp_path / "o")
    assert code == 2 and message in out and "s.yaml" in out, out
    if key != "rural_budgets":
        assert key in out


def test_an_unknown_shock_payer_is_an_error_naming_the_key(tmp_path):
    from test_errors import run_cli, write_scenario

    f = write_scenario(tmp_path / "s.yaml", scenario(actual_shock={"years": [2027], "payers": {"oil": -0.3}}))
    code, out = run_cli("simulate", dataset(tmp_path / "ds"), f, "--out", tmp_path / "o")
    assert code == 2 and "actual_shock.payers.oil" in out and "unknown payer category 'oil'" in out


def test_simulate_writes_the_files_and_prints_cuts_borrowing_and_gaps_and_explain_shows_the_order(tmp_path):
    from test_errors import run_cli, write_scenario

    sc = scenario(sequestration={"order": ["additional", "basic.development", "basic.current"], "protected": ["culture"]},
                  borrowing={"lenders": ["republic"], "rate": 0.1, "term": 2, "max_debt_to_revenue": 0.1})
    f = write_scenario(tmp_path / "s.yaml", sc)
    ds = dataset(tmp_path / "ds")
    code, out = run_cli("simulate", ds, f, "--out", tmp_path / "o")
    assert code == 0, out
    assert "cuts, borrowing and unfinanced gaps per region" in out and "sequestration.csv" in out
    lines = (tmp_path / "o" / "sequestration.csv").read_text().splitlines()
    assert lines[0] == "track,code,year,priority,kind,cut" and "actual,1,2026,basic,current,150" in lines
    assert (tmp_path / "o" / "borrowing.csv").read_text().splitlines()[0] == "track,code,year,lender,borrowed,debt_service,unfinanced"
    assert "actual,1,2026,500,500,330,38,132" in (tmp_path / "o" / "deficits.csv").read_text()
    for lang, words in (("en", ["step 3: basic, development — may cut 100.0, cut 100.0", "culture", "unfinanced gap", "132.0"]),
                        ("ru", ["шаг 4: базовые, текущие", "непокрытый разрыв"]), ("kk", ["4-қадам: базалық, ағымдағы", "алшақтық"])):
        code, out = run_cli("explain", ds, f, "--code", "1", "--year", 2026, "--track", "actual", "--lang", lang)
        assert code == 0 and all(w in out for w in words), out


def test_rural_programmes_sit_in_the_district_budget_and_are_never_cut(tmp_path):
    units = [("0", None, "republic", 1000), ("1", "0", "region", 600), ("11", "1", "district", 300), ("111", "11", "rural", 100)]
    ds = make_dataset(tmp_path, units, receipts=[("0", y, "vat", 5000) for y in YEARS] + [("11", y, "loc", 500) for y in YEARS],
                      actual=[("0", y, "vat", 5000) for y in YEARS] + [("11", y, "loc", 100) for y in YEARS])
    write_csv(ds / "needs.csv", ["code", "year", "function", "priority", "kind", "amount"],
              [[c, y, f, "basic", "current", a] for y in YEARS for c, f, a in (("11", "roads", 300), ("111", "water", 200))])
    sc = {"name": "r", "years": YEARS, "sharing": {"loc": {"district": 1.0}}, "sequestration": {"order": ["basic"]}}
    own, _, res_own = simulate(ds, sc)
    inside, _, res_in = simulate(ds, {**sc, "rural_programmes": True})
    assert ("plan", "111", 2026) in own and ("plan", "111", 2026) not in inside  # no own budget: a programme of the district
    assert inside["plan", "11", 2026]["needs"] == 500
    # the shortfall of 400: with own budgets the district cuts its roads (300) and 100 is left; the okrug is not short
    cut_own = res_own.debt.financing["actual"].cuts.sum(axis=2)
    cut_in = res_in.debt.financing["actual"].cuts.sum(axis=2)
    b = res_in.hierarchy.budget_index_of_unit[res_in.hierarchy.unit_index()["11"]]
    assert cut_in[b, 0] == pytest.approx(300) and inside["actual", "11", 2026]["balance"] == pytest.approx(-100)
    assert cut_own.sum() == pytest.approx(3 * 300)
