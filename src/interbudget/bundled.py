"""The data that ships with interbudget: datasets, scenarios, the functions registry, the programme.

In a checkout they are the repository's own folders (`data/`, `scenarios/`, `registry/`, `programme/`); an
installed wheel carries the same tree inside the package (`interbudget/bundled/`, copied by setup.py's build
step). Either way a path written `bundled:data/kz` or `bundled:scenarios/current-law.yaml` names the same file,
so commands and notebooks work from any directory.
"""
from __future__ import annotations

from pathlib import Path
from typing import overload

from .errors import InterbudgetError

PREFIX = "bundled:"
FOLDERS = ("data", "scenarios", "registry", "programme")


def root() -> Path:
    """The folder that holds the bundled tree: the checkout's top, or the installed package's `bundled/`."""
    here = Path(__file__).resolve().parent
    checkout = here.parents[1]
    if (checkout / "pyproject.toml").is_file() and (checkout / "data").is_dir():
        return checkout
    return here / "bundled"


@overload
def resolve(path: Path | str) -> Path: ...
@overload
def resolve(path: None) -> None: ...
def resolve(path: Path | str | None) -> Path | None:
    """PATH itself, or for `bundled:REL` the bundled file REL (an error naming it when it is not bundled)."""
    if path is None:
        return None
    text = str(path)
    if not text.startswith(PREFIX):
        return Path(path)
    rel = text[len(PREFIX):].lstrip("/")
    target = root() / rel
    if not rel or rel.split("/")[0] not in FOLDERS or not target.exists():
        raise InterbudgetError(f"{text}: no such bundled file or folder (bundled: {', '.join(listing())})")
    return target


def listing() -> list[str]:
    """The bundled datasets, scenario folders and registries, as `bundled:` paths."""
    top = root()
    found = []
    for folder in ("data", "registry", "programme"):
        base = top / folder
        if base.is_dir():
            found += [f"{PREFIX}{folder}/{p.name}" for p in sorted(base.iterdir()) if p.is_dir()]
    if (top / "scenarios").is_dir():
        found.append(f"{PREFIX}scenarios")
    return found


def path(rel: str) -> Path:
    """The bundled REL (e.g. `data/kz`, `registry/kz`) as a path, wherever interbudget is installed."""
    return root() / rel
