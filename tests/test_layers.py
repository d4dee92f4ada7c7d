"""The import graph: no loops among packages or modules, nothing imports a higher layer."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _import_graph() -> ModuleType:
    spec = importlib.util.spec_from_file_location("import_graph", ROOT / "scripts/import_graph.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("import_graph", module)
    spec.loader.exec_module(module)
    return module


graph_tool = _import_graph()


def test_the_packages_import_each_other_without_loops_or_upward_edges() -> None:
    graph = graph_tool.build_graph(ROOT)
    assert graph.packages, "no edges read: the graph script found no packages"
    assert graph_tool.package_loops(graph) == []
    assert graph_tool.loops(graph.modules) == []
    assert graph_tool.upward(graph) == []


def test_every_layered_package_is_read() -> None:
    sources = {p.split(".")[0] for edge in graph_tool.build_graph(ROOT).packages for p in edge}
    assert sources == set(graph_tool.LAYERS)


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name in graph_tool.LAYERS:
        (root / name).mkdir(parents=True, exist_ok=True)
        (root / name / "__init__.py").write_text("")
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_a_loop_between_a_package_and_its_subpackage_is_caught(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "pipeline/build.py": "from pipeline.byod.store import x\n",
            "pipeline/byod/__init__.py": "",
            "pipeline/byod/store.py": "def f():\n    from pipeline.build import y\n",
        },
    )
    graph = graph_tool.build_graph(root)
    assert graph_tool.package_loops(graph) == [["pipeline", "pipeline.byod"]]
    assert graph_tool.loops(graph.modules) == [["pipeline.build", "pipeline.byod.store"]]


def test_an_upward_or_forbidden_import_is_caught(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "levelup/cli.py": "import server.app\n",
            "server/app.py": "from ..pipeline import catalogue\n",
            "pipeline/catalogue.py": "",
        },
    )
    graph = graph_tool.build_graph(root)
    # `from ..pipeline import catalogue` runs pipeline/__init__ and pipeline/catalogue: two
    assert graph_tool.upward(graph) == [("levelup", "server", 1), ("server", "pipeline", 2)]
    assert graph_tool.main(["import-graph", str(root)]) == 1
