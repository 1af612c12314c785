"""The package has no import cycles and no overgrown modules, read from source.

Every module of ``sklearn_hnn`` is parsed with :mod:`ast`, never imported, and
each import becomes an arrow to the module it loads: top-level imports and lazy
ones inside functions alike, since a lazy import that closes a cycle only moves
the failure from import time to call time. Imports under
``if TYPE_CHECKING:`` are left out: they never run.

How an import becomes an arrow:

* ``import a.b.c`` and ``from a.b.c import name`` point to the innermost
  module of the package on that path (``a.b.c`` itself when it is one);
* ``from pkg import name`` points to ``pkg.name`` when that is a submodule,
  else to ``pkg`` (its ``__init__``), which must define ``name``;
* relative imports are resolved against the importing module's package.

Loading ``a.b.c`` also runs ``a/__init__.py`` and ``a/b/__init__.py``, but
these implied arrows to parent packages are not drawn: by the time a submodule
runs, its parents are already being imported (usually they are what imports
it), so they cause no cycle of their own, and drawing them would tie every
package to every module its ``__init__`` reaches. An explicit
``from a import name`` is drawn, as it needs ``a`` to have got that far.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).parents[1] / "sklearn_hnn"

#: Longest a module of the package may grow, in lines.
MAX_LINES = 500


def module_name(path: Path, package_dir: Path) -> str:
    """Dotted name of the module in ``path``, a file under ``package_dir``."""
    parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_modules(package_dir: Path) -> dict[str, Path]:
    """``{dotted name: path}`` of every module of the package, subpackages too."""
    return {
        module_name(path, package_dir): path
        for path in sorted(package_dir.rglob("*.py"))
    }


def _is_type_checking(test: ast.expr) -> bool:
    """Whether an ``if`` test is ``TYPE_CHECKING`` or ``<module>.TYPE_CHECKING``."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(node: ast.AST):
    """Every Import/ImportFrom in ``node``, except in ``if TYPE_CHECKING:``."""
    if isinstance(node, ast.If) and _is_type_checking(node.test):
        children = node.orelse  # the else branch does run
    else:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        children = ast.iter_child_nodes(node)
    for child in children:
        yield from _import_nodes(child)


def _innermost_module(name: str, modules: dict) -> str | None:
    """``name`` or its longest prefix that is a module of the package."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(name: str, modules: dict[str, Path]) -> set[str]:
    """The modules of the package that module ``name`` imports, itself excluded."""
    path = modules[name]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in _import_nodes(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                anchor = parts[: len(parts) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            ]
        for target in targets:
            hit = _innermost_module(target, modules)
            if hit is not None and hit != name:
                found.add(hit)
    return found


def import_graph(package_dir: Path) -> dict[str, set[str]]:
    """``{module: modules it imports}`` for every module of the package."""
    modules = package_modules(package_dir)
    return {name: imports_of(name, modules) for name in modules}


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components that hold a cycle, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

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
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph.get(v, ()):
                components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(components)


def _shortest_cycle_through(start: str, graph: dict, within: set) -> list[str]:
    """Shortest path ``start -> ... -> start`` inside ``within`` (breadth first)."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for v in frontier:
            for w in sorted(graph.get(v, ())):
                if w not in within:
                    continue
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if w not in previous:
                    previous[w] = v
                    following.append(w)
        frontier = following
    raise ValueError(f"{start} is on no cycle")  # pragma: no cover


def find_cycles(graph: dict[str, set[str]]) -> list[str]:
    """Import cycles as ``"a -> b -> c -> a"``: in each strongly connected
    component, the shortest cycle through each member, without repeats, so
    that every module on a cycle appears in at least one line."""
    lines = []
    for component in strongly_connected(graph):
        members = set(component)
        seen = set()
        for start in component:
            cycle = _shortest_cycle_through(start, graph, members)
            ring = cycle[:-1]
            first = ring.index(min(ring))
            key = tuple(ring[first:] + ring[:first])
            if key not in seen:
                seen.add(key)
                lines.append(" -> ".join([*key, key[0]]))
    return lines


# --- the package ---------------------------------------------------------------


