"""Table cells of figures whose unit changes from row to row (the scorecard's indicators, the programme's
indicators): money in the unit that reads for the row (bn or mn tenge, common.unit_for over the row's figures),
shares in per cent, counts whole, ratios with three decimals, all in the locale's digits; the full figure on hover
and in `data-value` (static/tables.js sorts by it). The row's unit is named in words in its own column.

Unit names are the analyses' own (analysis/scorecard.py INDICATORS, analysis/programme.py RUN_INDICATORS).
"""
from __future__ import annotations

from markupsafe import Markup, escape

from ..i18n import catalog
from .common import fmt_number, td_money, unit_for

#: units that are thousand tenge: the scorecard's "thousand tenge", the programme's "amount"
MONEY = ("thousand tenge", "amount")
#: units shown as whole numbers
COUNTS = ("budgets", "norms", "taxes", "count", "1 yes / 0 no")


def money_unit(values, unit: str) -> str | None:
    """'bn' or 'mn' for a row of money (UNIT in MONEY) by its VALUES; None for a row of another unit."""
    return unit_for(v for v in values if v is not None) if unit in MONEY else None


def unit_label(unit: str, shown: str | None, lang: str) -> str:
    """The row's unit in words: 'bn tenge' / 'mn tenge' for money (SHOWN), else the unit's name in LANG."""
    c = catalog(lang)
    if shown is not None:
        return c["design"][f"{shown}_tenge"]
    return c["table_units"].get(unit, unit)


def td_value(x: float | None, unit: str, shown: str | None, lang: str, prefix: str = ""):
    """<td> of figure X of UNIT (SHOWN: the row's money unit), with PREFIX (e.g. '2026: ') before the figure."""
    if x is None or x != x:
        return Markup(f'<td class="n">{escape(prefix)}—</td>')
    if shown is not None:
        return td_money(x, shown, lang, catalog(lang)["design"]["thousand_tenge"], prefix)
    if unit in COUNTS:
        return Markup(f'<td class="n" data-value="{x!r}">{escape(prefix + fmt_number(x, lang, 0))}</td>')
    text = fmt_number(100.0 * x, lang) + "\u00a0%" if unit == "share" else fmt_number(x, lang, 3)
    return Markup(f'<td class="n" data-value="{x!r}" title="{escape(fmt_number(x, lang, 6))}">{escape(prefix + text)}</td>')
