"""The dataset-against-scenario checks: problems that need both, found before anything is computed.

A tax, region, unit, payer category or year the scenario names that the dataset lacks is an error
naming the scenario key (a mistyped tax would otherwise send its receipts wholly to the republic without
a word); a file a mechanism needs and the dataset lacks (last_transfers.csv for guarantees, bases.csv for
the capacity basis, receipts_revised.csv for a revision, a mandate's costs) is an error too. What is
accepted but worth saying (an unused key, option 4's territorial split of §3.3.2) is returned as warnings.
"""
from __future__ import annotations

from ..dataset import Dataset
from ..errors import InterbudgetError, Problem
from ..hierarchy import DISTRICT, LEVELS, REGION, RURAL
from ..scenario import Scenario
from .scope import base_mask, scenario_hierarchy, scenario_taxes


def unknown_taxes(ds: Dataset, s: Scenario) -> list[tuple[str, str]]:
    """(key path, tax) of every tax the scenario names in sharing, sharing_base, child_shares or (written)
    regulated_taxes that is not in the dataset's tax list (receipts files, taxes.csv): a typo would
    otherwise send that tax's receipts wholly to the republic without a word."""
    known = ds.tax_list()
    named = [(f"sharing.{t}", t) for t in s.sharing] + [(f"sharing_base.{t}", t) for t in s.sharing_base or {}]
    named += [(f"child_shares.{c}.{t}", t) for c, shares in s.child_shares.items() for t in shares]
    named += [("regulated_taxes", t) for t in s.regulated_taxes or []]
    return [(k, t) for k, t in named if t not in known]


