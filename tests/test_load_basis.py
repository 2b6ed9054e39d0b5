"""load_dataset(folder, needs_basis=...): only the needs basis a run uses is read and checked; the other bases'
function names keep function ids as a full read gives them; asking for a basis not read is an error."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from helpers import make_dataset, write_csv, write_scenario
from interbudget.dataset import load_dataset
from interbudget.engine import run
from interbudget.errors import InterbudgetError
from interbudget.scenario import load_scenario
from test_errors import run_cli

ROOT = Path(__file__).resolve().parents[1]
KZ = ROOT / "data" / "kz"
Y = 2026
UNITS = [("0", None, "republic", 100), ("1", "0", "region", 60), ("11", "1", "district", 40)]
NEEDS_COLS = ["code", "year", "function", "priority", "amount"]
SC = {"name": "b", "years": [Y], "sharing": {"iit_source": {"region": 0.5, "district": 0.5}}}


@pytest.fixture(scope="module")
def full():
    return load_dataset(KZ)


def _same_needs(a, b) -> None:
    for f in ("unit", "year", "function", "priority", "amount", "kind"):
        x, y = getattr(a, f), getattr(b, f)
        assert (x is None) == (y is None), f
        if x is not None:
            assert x.dtype == y.dtype and np.array_equal(x, y), f


@pytest.mark.parametrize("basis", ["observed", "law", "normative"])
def test_one_basis_gives_the_needs_and_the_function_ids_of_a_full_read(full, basis):
    ds = load_dataset(KZ, needs_basis=basis)
    assert ds.needs_basis == basis and list(ds.needs_bases) == [basis]
    assert ds.functions == full.functions and ds.taxes == full.taxes and ds.driver_names == full.driver_names
    _same_needs(ds.needs, full.with_needs_basis(basis).needs)
    assert ds.with_needs_basis(basis) is ds
    for other in {"observed", "law", "normative"} - {basis}:
        with pytest.raises(InterbudgetError, match=f"needs basis '{other}' was not read: .* loaded with needs_basis='{basis}'"):
            ds.with_needs_basis(other, "s.yaml")
    assert ds.files == full.files  # the manifest hashes every file of the folder, read or not


def test_a_run_on_one_basis_equals_a_run_on_a_full_read(full):
    s, _ = load_scenario(ROOT / "scenarios" / "normative-needs.yaml")
    a, b = run(full, s), run(load_dataset(KZ, needs_basis=s.needs_basis), s)
    for name in ("subvention", "withdrawal"):
        assert np.array_equal(getattr(a.transfers, name), getattr(b.transfers, name)), name
    assert np.array_equal(a.needs, b.needs) and np.array_equal(a.need_items.function, b.need_items.function)


def test_an_unknown_basis_is_refused():
    with pytest.raises(InterbudgetError, match="needs basis 'legal' is not one of observed, law, normative"):
        load_dataset(KZ, needs_basis="legal")


def _dataset(tmp_path: Path) -> Path:
    ds = make_dataset(tmp_path / "ds", UNITS, receipts=[("11", Y, "iit_source", 100)],
                      needs=[("11", Y, "edu", 10), ("1", Y, "health", 5)])
    # the law's needs name a function needs.csv lacks, and give the functions in another order
    write_csv(ds / "needs_law.csv", NEEDS_COLS, [["1", Y, "roads", "basic", 30], ["11", Y, "health", "mandatory", 80],
                                                 ["11", Y, "edu", "mandatory", 8]])
    return ds


def test_function_ids_follow_the_files_as_a_full_read_does(tmp_path):
    ds = _dataset(tmp_path)
    full = load_dataset(ds)
    assert full.functions == ["edu", "health", "roads"]
    law = load_dataset(ds, needs_basis="law")
    assert law.functions == full.functions
    _same_needs(law.needs, full.with_needs_basis("law").needs)


def test_an_absent_basis_reads_every_basis_and_the_run_says_what_is_missing(tmp_path):
    ds = _dataset(tmp_path)
    (ds / "needs_law.csv").unlink()
    one = load_dataset(ds, needs_basis="law")
    assert list(one.needs_bases) == list(load_dataset(ds).needs_bases) and one.needs_bases_unread == ()
    with pytest.raises(InterbudgetError) as a:
        one.with_needs_basis("law", "s.yaml")
    with pytest.raises(InterbudgetError) as b:
        load_dataset(ds).with_needs_basis("law", "s.yaml")
    assert str(a.value) == str(b.value) and "needs_law.csv" in str(a.value)


def test_a_basis_not_read_is_not_checked_but_validate_still_is(tmp_path):
    ds = _dataset(tmp_path)
    write_csv(ds / "needs_law.csv", NEEDS_COLS, [["1", Y, "roads", "basic", "lots"]])
    with pytest.raises(InterbudgetError, match="'lots' is not a number"):
        load_dataset(ds)
    assert load_dataset(ds, needs_basis="observed").functions == ["edu", "health", "roads"]
    code, text = run_cli("validate", ds)
    assert code == 2 and "needs_law.csv, line 2, column 'amount': 'lots' is not a number (need)" in text
    sc = write_scenario(tmp_path / "s.yaml", SC)  # needs_basis: observed (the default)
    code, text = run_cli("simulate", ds, sc, "--out", tmp_path / "out")
    assert code == 0, text
    code, text = run_cli("simulate", ds, write_scenario(tmp_path / "l.yaml", {**SC, "needs_basis": "law"}), "--out", tmp_path / "o2")
    assert code == 2 and "'lots' is not a number (need)" in text


def test_a_parquet_basis_left_unread_gives_its_function_names_too(tmp_path):
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    src = _dataset(tmp_path)
    for name in ("needs.csv", "needs_law.csv"):  # plain string columns, as a user's table would be written
        t = pacsv.read_csv(src / name, convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(NEEDS_COLS, "string")))
        pq.write_table(t, src / name.replace(".csv", ".parquet"))
        (src / name).unlink()
    full = load_dataset(src)
    for basis in ("observed", "law"):
        one = load_dataset(src, needs_basis=basis)
        assert one.functions == full.functions == ["edu", "health", "roads"]
        _same_needs(one.needs, full.with_needs_basis(basis).needs)
