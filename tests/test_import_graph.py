"""The package's imports, read from the source (module and function level alike): no cycle, and no module
importing a module of a higher layer (dataset -> rules -> engine -> analysis -> reports -> web/cli).

The layer of every module is decided here; a new module must be given one (the test says so)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "src" / "interbudget"

#: layers from the bottom; a module may import its own layer and those below. Prefixes name packages.
LAYERS: list[tuple[str, list[str]]] = [
    ("data", ["_version", "bundled", "errors", "tables", "hierarchy", "patch", "yamlfile", "grid", "scenario", "dataset", "i18n", "vocab", "basis",
              "store", "scale"]),  # the store and payments->receipts know no rule
    ("rules", ["rules"]),
    ("engine", ["engine", "frame"]),
    ("analysis", ["analysis", "functions", "explain", "explain_render",
                  "summary", "reference", "explain_debt", "summary_debt", "review", "programme"]),
    ("reports", ["reports", "output", "output_debt"]),
    ("interfaces", ["web", "cli", "__main__", "api", ""]),  # "": the package itself, the public API's facade
]


def modules() -> dict[str, Path]:
    out = {}
    for f in PKG.rglob("*.py"):
        parts = list(f.relative_to(PKG).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = f
    return out


def _type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING")


def imports(mods: dict[str, Path]) -> dict[str, dict[str, int]]:
    """module -> {imported module of the package: line}, including imports inside functions."""
    graph: dict[str, dict[str, int]] = {}
    for mod, f in mods.items():
        pkg = mod.split(".") if f.name == "__init__.py" else mod.split(".")[:-1]
        pkg = [p for p in pkg if p]
        tree = ast.parse(f.read_text(encoding="utf-8"))
        skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and _type_checking(node) for n in ast.walk(node)}
        found: dict[str, int] = {}
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = pkg[: len(pkg) - node.level + 1] if node.level > 1 else pkg
                    target = ".".join(base + ([node.module] if node.module else []))
                elif (node.module or "").split(".")[0] == "interbudget":
                    target = node.module.removeprefix("interbudget").lstrip(".")
                else:
                    continue
                targets = [f"{target}.{a.name}".lstrip(".") if f"{target}.{a.name}".lstrip(".") in mods else target
                           for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name.removeprefix("interbudget").lstrip(".") for a in node.names
                           if a.name.split(".")[0] == "interbudget"]
            for t in targets:
                while t and t not in mods:
                    t = t.rpartition(".")[0]
                if t != mod:
                    found.setdefault(t, node.lineno)
        graph[mod] = found
    return graph


def layer_of(mod: str) -> int:
    best, level = -1, None
    for k, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if (mod == p or (p and mod.startswith(p + "."))) and len(p) > best:
                best, level = len(p), k
    if level is None:
        raise AssertionError(f"module '{mod}' has no layer: add it to LAYERS in {Path(__file__).name}")
    return level


MODS = modules()
GRAPH = imports(MODS)


def test_the_graph_is_read_from_the_source():
    # known edges, module and function level, prove the reader sees them (a reader that saw nothing would pass)
    assert "dataset" in GRAPH["engine"] and "rules.sharing" in GRAPH["engine"]
    assert "engine" in GRAPH["cli._common"]  # imported inside a function
    assert "frame" in GRAPH["engine"]  # Result.frame, imported when called
    assert "web.work" in GRAPH["web.app"]


def test_every_module_has_a_layer():
    for mod in MODS:
        layer_of(mod)


def test_no_lower_layer_imports_a_higher_one():
    bad = [f"{MODS[m].relative_to(PKG.parent)}:{line}: {m} ({LAYERS[layer_of(m)][0]}) imports {t} ({LAYERS[layer_of(t)][0]})"
           for m, targets in GRAPH.items() for t, line in targets.items() if layer_of(t) > layer_of(m)]
    assert bad == [], "\n".join(bad)


def test_no_import_cycles():
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(m: str, stack: list[str]) -> None:
        state[m] = 1
        for t in sorted(GRAPH.get(m, {})):
            if t == "" or m == "":  # the package facade's lazy attributes are looked up by name, not a cycle of code
                continue
            if state.get(t) == 1:
                cycles.append(stack[stack.index(t):] + [t])
            elif t not in state:
                visit(t, stack + [t])
        state[m] = 2

    for m in sorted(GRAPH):
        if m not in state:
            visit(m, [m])
    assert cycles == [], "\n".join(" -> ".join(c) for c in cycles)


@pytest.mark.parametrize("source, expected", [
    ("from .dataset import load_dataset\n", {"dataset"}),
    ("def f():\n    from .web.app import create_app\n", {"web.app"}),
    ("import interbudget.engine\n", {"engine"}),
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .engine import Result\n", set()),
])
def test_the_reader_on_small_sources(tmp_path, source, expected, monkeypatch):
    mods = {"": tmp_path / "__init__.py", "grid": tmp_path / "grid.py", "dataset": tmp_path / "dataset.py",
            "engine": tmp_path / "engine.py", "web": tmp_path / "web" / "__init__.py", "web.app": tmp_path / "web" / "app.py"}
    for f in mods.values():
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("")
    mods["grid"].write_text(source)
    assert set(imports(mods)["grid"]) == expected
