"""What every route needs: the workbench, the viewer of a request, and page rendering (the `site` each router's
`register(app, site)` receives)."""
from __future__ import annotations

import csv
from pathlib import Path

from fastapi import HTTPException, Request

from ..i18n import LANGUAGES, catalog, fmt_amount
from .access import Viewer, visible_scenarios
from .cells import money_unit, td_value, unit_label
from .common import TEMPLATES, fmt_number, lang_ok, per_person, scaled, td_money, td_person, td_plain
from .security import viewer_of
from .workbench import Workbench


def numbers(lang: str) -> dict:
    """Number formatters for the templates, per locale; round first so that -0.0 never shows."""
    return {"amount": lambda x: "—" if x is None else fmt_amount(round(x, 1) + 0.0, lang),
            "count": lambda x: fmt_amount(x, lang)[:-2],
            "ratio": lambda x: "—" if x is None or x != x else (f"{x:.2f}" if lang == "en" else f"{x:.2f}".replace(".", ",")),
            "scaled": lambda x, unit: scaled(x, unit, lang), "per_person": lambda x, pop: per_person(x, pop, lang),
            "td_money": lambda x, unit: td_money(x, unit, lang, catalog(lang)["design"]["thousand_tenge"]),
            "td_person": lambda x, pop: td_person(x, pop, lang), "td_plain": td_plain,
            # rows of their own unit (scorecard, programme indicators): web/cells.py
            "td_value": lambda x, unit, shown, prefix="": td_value(x, unit, shown, lang, prefix),
            "unit_label": lambda unit, shown: unit_label(unit, shown, lang), "money_unit": money_unit,
            "percent": lambda x: fmt_number(100.0 * x, lang, 0) + "\u00a0%"}


class Site:
    """What every route needs: the workbench, the viewer of a request, and page rendering."""

    def __init__(self, wb: Workbench, secure_cookies: bool, trusted_proxies: tuple = ()):
        self.wb, self.secure, self.trusted = wb, secure_cookies, trusted_proxies
        self.default = "current-law"
        self.published_law = self._published_law(wb.dataset_path)

    def viewer(self, request: Request) -> Viewer:
        return viewer_of(self.wb.store, request)

    def page(self, request: Request, template: str, lang: str, viewer: Viewer, status_code: int = 200, **context):
        lang = lang_ok(lang)
        cat = catalog(lang)
        return TEMPLATES.TemplateResponse(request, template, {
            "t": {**cat["web"], **cat["workbench"], **cat["truthful"], **cat["requests"], **cat["safety"]}, "cat": cat,
            "levels": cat["levels"], "lang": lang, "langs": LANGUAGES, "viewer": viewer,
            **numbers(lang), **context}, status_code=status_code)

    def default_for(self, viewer: Viewer) -> str:
        names = [sc["name"] for sc, _ in visible_scenarios(viewer, self.wb.store.scenarios())]
        if not names:
            raise HTTPException(404, "no scenario is published yet")
        return self.default if self.default in names else names[0]

    @staticmethod
    def _published_law(folder: Path) -> dict[str, list[dict]]:
        """Every published general-transfer figure of the dataset (transfers_published.csv), by budget code."""
        out: dict[str, list[dict]] = {}
        path = folder / "transfers_published.csv"
        if path.is_file():
            with path.open(encoding="utf-8") as fh:
                for r in csv.DictReader(fh):
                    if not r.get("amount"):  # a year the sources name without a figure
                        continue
                    out.setdefault(r["code"], []).append({"year": int(r["year"]), "type": r["type"], "amount": float(r["amount"]),
                                                          "legal_act": r.get("legal_act", ""), "source": r.get("source", "")})
        return out