def test_package_is_found():
    graph = import_graph(PACKAGE_DIR)
    assert {"sklearn_hnn", "sklearn_hnn.differentiation.base"} <= set(graph)
    assert "sklearn_hnn.estimators" in graph["sklearn_hnn"]


def test_no_import_cycles():
    cycles = find_cycles(import_graph(PACKAGE_DIR))
    assert not cycles, "import cycles in sklearn_hnn:\n  " + "\n  ".join(cycles)


def test_no_module_is_too_long():
    lengths = {
        str(path.relative_to(PACKAGE_DIR.parent)): len(
            path.read_text(encoding="utf-8").splitlines()
        )
        for path in package_modules(PACKAGE_DIR).values()
    }
    over = [
        f"{path} ({n} lines)" for path, n in sorted(lengths.items()) if n > MAX_LINES
    ]
    assert not over, f"modules over {MAX_LINES} lines: " + ", ".join(over)


# --- the checker itself --------------------------------------------------------


def test_cycle_finder_on_a_synthetic_graph():
    graph = {
        "a": {"b"},
        "b": {"c", "d"},
        "c": {"a"},
        "d": set(),
        "e": {"f"},
        "f": {"e", "d"},
        "g": {"g"},
        "h": {"a"},
    }
    assert strongly_connected(graph) == [["a", "b", "c"], ["e", "f"], ["g"]]
    assert find_cycles(graph) == ["a -> b -> c -> a", "e -> f -> e", "g -> g"]
    acyclic = {"a": {"b", "c"}, "b": {"c"}, "c": set()}
    assert strongly_connected(acyclic) == [] and find_cycles(acyclic) == []


def test_cycle_finder_lists_every_module_of_a_tangle():
    # Two cycles through "a" share no other module: both are listed.
    graph = {"a": {"b", "c"}, "b": {"a"}, "c": {"a"}}
    assert find_cycles(graph) == ["a -> b -> a", "a -> c -> a"]


def _write_package(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "pkg"


def test_graph_follows_lazy_relative_and_submodule_imports(tmp_path):
    package = _write_package(
        tmp_path,
        {
            "pkg/__init__.py": "from pkg.sub import thing\n",
            "pkg/sub/__init__.py": "from . import leaf\nfrom .leaf import value\n",
            "pkg/sub/leaf.py": (
                "import os\n"
                "from .. import other\n"
                "def late():\n"
                "    from pkg.sub import thing\n"
                "    import pkg.other.inner\n"
            ),
            "pkg/other/__init__.py": "",
            "pkg/other/inner.py": "from .. import sub\n",
        },
    )
    assert import_graph(package) == {
        "pkg": {"pkg.sub"},
        "pkg.sub": {"pkg.sub.leaf"},
        "pkg.sub.leaf": {"pkg.other", "pkg.sub", "pkg.other.inner"},
        "pkg.other": set(),
        "pkg.other.inner": {"pkg.sub"},
    }
    assert find_cycles(import_graph(package)) == [
        "pkg.other.inner -> pkg.sub -> pkg.sub.leaf -> pkg.other.inner",
        "pkg.sub -> pkg.sub.leaf -> pkg.sub",
    ]


@pytest.mark.parametrize(
    "guard",
    [
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:",
        "import typing\nif typing.TYPE_CHECKING:",
    ],
)
def test_type_checking_imports_are_ignored(tmp_path, guard):
    package = _write_package(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg.b import B\n",
            "pkg/b.py": (
                f"{guard}\n"
                "    from pkg.a import A\n"
                "    def hint():\n"
                "        import pkg.c\n"
                "else:\n"
                "    import pkg.d\n"
            ),
            "pkg/c.py": "",
            "pkg/d.py": "",
        },
    )
    graph = import_graph(package)
    assert graph["pkg.b"] == {"pkg.d"}
    assert find_cycles(graph) == []
    # The same import outside the guard closes a cycle.
    (package / "b.py").write_text("def late():\n    from pkg.a import A\n")
    assert find_cycles(import_graph(package)) == ["pkg.a -> pkg.b -> pkg.a"]