def check_compatible(ds: Dataset, s: Scenario, scenario_file: str, allow_unknown_taxes: bool = False) -> list[str]:
    """Problems that need both the dataset and the scenario; returns warnings. A tax the dataset does not
    know is a problem, or with `allow_unknown_taxes` a warning."""
    problems: list[Problem] = []
    unknown = unknown_taxes(ds, s)
    if not allow_unknown_taxes:
        import difflib

        known = sorted(ds.tax_list())
        for key, t in unknown:
            near = difflib.get_close_matches(t, known, n=1)
            hint = f"did you mean '{near[0]}'? " if near else ""
            problems.append(Problem(scenario_file, f"tax '{t}' is not in the dataset's tax list (receipts, taxes.csv): {hint}"
                                    "known: " + ", ".join(known) + " (--allow-unknown-taxes accepts it)", column=key))
    h = scenario_hierarchy(ds.hierarchy, s)
    rows = ds.receipts.grid(s.years, h.n, len(scenario_taxes(ds.taxes, s)),
                           base_mask(ds.payer_names, ds.payer_is_base, s, scenario_file)).year_rows
    for y in (y for y, n in zip(s.years, rows, strict=True) if n == 0):
        have = ds.receipts.years()
        problems.append(Problem(ds.files["receipts"].name, f"scenario year {y} has no receipts (years present: "
                                f"{', '.join(map(str, sorted(have))) or 'none'})", column="year"))
    idx = h.unit_index()
    if s.region_shares is not None and not s.region_specific_shares:
        problems.append(Problem(scenario_file, "region_shares apply to options 2 and 4 only", column="region_shares"))
    for code in s.region_shares or {}:
        u = idx.get(code)
        if u is None or h.level[u] != REGION:
            problems.append(Problem(scenario_file, f"'{code}' is not a region code in units.csv", column="region_shares"))
    for key in ("district_method", "rural_method"):
        m = getattr(s, key)
        if isinstance(m, dict):
            for code in m:
                u = idx.get(code)
                if u is None or h.level[u] != REGION:
                    problems.append(Problem(scenario_file, f"'{code}' is not a region code in units.csv", column=key))
    unused = []
    for code in s.child_shares:
        u = idx.get(code)
        if u is None:
            problems.append(Problem(scenario_file, f"unknown unit code '{code}' (not in units.csv)", column="child_shares"))
        elif h.level[u] not in (DISTRICT, RURAL):
            problems.append(Problem(scenario_file, f"'{code}' is a {LEVELS[h.level[u]]}; child shares are for districts "
                                    "and rural units", column="child_shares"))
        elif not h.has_budget[u]:
            unused.append(code)
    if s.envelope is not None and (s.envelope.floor is not None or s.envelope.ceiling is not None) and ds.last_transfers is None:
        problems.append(Problem(scenario_file, "floors and ceilings need last_transfers.csv in the dataset (code, amount[, kind])",
                                column="envelope"))
    for m in s.mandates:
        if m.per_capita is None and (ds.mandate_costs is None or m.name not in ds.mandate_costs):
            problems.append(Problem(scenario_file, f"mandate '{m.name}' has no cost: give per_capita, or its rows in mandates.csv",
                                    column="mandates"))
    if s.actual_shock is not None:
        problems += [Problem(scenario_file, f"unknown payer category '{p}' (known: {', '.join(ds.payer_names)})",
                             column=f"actual_shock.payers.{p}") for p in s.actual_shock.payers if p not in ds.payer_names]
    if s.capacity and ds.bases is None:
        problems.append(Problem(scenario_file, "a capacity basis needs bases.csv in the dataset (code, year, tax, base)", column="capacity"))
    if s.revision is not None:
        if ds.receipts_revised is None:
            problems.append(Problem(scenario_file, "a revision needs receipts_revised.csv in the dataset (same columns as receipts.csv)",
                                    column="revision"))
        else:
            have = ds.receipts_revised.years()
            problems += [Problem(ds.files["receipts_revised"].name, f"revision year {y} has no receipts", column="year")
                         for y in s.years if y >= s.revision.from_year and y not in have]
    if problems:
        raise InterbudgetError(problems)
    listed = ds.tax_list()
    warnings = [f"{scenario_file}: tax '{t}' ({key}) is not in the dataset's tax list; accepted (--allow-unknown-taxes)"
                for key, t in unknown]
    if s.regulated_taxes is None and (not s.fixed_uniform_shares or "M2" in s.methods_used()):
        warnings += [f"{scenario_file}: regulated tax '{t}' has no receipts in the dataset" for t in s.regulated if t not in listed]
    if ds.bases is not None:
        with_base = set(ds.bases.tax.tolist())  # (np.unique would import numpy.ma, 20-40 ms, for a few thousand codes)
        warnings += [f"{scenario_file}: capacity tax '{t}' has no rows in bases.csv: its capacity is 0"
                     for t in s.capacity if t not in ds.taxes or ds.taxes.index(t) not in with_base]
    if s.sequestration is not None:
        warnings += [f"{scenario_file}: sequestration.protected names function '{f}', which has no needs in the dataset"
                     for f in s.sequestration.protected if f not in ds.functions]
    if s.actual_shock is not None:
        warnings += [f"{scenario_file}: actual_shock tax '{t}' has no receipts in the dataset" for t in s.actual_shock.taxes if t not in ds.taxes]
    if (s.sequestration or s.borrowing) and ds.receipts_actual is None and s.revision is None and s.actual_shock is None:
        warnings.append(f"{scenario_file}: sequestration and borrowing act on the actual and revised tracks; this run has neither")
    if unused:
        warnings.append(f"{scenario_file}: child_shares of units without a budget in this scenario are not used: {', '.join(unused)}")
    split = [t for t in s.regulated if s.share(t, "district") + s.share(t, "rural") > 0]
    if s.base_payers_to_republic and split:  # §3.3.2: an enterprise split cannot be carried down to the districts
        warnings.append(f"{scenario_file}: option 4 splits {', '.join(split)} by enterprise, and such a split cannot be made between "
                        "districts (§3.3.2): the district and rural shares of these taxes apply to the regional payers' receipts "
                        "booked on each territory, a territorial split, not an enterprise split")
    if ds.coefficients.unit.size and not h.has_budget[ds.coefficients.unit].all():
        warnings.append(f"{scenario_file}: coefficients of units without a budget in this scenario are ignored")
    return warnings
