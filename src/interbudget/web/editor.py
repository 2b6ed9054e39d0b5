"""The scenario editor's form: the fields a ministry analyst changes most (options, methods, shares, withdrawal
rate, envelope), the rest as YAML; every problem is reported next to the field that caused it.

`parse_form` turns the posted fields into a scenario document on top of the version that was opened (so keys
the form does not show, and references, are kept), and `field_errors` maps the validator's key paths
(`sharing.vat.region`) onto the form's field names.
"""
from __future__ import annotations

from typing import Any

import yaml

from ..errors import InterbudgetError
from ..i18n import catalog
from ..scenario import METHODS, OPTIONS, SHARE_LEVELS, validate_scenario
from ..yamlfile import DuplicateKey, YAMLError, parse as parse_yaml

SIMPLE = ("description", "years", "option", "district_method", "rural_method", "withdrawal_rate", "transfer_model",
          "rural_budgets")
ENVELOPE = ("applies_to", "total", "floor", "ceiling")
FORM_KEYS = set(SIMPLE) | {"name", "sharing", "envelope"}


class FieldErrors(dict):
    """Problems by form field, written in the form's language (the editor's topic catalogue `editor_messages`)."""

    def __init__(self, lang: str = "en"):
        super().__init__()
        self.lang = lang

    def say(self, field: str, key: str, first: bool = False, **kw) -> None:
        from ..i18n import catalog

        msg = catalog(self.lang)["editor_messages"][key].format(**kw)
        if first:
            self.setdefault(field, msg)
        else:
            self[field] = msg


def _value(v: Any) -> Any:
    return v["value"] if isinstance(v, dict) and "value" in v else v


def _number_text(v: Any) -> str:
    v = _value(v)
    if v is None:
        return ""
    if isinstance(v, dict):
        return ", ".join(f"{k}: {_number_text(x)}" for k, x in v.items())
    return f"{v:g}" if isinstance(v, float) else str(v)


def _yes_no(v: object) -> str:
    return "yes" if v is True else "no" if v is False else ""


def form_values(doc: dict, taxes: list[str]) -> dict[str, str]:
    """The form's fields filled from a scenario document."""
    f = {"description": doc.get("description") or "", "years": ", ".join(str(y) for y in doc.get("years", [])),
         "option": str(doc.get("option", 1)), "withdrawal_rate": _number_text(doc.get("withdrawal_rate", 1.0)),
         "transfer_model": doc.get("transfer_model", "general"),
         "rural_budgets": _yes_no(doc.get("rural_budgets"))}
    for key in ("district_method", "rural_method"):
        v = doc.get(key, "M3")
        f[key] = v if isinstance(v, str) else ""  # a per-region map stays in the YAML part
    sharing = doc.get("sharing") or {}
    for tax in taxes:
        for lvl in SHARE_LEVELS:
            f[f"sharing.{tax}.{lvl}"] = _number_text((sharing.get(tax) or {}).get(lvl))
    env = doc.get("envelope") or {}
    for key in ENVELOPE:
        f[f"envelope.{key}"] = _number_text(env.get(key)) if key != "applies_to" else env.get(key, "general")
    rest = {k: v for k, v in doc.items() if k not in FORM_KEYS
            or (k in ("district_method", "rural_method") and not isinstance(v, str))}
    f["advanced"] = yaml.safe_dump(rest, allow_unicode=True, sort_keys=False) if rest else ""
    return f


def _number(text: str, field: str, errors: FieldErrors) -> float | None:
    text = text.strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError:
        errors.say(field, "not_a_number", text=text)
        return None


def _per_year(text: str, field: str, errors: FieldErrors) -> float | dict[int, float] | None:
    """'123' or '2027: 100, 2028: 120'."""
    if ":" not in text:
        return _number(text, field, errors)
    out = {}
    for part in text.split(","):
        y, _, v = part.partition(":")
        try:
            year = int(y.strip())
        except ValueError:
            errors.say(field, "not_a_year_per_year", text=y.strip())
            return None
        num = _number(v, field, errors)
        if num is None:
            errors.say(field, "no_amount", first=True, year=year)
            return None
        out[year] = num
    return out


def _keep_reference(old: Any, new: float) -> Any:
    """A `{value, reference}` stays one: only its value changes."""
    return {**old, "value": new} if isinstance(old, dict) and "value" in old else new


