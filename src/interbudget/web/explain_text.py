"""The explanation of a budget as plain text for a person: the web budget page's rendering of
explain.explain's dict. Tax and function names in the page's language (never codes such as `iit_source`), no file
names, rules in words (read from the provenance stamps of the shares, by their kind), one number format (amounts in
million tenge in the locale's digits, shares in per cent).

The CLI's `explain` text and `explain --json` are explain.render's and stay as they are (a trace for analysts, with
the rules' table keys and files); the budget page shows that trace too, folded, under this text.

Names: taxes from the dataset's taxes.csv (name_kk, name_ru, name_en), functions from the catalogue
`plain_explain.functions`; a code with neither is shown with its underscores as spaces.
"""
from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from ..i18n import catalog, fmt_amount
from ..rules.status import budget_status
from .names import unmark


def _plain(code: str) -> str:
    return code.replace("_", " ")


@lru_cache(maxsize=8)
def _tax_names(path: str, mtime_ns: int) -> dict[str, dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return {r["tax"]: {lg: (r.get(f"name_{lg}") or "").strip() for lg in ("kk", "ru", "en")} for r in csv.DictReader(fh)}


class Names:
    """Tax and function names of a dataset in one language."""

    def __init__(self, folder: Path, lang: str):
        self.lang = lang
        p = Path(folder) / "taxes.csv"
        self.taxes = _tax_names(str(p), p.stat().st_mtime_ns) if p.is_file() else {}
        self.functions = catalog(lang)["plain_explain"]["functions"]

    def tax(self, code: str) -> str:
        n = self.taxes.get(code, {})
        return n.get(self.lang) or n.get("en") or n.get("ru") or _plain(code)

    def function(self, code: str) -> str:
        return self.functions.get(code) or _plain(code)


def money(x: float, lang: str) -> str:
    """Thousand tenge as million tenge, one decimal, in the locale's digits: 1234567.0 -> '1 234,6 млн тенге'."""
    return f"{fmt_amount(round(x / 1000.0, 1) + 0.0, lang)} {catalog(lang)['plain_explain']['million']}"


def percent(share: float, lang: str) -> str:
    """0.5 -> '50 %'; 0.125 -> '12,5 %' (ru, kk) or '12.5 %' (en)."""
    v = round(share * 100.0, 1) + 0.0
    s = f"{v:.0f}" if v == int(v) else f"{v:.1f}"
    return (s if lang == "en" else s.replace(".", ",")) + "\u00a0%"


def rule_words(item: dict, words: dict[str, str]) -> str:
    """The rule behind a revenue item in plain words, read from its provenance stamp (explain(..., provenance=True)):
    keyed by the stamp's kind (rules/provenance.py SHARE_KINDS); no stamp, the republic keeps the rest."""
    if "provenance" not in item:
        raise ValueError("the plain explanation reads the stamps: explain the budget with provenance=True")
    stamp = item["provenance"]
    return words["none" if stamp is None else stamp["kind"]]


def basis_words(basis: str, lang: str) -> str:
    """Which needs basis the figures rest on, in words (observed, law, normative) and without its file: the web's
    needs-basis line (dashboard, reconciliation, the plain explanation); the file is named in the CLI trace only."""
    c = catalog(lang)
    return c["plain_explain"]["needs_basis"].format(basis=c["needs_basis_names"][basis], meaning=c["needs_basis_meaning"][basis])


def sections(ex: dict, lang: str, names: Names) -> list[dict]:
    """The explanation EX (explain.explain with provenance=True) as sections of sentences:
    [{'title': str | None, 'lines': [str], 'items': [str]}]."""
    c = catalog(lang)
    p = c["plain_explain"]
    m = lambda x: money(x, lang)  # noqa: E731
    t = ex["transfers"]
    intro = [p["intro"].format(name=unmark(ex["name"]), level=c["levels"][ex["level"]], year=ex["year"], scenario=ex["scenario"])]
    intro.append(p["parent"].format(parent=unmark(ex["parent"]["name"])) if ex["parent"] else p["no_parent"])
    if t["is_republic"]:
        intro.append(p["republic"].format(s=m(t["children_subventions"]), w=m(t["children_withdrawals"])))
    else:
        st = budget_status(t["subvention"], t["withdrawal"])
        intro.append(p[f"status_{st}"].format(value=m(t["subvention"] if st == "subvention" else t["withdrawal"])))
    out = [{"title": None, "lines": intro, "entries": []}]

    # revenue: one line per tax (and payer, where payers' shares differ), largest first
    groups: dict[tuple, dict] = {}
    for it in ex["revenue"]["items"]:
        key = (it["tax"], it["payer"])
        g = groups.setdefault(key, {"amount": 0.0, "receipts": 0.0, "rules": []})
        g["amount"] += it["amount"]
        g["receipts"] += it["receipts"]
        words = rule_words(it, c["plain_stamps"]) + ("; " + p["rules"]["passed_up"] if it["passed_up"] else "")
        if words not in g["rules"]:
            g["rules"].append(words)
    taxes: dict[str, list[dict]] = {}
    for (tax, _), g in groups.items():
        taxes.setdefault(tax, []).append(g)
    items = []
    for (tax, payer), g in sorted(groups.items(), key=lambda kv: -kv[1]["amount"]):
        share = g["amount"] / g["receipts"] if g["receipts"] else 0.0
        fields = {"tax": names.tax(tax), "payer": c["payers"].get(payer, _plain(payer)), "amount": m(g["amount"]),
                      "share": percent(share, lang), "receipts": m(g["receipts"]), "rule": "; ".join(g["rules"])}
        items.append(p["revenue_line_payer" if len(taxes[tax]) > 1 else "revenue_line"].format(**fields))
    out.append({"title": p["revenue"].format(total=m(ex["revenue"]["total"])), "lines": [] if items else [p["no_revenue"]],
                "entries": items})

    # needs: one line per function, largest first, and the basis in words
    sums: dict[str, float] = {}
    for it in ex["needs"]["items"]:
        sums[it["function"]] = sums.get(it["function"], 0.0) + it["amount"]
    basis = ex["needs"].get("basis", "observed")
    lines = [basis_words(basis, lang)]
    if not sums:
        lines.append(p["no_needs"])
    out.append({"title": p["needs"].format(total=m(ex["needs"]["total"])), "lines": lines,
                "entries": [p["need_line"].format(function=names.function(f), amount=m(v))
                          for f, v in sorted(sums.items(), key=lambda kv: -kv[1])]})

    # transfers with the level above and below
    lines, items = [], []
    if not t["is_republic"]:
        lines.append(p["gap"].format(value=m(t["gap"])))
        if budget_status(t["subvention"], t["withdrawal"]) == "donor":
            lines.append(p["withdrawal_rate"].format(rate=percent(t["withdrawal_rate"], lang)))
    if t["children_count"]:
        lines.append(p["children"].format(count=t["children_count"], s=m(t["children_subventions"]), w=m(t["children_withdrawals"])))
        items = [p["child_line"].format(name=unmark(k["name"]), s=m(k["subvention"]), w=m(k["withdrawal"])) for k in t["children"]]
        if t["children_count"] > len(t["children"]):
            items.append(p["more_children"].format(count=t["children_count"] - len(t["children"])))
    lines.append(p["balance"].format(value=m(ex["balance"])))
    more = [p["more"][k] for k in ("coverage", "mandates", "envelope", "shortfall", "computed_share") if ex.get(k)]
    if more:  # told in the technical trace below the text
        lines.append(p["more_in_trace"].format(what=", ".join(more)))
    out.append({"title": p["transfers"], "lines": lines, "entries": items})
    return out


def plain_text(ex: dict, lang: str, names: Names) -> str:
    """SECTIONS as one text (titles, sentences, '– ' items), for tests and copying."""
    out = []
    for s in sections(ex, lang, names):
        if s["title"]:
            out.append(s["title"])
        out += s["lines"] + [f"– {i}" for i in s["entries"]]
        out.append("")
    return "\n".join(out).rstrip() + "\n"
