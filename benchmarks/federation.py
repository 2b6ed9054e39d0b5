"""A generated federation for benchmarks: republic, regions, districts, rural units.

Receipts for every unit x year x tax, written as Parquet with dictionary-
encoded codes (as a treasury export would be), plus CSV slices for the
plain-Python baseline. Seeded; amounts are random, not data.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

YEARS = [2026, 2027, 2028]


def generate(n_units: int, n_taxes: int, seed: int = 1) -> dict[str, pa.Table]:
    rng = np.random.default_rng(seed)
    n_reg = 20
    n_dist = 12 * n_reg
    n_rural = max(n_units - 1 - n_reg - n_dist, 0)
    level = np.concatenate([[0], np.full(n_reg, 1), np.full(n_dist, 2), np.full(n_rural, 3)]).astype(np.int8)
    n = level.size
    parent = np.full(n, -1, dtype=np.int64)
    parent[1:1 + n_reg] = 0
    parent[1 + n_reg:1 + n_reg + n_dist] = 1 + np.arange(n_dist) % n_reg
    parent[1 + n_reg + n_dist:] = 1 + n_reg + rng.integers(0, n_dist, n_rural)
    codes = np.char.zfill(np.arange(n).astype(str), 9)
    # the last region is a city whose districts (and their rural units) have no budgets
    region_of = np.where(level >= 1, 0, -1)
    region_of[1:1 + n_reg] = np.arange(1, 1 + n_reg)
    region_of[1 + n_reg:1 + n_reg + n_dist] = parent[1 + n_reg:1 + n_reg + n_dist]
    region_of[1 + n_reg + n_dist:] = region_of[parent[1 + n_reg + n_dist:]]
    has_budget = ~((region_of == n_reg) & (level >= 2))
    pop = rng.integers(100, 5000, n).astype(np.float64)
    lvl_names = np.array(["republic", "region", "district", "rural"])
    units = pa.table({
        "code": pa.array(codes), "parent": pa.array(np.where(parent >= 0, codes[np.maximum(parent, 0)], "")),
        "level": pa.array(lvl_names[level]).dictionary_encode(),
        "name_kk": pa.array(codes), "name_ru": pa.array(codes), "name_en": pa.array(codes),
        "population": pop, "has_budget": pa.array(np.where(has_budget, "true", "false")),
    })
    taxes = np.array(["iit_source", "social_tax", "vat"] + [f"tax{k:02d}" for k in range(3, n_taxes)])[:n_taxes]  # not "iit_s"
    m = n * len(YEARS) * n_taxes
    u = np.repeat(np.arange(n, dtype=np.int32), len(YEARS) * n_taxes)
    y = np.tile(np.repeat(np.array(YEARS, dtype=np.int16), n_taxes), n)
    t = np.tile(np.arange(n_taxes, dtype=np.int32), n * len(YEARS))
    amount = rng.lognormal(3, 1, m) - 2.0

    def receipts(amt: np.ndarray, rows: np.ndarray | slice = slice(None)) -> pa.Table:
        return pa.table({
            "code": pa.DictionaryArray.from_arrays(pa.array(u[rows]), pa.array(codes)),
            "year": pa.array(y[rows]),
            "tax": pa.DictionaryArray.from_arrays(pa.array(t[rows]), pa.array(taxes)),
            "payer": pa.DictionaryArray.from_arrays(pa.array((rng.random(amt.size) < 0.1).astype(np.int32)), pa.array(["regional", "base"])),
            "amount": amt,
        })

    first_year = y == YEARS[0]
    budgets = np.flatnonzero(has_budget)
    nb = budgets.size
    needs = pa.table({
        "code": pa.DictionaryArray.from_arrays(pa.array(np.repeat(budgets, len(YEARS) * 2).astype(np.int32)), pa.array(codes)),
        "year": pa.array(np.tile(np.repeat(np.array(YEARS, dtype=np.int16), 2), nb)),
        "function": pa.array(np.tile(np.array(["education", "health"]), nb * len(YEARS))).dictionary_encode(),
        "priority": pa.array(np.tile(np.array(["mandatory", "basic"]), nb * len(YEARS))).dictionary_encode(),
        "amount": rng.lognormal(5, 1, nb * len(YEARS) * 2),
    })
    actual = amount[first_year] * rng.uniform(0.8, 1.1, int(first_year.sum()))
    return {"units": units, "receipts": receipts(amount), "receipts_actual": receipts(actual, first_year), "needs": needs}


def write_parquet(tables: dict[str, pa.Table], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, t in tables.items():
        # one row group per file: one dictionary per code column, as a single export would write it
        pq.write_table(t, folder / f"{name}.parquet", row_group_size=max(t.num_rows, 1))
    return folder


def write_csv(tables: dict[str, pa.Table], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, t in tables.items():
        t = pa.table({c: (t.column(c).cast(t.column(c).type.value_type) if pa.types.is_dictionary(t.column(c).type) else t.column(c))
                      for c in t.column_names})
        pacsv.write_csv(t, folder / f"{name}.csv", write_options=pacsv.WriteOptions(quoting_style="none"))
    return folder


def scenario(option: int, method: str = "M3") -> dict:
    return {"name": f"bench-option-{option}-{method}", "years": YEARS, "option": option, "withdrawal_rate": 0.9,
            "district_method": method, "rural_method": method,
            "sharing": {"iit_source": {"region": 0.4, "district": 0.4, "rural": 0.1},
                        "social_tax": {"region": 0.5, "district": 0.3},
                        "vat": {"region": 0.1}, "tax05": {"rural": 1.0}, "tax06": {"district": 0.7}}}
