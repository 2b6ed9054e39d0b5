"""The reform as a programme (concept §3.1, §3.2, §3.3.3, §3.4 and the conclusion), loaded and checked like a dataset.

A programme folder (`programme/kz/`) holds three CSV files; every row cites its section of the concept:
- measures.csv: id, function (the institutional function of ../shared/FUNCTIONS.md it carries out), section,
  measure_kk, measure_ru, measure_en, lead, co_executors (body codes, ';'), due (YYYY-MM-DD or empty),
  due_wording (the concept's words for the date), levels (';'), regions (KATO codes, ';', empty: every region),
  status, done_on, evidence, evidence_ref, functions (registry function ids, ';'), proposals (proposal file
  names without .yaml, ';'), scenarios (scenario names, ';').
- acts.csv: id, act_kk, act_ru, act_en, act_date, section, article (empty unless a source names one), change_kk,
  change_ru, change_en, stage, measures (';'), evidence, evidence_ref.
- preconditions.csv: id, measure, requires (a measure that must be done first) or a condition of its own
  (condition_kk, condition_ru, condition_en, status met / not_met / unknown), section, evidence, evidence_ref.
Problems name the file, the line (the header is line 1) and the column; all are reported at once.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..errors import Problems
from ..hierarchy import LEVELS
from ..vocab import STATUSES

STAGES = ("unknown", "to_draft", "drafted", "in_parliament", "adopted", "in_force", "repealed")
CONDITION_STATUSES = ("met", "not_met", "unknown")
#: the bodies the concept names as lead or co-executor (names in i18n/programme.*.yaml)
BODIES = ("government", "mebp", "state_commission", "state_bodies", "local_executive_bodies", "maslikhats", "parliament",
          "not_named")
LANGS = ("kk", "ru", "en")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_SECTION = re.compile(r"^(§\d+(\.\d+)*|intro|conclusion|resolution ¶\d+)( \([^)]*\))?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Measure:
    id: str
    function: str
    section: str
    text: dict[str, str]
    lead: str
    co_executors: list[str]
    due: date | None
    due_wording: str
    levels: list[str]
    regions: list[str]
    status: str
    done_on: date | None
    evidence: str
    evidence_ref: str
    functions: list[str] = field(default_factory=list)
    proposals: list[str] = field(default_factory=list)
    scenarios: list[str] = field(default_factory=list)
    row: int = 0


@dataclass
class Act:
    id: str
    name: dict[str, str]
    act_date: date | None
    section: str
    article: str
    change: dict[str, str]
    stage: str
    measures: list[str]
    evidence: str
    evidence_ref: str
    row: int = 0


@dataclass
class Precondition:
    id: str
    measure: str
    requires: str  # a measure id, or '' for a condition of its own
    section: str
    condition: dict[str, str]
    status: str  # the condition's own status ('' when it is a measure)
    evidence: str
    evidence_ref: str
    row: int = 0


@dataclass
class Programme:
    folder: Path
    measures: dict[str, Measure]
    acts: dict[str, Act]
    preconditions: list[Precondition]


def _read(path: Path, required: list[str], problems: Problems) -> list[tuple[int, dict[str, str]]]:
    if not path.is_file():
        problems.add(path.name, f"file not found in {path.parent}")
        return []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            problems.add(path.name, f"missing column(s) {', '.join(missing)}", "line 1")
            return []
        return [(i, {k: (v or "").strip() for k, v in r.items() if k}) for i, r in enumerate(reader, start=2)]


def _list(v: str) -> list[str]:
    return [x.strip() for x in v.split(";") if x.strip()]


class _Checker:
    def __init__(self, problems: Problems, file: str, line: int):
        self.p, self.file, self.where = problems, file, f"line {line}"

    def bad(self, column: str, message: str) -> None:
        self.p.add(self.file, message, self.where, column)

    def one_of(self, r: dict, column: str, allowed: Iterable[str], what: str) -> None:
        allowed = tuple(allowed)
        if r[column] not in allowed:
            self.bad(column, f"unknown {what} '{r[column]}': one of {', '.join(allowed)}")

    def section(self, r: dict, column: str = "section") -> None:
        if not r[column]:
            self.bad(column, "every row cites its section of the concept (e.g. '§3.4' or 'conclusion')")
            return
        for part in r[column].split(";"):
            if not _SECTION.match(part.strip()):
                self.bad(column, f"'{part.strip()}' is not a section of the concept (§N.N, intro, conclusion, resolution ¶N)")

    def date(self, r: dict, column: str) -> date | None:
        v = r.get(column, "")
        if not v:
            return None
        try:
            if not _DATE.match(v):
                raise ValueError
            return date.fromisoformat(v)
        except ValueError:
            self.bad(column, f"'{v}' is not a date (YYYY-MM-DD)")
            return None

    def texts(self, r: dict, prefix: str, required: bool = True) -> dict[str, str]:
        out = {lg: r.get(f"{prefix}_{lg}", "") for lg in LANGS}
        if required:
            for lg in LANGS:
                if not out[lg]:
                    self.bad(f"{prefix}_{lg}", f"empty: every {prefix} is given in Kazakh, Russian and English")
        return out

    def links(self, r: dict, column: str, known: Iterable[str] | None, what: str) -> list[str]:
        ids = _list(r.get(column, ""))
        if known is not None:
            known = set(known)
            for x in ids:
                if x not in known:
                    self.bad(column, f"unknown {what} '{x}'")
        return ids


def load_programme(folder: str | Path, functions: Iterable[str] | None = None, proposals: Iterable[str] | None = None,
                   scenarios: Iterable[str] | None = None, regions: Iterable[str] | None = None) -> Programme:
    """The programme of FOLDER, every link checked against what is loaded: FUNCTIONS (the registry's ids),
    PROPOSALS (proposal names), SCENARIOS (scenario names) and REGIONS (the dataset's region codes); a link kind
    given as None is not checked."""
    folder = Path(folder)
    problems = Problems()
    measures: dict[str, Measure] = {}
    cols = ["id", "function", "section", "measure_kk", "measure_ru", "measure_en", "lead", "due", "status"]
    for i, r in _read(folder / "measures.csv", cols, problems):
        c = _Checker(problems, "measures.csv", i)
        if not _ID.match(r["id"]):
            c.bad("id", f"'{r['id']}' is not an id (lower-case letters, digits, '_' or '-')")
        elif r["id"] in measures:
            c.bad("id", f"duplicate measure id '{r['id']}' (first on line {measures[r['id']].row})")
        if not _ID.match(r["function"]):
            c.bad("function", f"'{r['function']}' is not a function id of the concept")
        c.section(r)
        c.one_of(r, "status", STATUSES, "status")
        c.one_of(r, "lead", BODIES, "body")
        co = c.links(r, "co_executors", BODIES, "body")
        levels = c.links(r, "levels", LEVELS, "level")
        done_on = c.date(r, "done_on")
        if done_on is not None and r["status"] != "done":
            c.bad("done_on", f"a completion date for a measure whose status is '{r['status']}', not done")
        if r["status"] in STATUSES and r["status"] not in ("unknown", "planned") and not r.get("evidence"):
            c.bad("evidence", f"status '{r['status']}' needs its evidence: the act or document that says so")
        if r.get("evidence") and not r.get("evidence_ref"):
            c.bad("evidence_ref", "evidence needs its reference (the source that cites it)")
        measures.setdefault(r["id"], Measure(
            r["id"], r["function"], r["section"], c.texts(r, "measure"), r["lead"], co, c.date(r, "due"),
            r.get("due_wording", ""), levels, c.links(r, "regions", regions, "region code"), r["status"], done_on, r.get("evidence", ""),
            r.get("evidence_ref", ""), c.links(r, "functions", functions, "registry function"),
            c.links(r, "proposals", proposals, "proposal"), c.links(r, "scenarios", scenarios, "scenario"), i))
    acts: dict[str, Act] = {}
    for i, r in _read(folder / "acts.csv", ["id", "act_kk", "act_ru", "act_en", "section", "article", "stage", "measures"],
                      problems):
        c = _Checker(problems, "acts.csv", i)
        if r["id"] in acts:
            c.bad("id", f"duplicate act id '{r['id']}'")
        c.section(r)
        c.one_of(r, "stage", STAGES, "stage")
        if r["stage"] in STAGES and r["stage"] not in ("unknown", "to_draft") and not r.get("evidence"):
            c.bad("evidence", f"stage '{r['stage']}' needs its evidence")
        if r["article"] and not r.get("evidence_ref"):
            c.bad("article", "an article needs the source that names it (evidence_ref): never an invented one")
        acts.setdefault(r["id"], Act(r["id"], c.texts(r, "act"), c.date(r, "act_date"), r["section"], r["article"],
                                     c.texts(r, "change", required=False), r["stage"],
                                     c.links(r, "measures", measures, "measure"), r.get("evidence", ""),
                                     r.get("evidence_ref", ""), i))
    pre: list[Precondition] = []
    for i, r in _read(folder / "preconditions.csv", ["id", "measure", "requires", "section", "status"], problems):
        c = _Checker(problems, "preconditions.csv", i)
        c.section(r)
        if r["measure"] not in measures:
            c.bad("measure", f"unknown measure '{r['measure']}'")
        if r["requires"]:
            if r["requires"] not in measures:
                c.bad("requires", f"unknown measure '{r['requires']}'")
            if r["status"]:
                c.bad("status", "a precondition that is a measure takes that measure's status: leave status empty")
            cond = c.texts(r, "condition", required=False)
        else:
            c.one_of(r, "status", CONDITION_STATUSES, "condition status")
            cond = c.texts(r, "condition")
        pre.append(Precondition(r["id"], r["measure"], r["requires"], r["section"], cond, r["status"],
                                r.get("evidence", ""), r.get("evidence_ref", ""), i))
    _cycles(pre, problems)
    problems.raise_if_any()
    return Programme(folder, measures, acts, pre)


def _cycles(pre: list[Precondition], problems: Problems) -> None:
    """A measure that (through others) requires itself could never start: one problem per cycle."""
    edges: dict[str, list[Precondition]] = {}
    for p in pre:
        if p.requires:
            edges.setdefault(p.measure, []).append(p)
    state: dict[str, int] = {}  # 1: on the path, 2: done
    reported: set[frozenset] = set()

    def visit(m: str, path: list[Precondition]) -> None:
        state[m] = 1
        for p in edges.get(m, []):
            if state.get(p.requires) == 1:
                start = next(k for k, q in enumerate(path + [p]) if q.measure == p.requires)
                loop = (path + [p])[start:]
                key = frozenset(q.id for q in loop)
                if key not in reported:
                    reported.add(key)
                    chain = " → ".join([q.measure for q in loop] + [p.requires])
                    problems.add("preconditions.csv", f"precondition cycle: {chain}", f"line {p.row}", "requires")
            elif state.get(p.requires) is None:
                visit(p.requires, path + [p])
        state[m] = 2

    for m in list(edges):
        if m not in state:
            visit(m, [])


def load_for(folder: str | Path, registry: str | Path | None = None, scenarios: str | Path | Iterable[str] | None = None,
             reg=None, regions: Iterable[str] | None = None) -> Programme:
    """The programme checked against a registry folder (its functions through the registry's own loader, its
    proposals/*.yaml) or an already loaded registry REG, and a scenarios folder or a list of scenario names."""
    functions = proposals = None
    if reg is None and registry is not None:
        from ..functions.registry import load_registry

        reg = load_registry(registry)
    if reg is not None:
        functions = list(reg.functions)
    if registry is not None:
        proposals = [p.stem for p in (Path(registry) / "proposals").glob("*.yaml")]
    names = None
    if isinstance(scenarios, (str, Path)):
        names = [p.stem for p in Path(scenarios).glob("*.yaml")]
    elif scenarios is not None:
        names = list(scenarios)
    return load_programme(folder, functions, proposals, names, regions)
