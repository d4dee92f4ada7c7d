"""scripts/tile-fingerprints: a build compared with itself is identical; one changed tile is
found."""

from __future__ import annotations

import importlib.util
import sqlite3
import sys
from pathlib import Path
from types import ModuleType

from tests.conftest import clone_data_dir
from tiles.manifest import MANIFEST, load_manifest

ROOT = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    path = ROOT / "scripts" / "tile_fingerprints.py"
    spec = importlib.util.spec_from_file_location("tile_fingerprints", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("tile_fingerprints", module)
    spec.loader.exec_module(module)
    return module


def test_a_build_is_identical_to_itself_and_a_changed_tile_shows(
    data_dir: Path, tmp_path: Path, capsys
) -> None:
    script = _script()
    saved = tmp_path / "before.txt"
    assert script.main(["tile-fingerprints", str(data_dir)]) == 0
    saved.write_text(capsys.readouterr().out, encoding="utf-8")
    assert script.main(["tile-fingerprints", str(saved), str(data_dir)]) == 0
    assert "different: 0; only before: 0; only after: 0" in capsys.readouterr().out
    copy = tmp_path / "copy"
    copy.mkdir()
    clone_data_dir(data_dir, copy)
    entry = next(iter(load_manifest(copy / "tiles" / MANIFEST).values()))
    target = copy / "tiles" / entry.file
    changed = target.with_suffix(".changed")
    changed.write_bytes(target.read_bytes())  # a file of its own, not the hard link
    with sqlite3.connect(changed) as connection:
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
        table = "images" if "images" in tables else "tiles"
        connection.execute(f"UPDATE {table} SET tile_data = x'00' WHERE rowid = 1")
    changed.replace(target)
    assert script.main(["tile-fingerprints", str(saved), str(copy)]) == 1
    assert f"different: {entry.id}" in capsys.readouterr().out
