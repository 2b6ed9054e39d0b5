"""units.csv and payers.csv: the hierarchy of budgets (one republic, each parent one level up, no cycles) and the
payer categories with their class (regional or base)."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import tables as T
from ..errors import Problems
from ..hierarchy import LEVELS, REPUBLIC, Hierarchy, find_cycles
from .records import FALSE_WORDS, LANGS, PAYERS, TRUE_WORDS


def _load_units(t: T.RawTable, problems: Problems) -> tuple[pa.Array, Hierarchy | None]:
    name = t.name
    codes = T.strings(t, "code", problems)
    enc = pc.dictionary_encode(codes)
    T.duplicates(t, [np.asarray(enc.indices.to_numpy(zero_copy_only=False))], problems, "unit code", "code")
    level = T.choices(t, "level", list(LEVELS), problems)
    population = T.numbers(t, "population", problems, negative_ok=False, what="population")
    if t.has("has_budget"):
        hb = T.choices(t, "has_budget", list(TRUE_WORDS + FALSE_WORDS), problems, default="true")
        has_budget = hb < len(TRUE_WORDS)
    else:
        has_budget = np.ones(t.nrows, dtype=bool)
    parents = T.strings(t, "parent", problems, allow_empty=True)
    no_parent = T.to_np(pc.equal(pc.utf8_length(parents), 0), bool)
    parent = T.to_np(pc.index_in(parents, value_set=codes).fill_null(-1), np.int32, copy=True)
    unknown = (parent < 0) & ~no_parent
    T._report(t, "parent", unknown, parents, "unknown parent code '{value}'", problems)
    parent[no_parent | unknown] = -1

    republics = np.flatnonzero(level == REPUBLIC)
    if republics.size == 0:
        problems.add(name, "no unit has level 'republic'; exactly one is needed", column="level")
    elif republics.size > 1:
        listed = ", ".join(f"'{codes[int(i)].as_py()}' ({t.row_label(int(i))})" for i in republics[:5])
        problems.add(name, f"{republics.size} units have level 'republic' ({listed}); exactly one is allowed", column="level")
    rep_with_parent = (level == REPUBLIC) & ~no_parent
    T._report(t, "parent", rep_with_parent, parents, "the republic must have an empty parent, not '{value}'", problems)
    orphan = (level != REPUBLIC) & no_parent
    T._report(t, "parent", orphan, None, "empty parent: only the republic has none", problems)
    rep_no_budget = (level == REPUBLIC) & ~has_budget
    T._report(t, "has_budget", rep_no_budget, None, "the republic always has a budget", problems)

    # a cycle: some chain of parents never reaches the republic
    cyc = find_cycles(parent)
    if cyc.any():
        reported: set[int] = set()
        for start in np.flatnonzero(cyc)[:50].tolist():
            seen, u = [], start
            while u not in seen:  # error path only: walk one chain by hand
                seen.append(u)
                u = int(parent[u])
            loop = seen[seen.index(u):]
            if reported.intersection(loop):
                continue
            reported.update(loop)
            chain = " → ".join(f"'{codes[i].as_py()}'" for i in loop + [loop[0]])
            problems.add(name, f"cycle in the hierarchy: {chain}", t.row_label(loop[0]), "parent")
    else:
        # every other unit's parent is exactly one level up
        has_par = parent >= 0
        wrong = np.zeros(t.nrows, dtype=bool)
        wrong[has_par] = level[parent[has_par]] != level[has_par] - 1
        rows = np.flatnonzero(wrong)
        msgs = [
            f"parent '{codes[int(parent[i])].as_py()}' is a {LEVELS[level[parent[i]]]}; "
            f"the parent of a {LEVELS[level[i]]} must be a {LEVELS[max(level[i] - 1, 0)]}"
            for i in rows[: Problems.PER_KIND + 1]
        ]
        problems.add_rows(name, "parent", [t.row_label(int(i)) for i in rows], msgs + [""] * (rows.size - len(msgs)))

    if problems:
        return codes, None
    names = {lg: T.strings(t, f"name_{lg}", problems, allow_empty=True) for lg in LANGS}  # Arrow arrays, read per unit on demand
    h = Hierarchy(
        codes=np.asarray(codes.to_pylist(), dtype=object),
        parent=parent,
        level=level.astype(np.int8),
        has_budget=has_budget,
        population=population,
        names=names,
    )
    return codes, h


def _load_payers(t: T.RawTable | None, problems: Problems) -> tuple[list[str], np.ndarray]:
    """Payer categories: regional and base, then those of payers.csv with their class."""
    names, is_base = list(PAYERS), [False, True]
    if t is None:
        return names, np.array(is_base)
    cats = T.strings(t, "payer", problems)
    flag = T.choices(t, "base", list(TRUE_WORDS[:-1] + FALSE_WORDS), problems)
    listed = [str(x).lower() for x in cats.to_pylist()]
    for i, name in enumerate(listed):
        if name in names:
            where = "a payer class of METHOD.md" if name in PAYERS else f"given on {t.row_label(listed.index(name))}"
            problems.add(t.name, f"payer category '{name}' is already defined ({where})", t.row_label(i), "payer")
            continue
        names.append(name)
        is_base.append(bool(flag[i] < len(TRUE_WORDS) - 1))
    return names, np.array(is_base)
