"""Packages depend one way, and no package has a module-level import cycle.

Layers (README "Development"): ``core`` (shared kernel) ← ``accounts`` (users and roles) ←
the domains ``petitions``, ``pb``, ``deliberation``, which never import each other; only the
composition layer (``composition.py``, ``app.py``) sees them all. An AST scan of every module
lists the imports between top-level packages, lazy (in-function) ones included, and fails on
any edge missing from :data:`ALLOWED`. A new edge is a design decision: add it here, with a
reason, or do not add it.
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "accounts", "petitions", "pb", "deliberation")
ROOT_MODULES = ("app", "composition")
DOMAINS = frozenset({"petitions", "pb", "deliberation"})

# Which top-level packages each one may import. Everything else is refused.
ALLOWED: dict[str, frozenset[str]] = {
    "core": frozenset(),
    "accounts": frozenset({"core"}),
    "petitions": frozenset({"core", "accounts"}),
    "pb": frozenset({"core", "accounts"}),
    # opening a conversation from a petition or a budget: only through their public modules
    "deliberation": frozenset({"core", "accounts", "petitions", "pb"}),
    "composition": frozenset({"core", "accounts", *DOMAINS}),
    "app": frozenset({"core", "accounts", *DOMAINS, "composition"}),
}
KNOWN = frozenset({*PACKAGES, *ROOT_MODULES, "bench", "tests"})
# Where one domain imports another, the only modules it may name (public service functions).
JOINS: dict[tuple[str, str], frozenset[str]] = {
    ("deliberation", "petitions"): frozenset({"petitions.public"}),
    ("deliberation", "pb"): frozenset({"pb.public"}),
}


def _module_files() -> dict[str, Path]:
    """Dotted module name → file, for every package module and the root modules."""
    files = {name: ROOT / f"{name}.py" for name in ROOT_MODULES}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            files[".".join(parts)] = path
    return files


MODULES = _module_files()


def _is_package(module: str) -> bool:
    return MODULES.get(module, Path()).name == "__init__.py"


def _absolute(module: str, node: ast.ImportFrom) -> str:
    """The absolute name `from ... import` refers to inside `module`."""
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not _is_package(module):
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _imported(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    """Dotted names an import statement loads (submodules for `from pkg import mod`)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    target = _absolute(module, node)
    names = [target]
    for alias in node.names:
        if f"{target}.{alias.name}" in MODULES:
            names.append(f"{target}.{alias.name}")
    return names


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _module_level_imports(tree: ast.Module):
    """Imports run when the module is imported: top level, class bodies, if/try blocks;
    not in functions and not under `if TYPE_CHECKING:`."""
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node):
                pending += [*node.body, *node.orelse]
        elif isinstance(node, (ast.Try, ast.With, ast.ClassDef)):
            pending += [child for field in ("body", "orelse", "finalbody", "handlers")
                        for child in getattr(node, field, [])]
        elif isinstance(node, ast.ExceptHandler):
            pending += node.body


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def package_edges(modules: dict[str, Path] = MODULES) -> dict[tuple[str, str], list[str]]:
    """(importing top-level package, imported top-level package) → where, for every import
    between two of our top-level packages, in-function ones included."""
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for module, path in modules.items():
        source = module.split(".")[0]
        for node in ast.walk(_parse(path)):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            names = _imported(module, node)
            for target in sorted({name.split(".")[0] for name in names}):
                if target in KNOWN and target != source:
                    loaded = ", ".join(n for n in names if n.split(".")[0] == target)
                    edges[(source, target)].append(
                        f"{path.relative_to(ROOT)}:{node.lineno} imports {loaded}")
    return edges


def module_graph(modules: dict[str, Path] = MODULES) -> dict[str, set[str]]:
    """Module → the modules of the same top-level package it imports at module level."""
    graph: dict[str, set[str]] = {module: set() for module in modules}
    for module, path in modules.items():
        package = module.split(".")[0]
        for node in _module_level_imports(_parse(path)):
            for name in _imported(module, node):
                if name in modules and name != module and name.split(".")[0] == package \
                        and not _is_package(name):
                    graph[module].add(name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_packages_depend_one_way():
    refused = [f"{source} → {target}: {where}"
               for (source, target), places in sorted(package_edges().items())
               if target not in ALLOWED[source] for where in places]
    assert not refused, "imports not in ALLOWED (tests/test_architecture.py):\n" + "\n".join(
        refused)


def test_domains_join_only_through_public_modules():
    reached = [f"{where}" for (source, target), places in sorted(package_edges().items())
               if source in DOMAINS and target in DOMAINS for where in places
               if where.split(" imports ")[1] not in JOINS.get((source, target), ())]
    assert not reached, "a domain imports another's internals:\n" + "\n".join(reached)


def test_no_module_level_import_cycle_inside_a_package():
    assert cycles(module_graph()) == []


def test_the_scan_sees_real_imports():
    """Guards against a scan that cannot fail: known edges are found, lazy ones included."""
    edges = package_edges()
    assert ("petitions", "core") in edges and ("accounts", "core") in edges
    assert ("composition", "petitions") in edges and ("app", "composition") in edges
    graph = module_graph()
    assert "petitions.blueprint" in graph["petitions.web"]
    assert "petitions.blueprint" in graph["petitions.staff_web"]


@pytest.mark.parametrize("graph, expected", [
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
    ({"a": {"b"}, "b": set()}, []),
])
def test_the_cycle_finder_finds_cycles(graph, expected):
    assert cycles(graph) == expected


def test_every_package_is_in_the_table():
    assert set(ALLOWED) == {*PACKAGES, *ROOT_MODULES}
    assert all(source not in targets for source, targets in ALLOWED.items())
    for domain in DOMAINS:  # a domain imports another only where a feature joins them
        assert {(domain, other) for other in ALLOWED[domain] & DOMAINS} <= set(JOINS)
