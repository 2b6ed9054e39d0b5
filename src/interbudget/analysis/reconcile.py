"""Reconciliation of modelled transfers with published figures (§3.3.3): the model against the law or execution.

The published file is `code,year,transfer,amount,source` (transfer: subvention or withdrawal; amounts in
thousand tenge, never negative). For every budget and year of the file the modelled subvention and
withdrawal of the scenario's plan track are set beside the published ones; a budget is compared on its net
transfer (subvention - withdrawal) and on its status (subvention, donor or neither, rules/status.py). A region
of the scenario missing from the file in one of the file's years, and a year of the file outside the
scenario's years, are reported and written with an empty side — never dropped.
"""
from __future__ import annotations

import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from .. import tables as T
from ..engine import Result
from ..errors import InterbudgetError, Problems
from ..hierarchy import REGION, Hierarchy
from ..rules.status import HALF_TIYN, statuses

TRANSFERS = ("subvention", "withdrawal")
COLUMNS = ["code", "year", "transfer", "modelled", "published", "difference"]


@dataclass
class Published:
    """Published transfers, one row per (code, year, transfer), read and checked."""

    file: str
    code: list[str]
    unit: np.ndarray  # unit index
    year: np.ndarray
    transfer: np.ndarray  # 0 subvention, 1 withdrawal
    amount: np.ndarray
    source: list[str]


def read_published(path: str | Path, h: Hierarchy) -> Published:
    """Read FILE; every problem names the file, the line (header = line 1) and the column."""
    path = Path(path)
    problems = Problems()
    if not path.is_file():
        raise InterbudgetError(f"{path}: published file not found")
    t = T.read_table(path, ["code", "year", "transfer", "amount", "source"], [], problems, must_have_rows=True)
    problems.raise_if_any()
    if t is None:  # read_table adds a problem whenever it gives None
        raise InterbudgetError(f"{path}: cannot be read")
    codes = pa.array(h.codes.tolist(), pa.string())
    unit = T.lookup(t, "code", codes, problems)
    year = T.integers(t, "year", problems)
    transfer = T.choices(t, "transfer", list(TRANSFERS), problems)
    amount = T.numbers(t, "amount", problems, negative_ok=False, what="published amount")
    source = T.strings(t, "source", problems)
    ok = unit >= 0
    no_budget = np.zeros(t.nrows, bool)
    no_budget[ok] = ~h.has_budget[unit[ok]]
    T._report(t, "code", no_budget, T.strings(t, "code", Problems()), "unit '{value}' has no budget of its own", problems)
    T.duplicates(t, [unit, year, transfer], problems, "published amount for this (code, year, transfer)")
    problems.raise_if_any()
    return Published(t.name, [str(c) for c in h.codes[unit]], unit, year, transfer, amount, source.to_pylist())


@dataclass
class YearSummary:
    year: int
    compared: int
    mean_abs_difference: float
    correlation: float  # of the net transfers; NaN with fewer than two budgets or no variation
    same_status: int
    largest: list[dict]  # code, name, modelled, published, difference (net), by |difference|
    missing_in_published: list[str]  # regions of the scenario the file does not give for the year
    modelled_total: float = 0.0
    published_total: float = 0.0
    what: str = "regions"  # "regions" when every compared budget is a region, else "budgets"


