"""The import graph, read from the source with ``ast``: every ``import`` counts, at module
level and inside functions.

- Across packages, arrows only point down DESIGN.md's list (data <- spec <- db,
  data <- ws, spec <- cli), and only to a distribution the package declares.
- Inside a package, no modules import each other, directly or round a longer loop.
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ROOT / "packages"

# DESIGN.md's arrows: each package and the packages it may import, directly or not.
ARROWS: dict[str, frozenset[str]] = {
    "data": frozenset(),
    "spec": frozenset({"data"}),
    "db": frozenset({"spec", "data"}),
    "ws": frozenset({"data"}),
    "cli": frozenset({"spec", "data"}),
}


@dataclass(frozen=True)
class Import:
    """``importer`` imports ``target`` (both dotted module names) at ``where``."""

    importer: str
    target: str
    where: str


def _source_root(package: str) -> Path:
    return PACKAGES / f"openapi-{package}" / "src"


def _modules(package: str) -> dict[str, Path]:
    """Every module of ``openapi.<package>``: dotted name to file."""
    src = _source_root(package)
    out: dict[str, Path] = {}
    for path in sorted((src / "openapi" / package).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _imports(module: str, path: Path, known: dict[str, Path]) -> Iterator[Import]:
    """The ``openapi.*`` modules ``module`` imports anywhere in its file."""
    is_package = path.name == "__init__.py"
    here = module.split(".") if is_package else module.split(".")[:-1]
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("openapi."):
                    yield Import(module, alias.name, where)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = here[: len(here) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if not base.startswith("openapi"):
                continue
            submodules = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in known]
            # ``from . import x`` names a module; ``from .m import name`` imports ``m``.
            if len(submodules) < len(node.names) and base != "openapi":
                yield Import(module, base, where)
            for target in submodules:
                yield Import(module, target, where)


def _package_of(module: str) -> str:
    return module.split(".")[1]


def _all_modules() -> dict[str, Path]:
    known: dict[str, Path] = {}
    for package in ARROWS:
        known.update(_modules(package))
    return known


def _declared(package: str) -> frozenset[str]:
    """The ``aio-openapi-*`` distributions the package's pyproject depends on."""
    data = tomllib.loads((PACKAGES / f"openapi-{package}" / "pyproject.toml").read_text())
    names = (re.match(r"[A-Za-z0-9_.-]+", dep) for dep in data["project"]["dependencies"])
    prefix = "aio-openapi-"
    return frozenset(
        m.group(0)[len(prefix) :] for m in names if m and m.group(0).startswith(prefix)
    )


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component: list[str] = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_declared_dependencies_follow_the_arrows() -> None:
    for package, allowed in ARROWS.items():
        assert _declared(package) <= allowed, package


@pytest.mark.parametrize("package", sorted(ARROWS))
def test_imports_across_packages_follow_the_arrows(package: str) -> None:
    known = _all_modules()
    allowed = ARROWS[package] & _declared(package)
    wrong = [
        f"{imp.where}: {imp.importer} imports {imp.target}"
        for module, path in _modules(package).items()
        for imp in _imports(module, path, known)
        if _package_of(imp.target) != package and _package_of(imp.target) not in allowed
    ]
    assert wrong == []


@pytest.mark.parametrize(
    "package",
    [
        "data",
        "db",
        "ws",
        "spec",
        "cli",
    ],
)
def test_no_modules_of_a_package_import_each_other(package: str) -> None:
    known = _all_modules()
    graph: dict[str, set[str]] = {}
    lines: dict[tuple[str, str], str] = {}
    for module, path in _modules(package).items():
        graph.setdefault(module, set())
        for imp in _imports(module, path, known):
            if _package_of(imp.target) == package and imp.target != module:
                graph[module].add(imp.target)
                lines.setdefault((module, imp.target), imp.where)
    found = []
    for cycle in _cycles(graph):
        edges = [
            f"{lines[(a, b)]}: {a} -> {b}" for a in cycle for b in sorted(graph[a]) if b in cycle
        ]
        found.append(edges)
    assert found == []


def test_a_cycle_is_found() -> None:
    """The checker itself: a loop of three modules is one cycle, a chain is none."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []
