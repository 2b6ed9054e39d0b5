"""Search benchmark (web/search.py with the Latin keys of web/latin.py): building the index once per dataset and
answering one query, on data/kz (2,653 units × kk/ru/en names), best of N interleaved rounds. Printed against a
baseline measured in the same run: the Cyrillic-only index (every name folded, no Latin key) and its ranked query,
the index as it was before the Latin spellings (without its KATO code ranking).

    .venv/bin/python benchmarks/web_search.py [--repeat N]
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from timing import best  # benchmarks/timing.py (the script's folder is on the path)

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ["Qyzylorda", "kyzylorda", "алма", "Ust-Kamenogorsk", "4300"]


class Baseline:
    """The Cyrillic-only index: the folded names in one array, one substring test per query."""

    def __init__(self, h, fold, name_in, languages):
        names = [[fold(name_in(h, lg, u)) for u in range(h.n)] for lg in languages]
        self.text = np.array(["|".join(t) for t in zip(*names, strict=True)], dtype=str)

    def find(self, q: str, fold) -> np.ndarray:
        """The ranking of the index before the Latin keys: names starting with the query, then containing it."""
        f = fold(q)
        inside = np.char.find(self.text, f) >= 0
        start = np.char.startswith(self.text, f) | (np.char.find(self.text, "|" + f) >= 0) | (np.char.find(self.text, " " + f) >= 0)
        rank = np.where(start, 2, np.where(inside, 3, 9))
        hit = np.flatnonzero(rank < 9)
        return hit[np.argsort(rank[hit], kind="stable")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    from interbudget.dataset import load_dataset
    from interbudget.i18n import LANGUAGES
    from interbudget.web.names import name_in
    from interbudget.web.search import SearchIndex, fold

    h = load_dataset(ROOT / "data" / "kz").hierarchy
    rows = {"build: baseline (Cyrillic only)": [], "build: with Latin keys": []}
    queries = {q: ([], []) for q in QUERIES}
    for _ in range(args.repeat):  # interleaved: a quiet moment helps both sides alike
        rows["build: baseline (Cyrillic only)"].append(best(lambda: Baseline(h, fold, name_in, LANGUAGES), 1))
        rows["build: with Latin keys"].append(best(lambda: SearchIndex(h), 1))
    base, ix = Baseline(h, fold, name_in, LANGUAGES), SearchIndex(h)
    for _ in range(args.repeat):
        for q, (b, n) in queries.items():
            b.append(best(lambda q=q: base.find(q, fold), 3))
            n.append(best(lambda q=q: ix.find(q), 3))
    print(f"{'data/kz: ' + str(h.n) + ' units':<40} {'best ms':>9} {'× baseline':>11}")
    b0 = min(rows["build: baseline (Cyrillic only)"])
    for name, ts in rows.items():
        print(f"{name:<40} {1000 * min(ts):>9.1f} {min(ts) / b0:>11.2f}")
    for q, (b, n) in queries.items():
        print(f"{'query ' + repr(q) + ': baseline':<40} {1000 * min(b):>9.2f} {1.0:>11.2f}   ({base.find(q, fold).size} hits)")
        print(f"{'query ' + repr(q) + ': with Latin keys':<40} {1000 * min(n):>9.2f} {min(n) / min(b):>11.2f}   ({ix.find(q).size} hits)")


if __name__ == "__main__":
    main()