def parse_form(form: dict[str, str], old: dict, taxes: list[str], lang: str = "en") -> tuple[dict, FieldErrors]:
    """The scenario document the form describes, and the problems found while reading it (field -> message, in
    LANG)."""
    errors = FieldErrors(lang)
    doc = {"name": old.get("name")}
    adv_text = form.get("advanced", "")
    if adv_text.strip():
        try:
            adv = parse_yaml(adv_text)
            if not isinstance(adv, dict):
                errors.say("advanced", "not_a_map")
            else:
                bad = sorted(set(adv) & (FORM_KEYS - {"district_method", "rural_method"}))
                if bad:
                    errors.say("advanced", "own_field", keys=", ".join(bad))
                else:
                    doc.update(adv)
        except DuplicateKey as exc:
            errors["advanced"] = catalog(lang)["validator_messages"]["duplicate_key"].format(line=exc.line, key=exc.key,
                                                                                             first=exc.first_line)
        except YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = catalog(lang)["editor_messages"]["yaml_line"].format(line=mark.line + 1) if mark else ""
            errors.say("advanced", "bad_yaml", line=line, problem=getattr(exc, "problem", exc))
    if form.get("description", "").strip():
        doc["description"] = form["description"].strip()
    years = []
    for part in form.get("years", "").replace(";", ",").split(","):
        if part.strip():
            try:
                years.append(int(part.strip()))
            except ValueError:
                errors.say("years", "not_a_year", text=part.strip())
    doc["years"] = years
    opt = form.get("option", "1").strip()
    if opt.isdigit() and int(opt) in OPTIONS:
        doc["option"] = int(opt)
    else:
        errors.say("option", "unknown_option", text=opt)
    for key in ("district_method", "rural_method"):
        m = form.get(key, "").strip()
        if m:
            if m in METHODS:
                doc[key] = m
            else:
                errors.say(key, "unknown_method", text=m, choices=", ".join(METHODS))
    rate = _number(form.get("withdrawal_rate", ""), "withdrawal_rate", errors)
    if rate is not None:
        doc["withdrawal_rate"] = _keep_reference(old.get("withdrawal_rate"), rate)
    if form.get("transfer_model", "").strip():
        doc["transfer_model"] = form["transfer_model"].strip()
    rb = form.get("rural_budgets", "").strip()
    if rb:
        doc["rural_budgets"] = rb == "yes"
    sharing: dict[str, dict] = {}
    old_sharing = old.get("sharing") or {}
    for tax in taxes:
        entry = {k: v for k, v in (old_sharing.get(tax) or {}).items() if k not in SHARE_LEVELS}  # references stay
        for lvl in SHARE_LEVELS:
            field = f"sharing.{tax}.{lvl}"
            v = _number(form.get(field, ""), field, errors)
            if v is not None:
                entry[lvl] = _keep_reference((old_sharing.get(tax) or {}).get(lvl), v)
        if any(lvl in entry for lvl in SHARE_LEVELS):
            sharing[tax] = entry
    # a tax the dataset does not know is kept as it was
    sharing.update({tax: entry for tax, entry in old_sharing.items() if tax not in taxes})
    doc["sharing"] = sharing
    total = _per_year(form.get("envelope.total", ""), "envelope.total", errors)
    if total is not None:
        env = {k: v for k, v in (old.get("envelope") or {}).items() if k == "reference" or k == "scale"}
        env.update({"applies_to": form.get("envelope.applies_to", "general").strip() or "general", "total": total})
        for key in ("floor", "ceiling"):
            v = _number(form.get(f"envelope.{key}", ""), f"envelope.{key}", errors)
            if v is not None:
                env[key] = v
        doc["envelope"] = env
    elif any(form.get(f"envelope.{k}", "").strip() for k in ("floor", "ceiling")):
        errors.say("envelope.total", "envelope_total")
    return {k: v for k, v in doc.items() if v is not None}, errors


def field_of(path: str, taxes: list[str]) -> str:
    """The form field a validator key path belongs to."""
    parts = path.split(".")
    if parts[0] == "sharing" and len(parts) >= 3 and parts[1] in taxes and parts[2] in SHARE_LEVELS:
        return ".".join(parts[:3])
    if parts[0] == "sharing" and len(parts) >= 2 and parts[1] in taxes:
        return f"sharing.{parts[1]}.region"  # a tax's shares together exceed 1: shown on its row
    if parts[0] == "envelope":
        return f"envelope.{parts[1]}" if len(parts) > 1 and parts[1] in ENVELOPE else "envelope.total"
    if parts[0] in SIMPLE:
        return parts[0]
    return "advanced"


def validate(doc: dict, source: str, taxes: list[str]) -> dict[str, str]:
    """The validator's problems by form field ({} when the scenario is valid)."""
    try:
        validate_scenario(doc, source)
    except InterbudgetError as exc:
        out: dict[str, str] = {}
        for p in exc.problems:
            field = field_of(p.column or "", taxes)
            msg = p.message if field != "advanced" or not p.column else f"{p.column}: {p.message}"
            out[field] = f"{out[field]}; {msg}" if field in out else msg
        return out
    return {}
