"""The served workbench's state: one dataset in memory, the store, the engine's results per scenario version
(computed on demand, kept in a bounded cache: a version never changes), and the runs started from the web
(computed in worker processes, their progress written to the store as they go)."""
from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import threading
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import numpy as np
from fastapi import HTTPException

from ..dataset import Dataset, load_dataset
from ..engine import Result, run
from ..errors import InterbudgetError
from ..hierarchy import LEVELS
from ..scenario import read_scenario_data, validate_scenario
from ..store import Conflict, NotFound, Store
from ..store.store import as_stored
from . import runner
from .access import View, Viewer, scenario_view

CACHE_RESULTS = 48


class Workbench:
    def __init__(self, dataset: Path, store: Store, scenarios: Path | None = None, registry=None, run_workers: int = 2):
        self.dataset_path = Path(dataset)
        self.ds: Dataset = load_dataset(dataset)  # bad data fails here, before the server listens
        self.dataset_name = self.dataset_path.resolve().name
        self.store = store
        self.registry = registry
        self.fingerprint = hashlib.sha256(json.dumps(self.ds.hashes(), sort_keys=True).encode()).hexdigest()
        store.register_dataset(self.dataset_name, str(self.dataset_path), self.fingerprint)
        if scenarios is not None:
            self.import_folder(Path(scenarios))
        self._results: OrderedDict[tuple[str, int], Result] = OrderedDict()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=4 * run_workers, thread_name_prefix="interbudget-run")
        self._n_workers = run_workers
        self._procs: ProcessPoolExecutor | None = None
        self._ended: set[int] = set()  # runs of this process that have ended: a waiting request needs no query

    # ---- scenarios from a folder -------------------------------------------------------------------
    def import_folder(self, folder: Path) -> list[str]:
        """Every *.yaml of FOLDER, validated, saved and published under its file name: the files are public in
        the repository. A file that changed since becomes a new published version; history stays."""
        files = sorted(folder.glob("*.yaml"))
        if not files:
            raise InterbudgetError(f"{folder}: no scenario (*.yaml) to serve")
        docs = {}
        for p in files:
            data, chain = read_scenario_data(p)
            validate_scenario(data, chain[0].name)  # every problem of every file, before anything is saved
            problem = self.check(data, p.name)
            if problem:
                raise InterbudgetError(f"{p}: does not run on {self.dataset_path}: {problem}")
            docs[p.stem] = data
        changed = []
        known = {s["name"]: s for s in self.store.scenarios()}
        for name, doc in docs.items():
            author = f"import:{folder.name}/{name}.yaml"
            try:
                if name not in known:
                    self.store.create_scenario(name, self.dataset_name, doc, author, note="imported from the scenarios folder")
                    self.store.publish(name, 1, author)
                    changed.append(name)
                elif self.store.content(name, known[name]["latest"]) != as_stored(doc):
                    v = self.store.save_version(name, known[name]["latest"], doc, author, note="the scenario file changed")
                    self.store.publish(name, v, author)
                    changed.append(name)
            except Conflict:  # another server process (serve --workers) imported it at the same moment
                continue
        return changed

    def regions(self) -> list[tuple[str, str]]:
        """(code, name) of every region of the dataset: whom a draft can be shared with, who gets an akimat user."""
        h = self.ds.hierarchy
        return [(str(h.codes[u]), h.name(int(u))) for u in np.flatnonzero(h.level == LEVELS.index("region"))]

    # ---- what a viewer sees ------------------------------------------------------------------------
    def scenario(self, name: str) -> dict:
        try:
            return self.store.scenario(name)
        except NotFound:
            raise HTTPException(404, f"unknown scenario '{name}'") from None

    def view(self, viewer: Viewer, name: str, version: int | None = None) -> View:
        return scenario_view(viewer, self.scenario(name), version)

    def result(self, view: View) -> Result:
        key = (view.name, view.version)
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key]
        res = self.compute(view.name, view.version)
        with self._lock:
            self._results[key] = res
            while len(self._results) > CACHE_RESULTS:
                self._results.popitem(last=False)
        return res

    def compute(self, name: str, version: int) -> Result:
        doc = self.store.content(name, version)
        try:
            return run(self.ds, validate_scenario(doc, f"{name} v{version}"), f"{name}@v{version}")
        except InterbudgetError as exc:  # stored before it was checked against this dataset (or the dataset changed)
            raise HTTPException(422, f"scenario '{name}' version {version} cannot be computed on this dataset: {exc}") from None

    def check(self, doc: dict, source: str) -> str | None:
        """What stops DOC from running on this dataset (years without receipts, shares the methods cannot honour,
        keys of another option), found by running it (~0.03 s on data/kz) before it is saved; None when it runs."""
        return "\n".join(str(p) for p in self.problems(doc, source)) or None

    def problems(self, doc: dict, source: str) -> list:
        """Every problem the engine's checks find in DOC against this dataset (errors.Problem), [] when it runs."""
        try:
            run(self.ds, validate_scenario(doc, source), source)
        except InterbudgetError as exc:
            return exc.problems
        return []

    # ---- runs --------------------------------------------------------------------------------------
    def start_run(self, name: str, version: int, author: str) -> int:
        rid = self.store.start_run(name, version, author)
        self._pool.submit(self._execute, rid, name, version)
        return rid

    def _execute(self, rid: int, name: str, version: int) -> None:
        """In a thread of this process: hands the computation to a worker process and records each stage."""
        st = self.store
        try:
            st.progress(rid, "validating", 0.1)
            doc = st.content(name, version)
            validate_scenario(doc, f"{name} v{version}")
            st.progress(rid, "computing", 0.3)
            csv, man = self._workers().submit(runner.compute, doc, name, version, self.fingerprint).result()
            st.progress(rid, "writing", 0.9)
            st.finish_run(rid, man, csv)
        except InterbudgetError as exc:
            st.fail_run(rid, str(exc))
        except Exception as exc:  # noqa: BLE001 -- a bug: the run says so instead of staying "running" forever
            st.fail_run(rid, f"internal error: {type(exc).__name__}: {exc}")
        finally:
            self._ended.add(rid)

    def _workers(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._procs is None:  # started on the first run; spawned, since this process has threads
                import os

                self._procs = ProcessPoolExecutor(max_workers=self._n_workers, mp_context=mp.get_context("spawn"),
                                                  initializer=runner.init_worker, initargs=(str(self.dataset_path), os.getpid()))
            return self._procs

    def recover_runs(self) -> list[int]:
        """At start: runs a previous server left queued or running are failed (interrupted); see Store.interrupt_runs."""
        return self.store.interrupt_runs()

    def ended(self, rid: int) -> bool:
        return rid in self._ended

    def close(self) -> None:
        """Finish the runs under way, then end the worker processes (a clean stop calls it; after a crash the
        workers end by themselves, runner.die_with, and the next start marks the runs interrupted)."""
        self._pool.shutdown(wait=True)
        if self._procs is not None:
            self._procs.shutdown(wait=True)
