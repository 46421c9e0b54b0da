"""The layers hold: imports only point inward, the core is standard library only, and only the
CLI prints or exits."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from .helpers import ROOT

PACKAGE = ROOT / "src" / "pacefit"
# Lower layers never import higher ones. `errors` is the one exception tree every layer uses.
LAYERS = {
    "errors": 0,
    "core": 1,
    "formats": 2,
    "files": 2,
    "delivery": 3,
    "store": 3,  # the database: below the jobs, which read and score what it keeps
    "jobs": 4,
    "simulate": 4,  # tooling for tests, fixtures and benchmarks
    "reports": 5,
    "cli": 6,
    "web": 6,  # the server, beside the CLI: neither imports the other
    "__main__": 7,
}
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE)


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def imports(path: Path) -> list[str]:
    """Every module a file imports, including imports inside functions (they still run)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


def runtime_imports(path: Path) -> list[str]:
    """Imports outside `if TYPE_CHECKING:` blocks."""
    tree = ast.parse(path.read_text())
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            skipped |= {id(child) for child in ast.walk(node)}
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_imports_point_inward(path: Path) -> None:
    here = layer_of(module_name(path))
    for imported in imports(path):
        if imported.startswith("pacefit.") and here in LAYERS:
            there = layer_of(imported)
            assert LAYERS[there] <= LAYERS[here], f"{module_name(path)} imports {imported}"


@pytest.mark.parametrize(
    "path", [p for p in MODULES if layer_of(module_name(p)) == "core"], ids=module_name
)
def test_the_core_uses_the_standard_library_only(path: Path) -> None:
    for imported in runtime_imports(path):
        top = imported.split(".")[0]
        allowed = top in sys.stdlib_module_names or imported.startswith(
            ("pacefit.core", "pacefit.errors")
        )
        assert allowed, f"{module_name(path)} imports {imported}"


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_only_the_cli_prints_or_exits(path: Path) -> None:
    if module_name(path) in ("pacefit.cli", "pacefit.__main__"):
        return
    source = path.read_text()
    tree = ast.parse(source)
    assert "click" not in {name.split(".")[0] for name in imports(path)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called = ast.unparse(node.func)
            assert called not in ("print", "sys.exit", "exit", "quit"), (
                f"{module_name(path)} calls {called}"
            )


def test_the_layer_table_knows_every_top_level_module() -> None:
    names = {layer_of(module_name(p)) for p in MODULES}
    assert names <= set(LAYERS), names - set(LAYERS)


@pytest.mark.parametrize(
    ("layer", "never"),
    [("web", "cli"), ("store", "delivery"), ("delivery", "store")],
    ids=lambda value: value,
)
def test_a_layer_does_not_reach_sideways(layer: str, never: str) -> None:
    """The server and the CLI are both thin layers over the jobs (the CLI only starts the
    server); the store and the watch delivery know nothing of each other."""
    for path in MODULES:
        if layer_of(module_name(path)) == layer:
            for imported in imports(path):
                assert layer_of(imported) != never or not imported.startswith("pacefit."), (
                    f"{module_name(path)} imports {imported}"
                )
