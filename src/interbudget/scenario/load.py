"""Reading a scenario file: `extends:` chains resolved as JSON merge patches, codes checked to be quoted, then
validated into a Scenario; and the scenario with every default filled in, for manifests."""
from __future__ import annotations

from pathlib import Path

from ..errors import InterbudgetError, Problem
from ..patch import apply as _merge  # `extends:` is a JSON merge patch of the parent
from ..yamlfile import load as load_yaml
from .model import Scenario, validate_scenario


def _read_yaml(path: Path, chain: list[Path]) -> tuple[dict, list[Path]]:
    if path in chain:
        loop = " → ".join(p.name for p in chain + [path])
        raise InterbudgetError(Problem(chain[0].name, f"'extends' loops: {loop}"))
    if not path.is_file():
        who = f" (extended by {chain[-1].name})" if chain else ""
        raise InterbudgetError(Problem(str(path), f"scenario file not found{who}"))
    try:
        data = load_yaml(path.read_text(encoding="utf-8"), path.name)  # a key given twice is an error naming its line
    except UnicodeDecodeError:
        raise InterbudgetError(Problem(path.name, "not valid UTF-8")) from None
    if data is None:
        raise InterbudgetError(Problem(path.name, "the scenario file is empty"))
    if not isinstance(data, dict):
        raise InterbudgetError(Problem(path.name, "a scenario must be a map of keys (name, years, option, ...)"))
    for key in ("child_shares", "region_shares"):
        for code in (data.get(key) or {}):
            if not isinstance(code, str):
                raise InterbudgetError(Problem(path.name, f"code {code!r} must be quoted ('{code}') so leading zeros are kept", column=key))
    for key in ("district_method", "rural_method"):
        if isinstance(data.get(key), dict):
            for code in data[key]:
                if not isinstance(code, str):
                    raise InterbudgetError(Problem(path.name, f"region code {code!r} must be quoted ('{code}')", column=key))
    files = [path]
    parent = data.pop("extends", None)
    if parent is not None:
        base, more = _read_yaml((path.parent / str(parent)).resolve(), chain + [path])
        data = _merge(base, data)
        files += more
    return data, files



def read_scenario_data(path: str | Path) -> tuple[dict, list[Path]]:
    """The scenario's keys after inheritance (not yet validated), and every file they were read from."""
    return _read_yaml(Path(path).resolve(), [])



def load_scenario(path: str | Path) -> tuple[Scenario, list[Path]]:
    """The scenario after inheritance, and every file it was read from."""
    data, files = read_scenario_data(path)
    return validate_scenario(data, files[0].name), files


def scenario_dict(s: Scenario) -> dict:
    """The scenario with every default filled in, for manifests and explanations."""
    d = s.model_dump(mode="json")
    d["regulated_taxes"] = s.regulated
    return d
