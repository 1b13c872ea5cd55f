"""The package's layout: every subpackage's public API imports, and no module imports
another that (directly or not) imports it back."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import toolkit

ROOT = Path(toolkit.__file__).parent
SUBPACKAGES = ["tracker", "calendar", "assessment", "reports", "batch", "visits", "privacy"]


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_every_public_name_of_a_subpackage_imports(name: str) -> None:
    package = importlib.import_module(f"toolkit.{name}")
    assert package.__doc__ and "Public API" in package.__doc__
    assert package.__all__, "a subpackage names its public API"
    for public in package.__all__:
        assert getattr(package, public) is not None, f"toolkit.{name}.{public}"
        assert public in package.__doc__, f"toolkit.{name}.{public} is not named in the docstring"


def test_toolkit_has_only_a_handful_of_top_level_modules() -> None:
    modules = sorted(p.stem for p in ROOT.glob("*.py"))
    assert modules == ["__init__", "__main__", "cli", "outputs", "policy"]


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Modules a file imports at module level (not under TYPE_CHECKING, not inside functions)."""
    found: set[str] = set()
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for sub in [node] if isinstance(node, ast.Import | ast.ImportFrom) else []:
            if isinstance(sub, ast.Import):
                found |= {a.name for a in sub.names}
            elif sub.module:
                found.add(sub.module)
                found |= {f"{sub.module}.{a.name}" for a in sub.names}
    return {m for m in found if m.startswith("toolkit")}


def test_no_import_cycles_between_modules() -> None:
    modules = {_module_name(p): p for p in ROOT.rglob("*.py")}
    graph = {m: {i for i in _imports(p) if i in modules and i != m} for m, p in modules.items()}
    # A package's __init__ is not an edge to its modules (its names load lazily).
    for m in graph:
        graph[m] -= {"toolkit"}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                cycles.append(path[path.index(n):] + [n] if n in path else [m, n])
            elif n not in state:
                visit(n, [*path, n])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert not cycles, cycles


def test_designation_and_support_do_not_import_each_other() -> None:
    designation = _imports(ROOT / "assessment" / "designation.py")
    support = _imports(ROOT / "assessment" / "support.py")
    assert not any(i.startswith("toolkit.assessment.support") for i in designation)
    assert "toolkit.assessment.designation" not in support
