#!/usr/bin/env python3
"""The package-level import graph of levelup, its loops and its upward edges.

Usage: scripts/import-graph [ROOT]   (ROOT: the repository, default: this script's parent)

Every `import` counts, at module level or inside a function (an import inside a function is
still a dependency, only a later one). A package is a folder with its own modules: an edge
`pipeline.byod -> pipeline` says a module of pipeline/byod/ imports a module of pipeline/.
Layers, bottom to top: levelup (errors, settings, db) < boundaries < pipeline < tiles <
server < levelup_cli; an edge from a lower layer to a higher one is upward. The server may
not import the pipeline at all (it reads only what the pipeline wrote). A loop is a cycle
among packages, or among modules. Exit status 1 when there is a loop or an upward edge.
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

LAYERS = ("levelup", "boundaries", "pipeline", "tiles", "server", "levelup_cli")
FORBIDDEN = {("server", "pipeline")}  # edges between layers that are not upward, still banned


@dataclass
class Graph:
    """Module and package import edges of one source tree."""

    modules: dict[str, set[str]] = field(default_factory=dict)
    packages: Counter[tuple[str, str]] = field(default_factory=Counter)


def _module_names(root: Path) -> dict[str, Path]:
    """Every module of the layered packages under `root`, by dotted name."""
    names = {}
    for top in LAYERS:
        for path in sorted((root / top).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            names[".".join(parts)] = path
    return names


def _imported(name: str, path: Path) -> Iterable[str]:
    """Dotted names a module imports (absolute, relative ones resolved)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def package_of(module: str, names: Mapping[str, Path]) -> str:
    """The package (folder) a module belongs to."""
    return module if names[module].name == "__init__.py" else module.rpartition(".")[0]


def build_graph(root: Path) -> Graph:
    """Read every module under `root` and collect its imports of the layered packages."""
    names = _module_names(root)
    graph = Graph()
    for name, path in names.items():
        targets = {t for t in _imported(name, path) if t in names and t != name}
        graph.modules[name] = targets
        source = package_of(name, names)
        for target in targets:
            into = package_of(target, names)
            if into != source:
                graph.packages[(source, into)] += 1
    return graph


def loops(edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10000)
    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found)


def _layer(package: str) -> int:
    return LAYERS.index(package.split(".")[0])


def upward(graph: Graph) -> list[tuple[str, str, int]]:
    """Package edges that go up the layers, or between layers that must not meet."""
    bad = []
    for (source, target), count in sorted(graph.packages.items()):
        tops = (source.split(".")[0], target.split(".")[0])
        if _layer(source) < _layer(target) or tops in FORBIDDEN:
            bad.append((source, target, count))
    return bad


def package_loops(graph: Graph) -> list[list[str]]:
    """Cycles among packages."""
    edges: dict[str, set[str]] = {}
    for source, target in graph.packages:
        edges.setdefault(source, set()).add(target)
    return loops(edges)


def report(graph: Graph) -> str:
    """The graph, its loops and upward edges as text."""
    lines = ["package import graph (edges: importing modules' imports of the other package)"]
    lines += [f"  {s} -> {t}  ({n})" for (s, t), n in sorted(graph.packages.items())]
    package_cycles = package_loops(graph)
    module_cycles = loops(graph.modules)
    bad = upward(graph)
    lines.append(f"package loops: {len(package_cycles)}")
    lines += ["  " + " <-> ".join(c) for c in package_cycles]
    lines.append(f"module loops: {len(module_cycles)}")
    lines += ["  " + " <-> ".join(c) for c in module_cycles]
    lines.append(f"upward or forbidden edges: {len(bad)}")
    lines += [f"  {s} -> {t}  ({n})" for s, t, n in bad]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Print the report for the repository at argv[1] (default: this script's parent)."""
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent
    graph = build_graph(root)
    print(report(graph))
    return 1 if package_loops(graph) or loops(graph.modules) or upward(graph) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