@dataclass
class Reconciliation:
    scenario: str
    rows: list[dict]
    years: list[YearSummary]
    missing_in_model: list[int] = field(default_factory=list)  # years of the file outside the scenario's years
    regions: list[dict] = field(default_factory=list)  # per compared budget and year: net, status, both sides


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    if a.size < 2 or np.std(a) == 0 or np.std(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def reconcile(res: Result, pub: Published, top: int = 5, lang: str = "en") -> Reconciliation:
    """Modelled (plan track) against published transfers; see the module docstring."""
    h = res.hierarchy
    b_of = h.budget_index_of_unit
    S, W = res.transfers.subvention, res.transfers.withdrawal
    rows: list[dict] = []
    summaries: list[YearSummary] = []
    regions_out: list[dict] = []
    file_years = sorted(set(pub.year.tolist()))
    missing_years = [y for y in file_years if y not in res.years]
    region_budgets = np.flatnonzero(h.b_level == REGION)
    for y in file_years:  # a few years
        sel = pub.year == y
        units = np.unique(pub.unit[sel])
        ps = np.zeros(units.size)
        pw = np.zeros(units.size)
        k = np.searchsorted(units, pub.unit[sel])
        np.add.at(ps, k[pub.transfer[sel] == 0], pub.amount[sel][pub.transfer[sel] == 0])
        np.add.at(pw, k[pub.transfer[sel] == 1], pub.amount[sel][pub.transfer[sel] == 1])
        given = np.zeros((units.size, 2), bool)
        given[k, pub.transfer[sel]] = True
        b = b_of[units]
        order = np.argsort(h.b_codes[b].astype(str), kind="stable")
        units, ps, pw, given, b = units[order], ps[order], pw[order], given[order], b[order]
        if y in missing_years:
            for i, u in enumerate(units.tolist()):
                for t, amount in ((0, ps[i]), (1, pw[i])):
                    if given[i, t]:
                        rows.append({"code": str(h.codes[u]), "year": y, "transfer": TRANSFERS[t], "modelled": math.nan,
                                     "published": float(amount), "difference": math.nan})
            continue
        yi = res.years.index(y)
        ms, mw = S[b, yi], W[b, yi]
        for i, u in enumerate(units.tolist()):
            for t, m, p in ((0, ms[i], ps[i]), (1, mw[i], pw[i])):
                if given[i, t] or m >= HALF_TIYN:
                    rows.append({"code": str(h.codes[u]), "year": y, "transfer": TRANSFERS[t], "modelled": float(m),
                                 "published": float(p), "difference": float(m - p)})
        absent = np.setdiff1d(region_budgets, b)
        absent = absent[np.argsort(h.b_codes[absent].astype(str), kind="stable")]
        for a in absent.tolist():
            t = 1 if W[a, yi] >= HALF_TIYN else 0
            rows.append({"code": str(h.b_codes[a]), "year": y, "transfer": TRANSFERS[t], "modelled": float((S, W)[t][a, yi]),
                         "published": math.nan, "difference": math.nan})
        m_net, p_net = ms - mw, ps - pw
        diff = m_net - p_net
        m_st, p_st = statuses(ms, mw), statuses(ps, pw)
        names = [h.name(int(u), lang) for u in units]
        for i, u in enumerate(units.tolist()):
            regions_out.append({"code": str(h.codes[u]), "name": names[i], "year": y, "modelled_subvention": float(ms[i]),
                                "modelled_withdrawal": float(mw[i]), "published_subvention": float(ps[i]),
                                "published_withdrawal": float(pw[i]), "modelled": float(m_net[i]), "published": float(p_net[i]),
                                "difference": float(diff[i]), "modelled_status": str(m_st[i]), "published_status": str(p_st[i])})
        big = np.argsort(-np.abs(diff), kind="stable")[:top]
        summaries.append(YearSummary(
            year=y, compared=int(units.size), mean_abs_difference=float(np.abs(diff).mean()) if diff.size else math.nan,
            correlation=_corr(m_net, p_net), same_status=int((m_st == p_st).sum()),
            largest=[{"code": str(h.codes[units[i]]), "name": names[i], "modelled": float(m_net[i]), "published": float(p_net[i]),
                      "difference": float(diff[i])} for i in big.tolist()],
            missing_in_published=[str(c) for c in h.b_codes[absent]],
            modelled_total=float(m_net.sum()), published_total=float(p_net.sum()),
            what="regions" if (h.b_level[b] == REGION).all() else "budgets"))
    return Reconciliation(res.scenario.name, rows, summaries, missing_years, regions_out)


def write_reconcile(rec: Reconciliation, folder: Path) -> Path:
    """DIR/reconcile.csv, written whole or not at all; empty cells where one side is missing."""
    import csv

    cell = lambda v: "" if isinstance(v, float) and math.isnan(v) else repr(v) if isinstance(v, float) else v  # noqa: E731
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".reconcile-", suffix=".csv")
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(COLUMNS)
            w.writerows([[cell(r[c]) for c in COLUMNS] for r in rec.rows])
        os.replace(tmp, folder / "reconcile.csv")
    except OSError as exc:
        raise InterbudgetError(f"{folder}: cannot write reconcile.csv ({exc.strerror})") from None
    return folder / "reconcile.csv"
