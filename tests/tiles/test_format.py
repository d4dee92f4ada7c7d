"""The tiles' digest follows what decides their bytes, not the text of the code."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import tiles
from tiles import mvt
from tiles.format import TILE_FORMAT, format_digest, parameters

PACKAGE = Path(tiles.__file__).parent
LEVELUP = PACKAGE.parent / "levelup"


def _digest_of(tree: Path) -> str:
    """format_digest() as a copy of the tiles package under `tree` computes it."""
    command = [
        sys.executable,
        "-c",
        "from tiles.format import format_digest; print(format_digest())",
    ]
    found = subprocess.run(
        command, cwd=tree, capture_output=True, text=True, check=True, env={"PYTHONPATH": str(tree)}
    )
    return found.stdout.strip()


def _copy(tmp_path: Path, name: str) -> Path:
    tree = tmp_path / name
    shutil.copytree(PACKAGE, tree / "tiles", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(LEVELUP, tree / "levelup", ignore=shutil.ignore_patterns("__pycache__"))
    return tree


def test_a_docstring_edit_leaves_the_digest_but_a_parameter_changes_it(tmp_path: Path) -> None:
    original = _copy(tmp_path, "original")
    edited = _copy(tmp_path, "docstring")
    source = edited / "tiles" / "mvt.py"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace('"""', '"""Edited. ', 1), encoding="utf-8")
    retuned = _copy(tmp_path, "extent")
    source = retuned / "tiles" / "mvt.py"
    text = source.read_text(encoding="utf-8")
    assert "EXTENT = 4096\n" in text
    source.write_text(text.replace("EXTENT = 4096\n", "EXTENT = 2048\n"), encoding="utf-8")
    same = _digest_of(original)
    assert same == format_digest()  # the copy computes what this process does
    assert _digest_of(edited) == same
    assert _digest_of(retuned) != same


def test_the_format_version_parameters_and_libraries_are_all_in_the_digest(monkeypatch) -> None:
    values = parameters()
    assert values["format"] == TILE_FORMAT and values["extent"] == mvt.EXTENT
    assert {"shapely", "numpy", "isal"} <= set(values["libraries"]) and values["geos"]
    before = format_digest()
    monkeypatch.setattr("tiles.format.TILE_FORMAT", TILE_FORMAT + 1)
    assert format_digest() != before
    monkeypatch.undo()
    monkeypatch.setattr("tiles.geometry.SIMPLIFY_UNITS", 2.0)
    assert format_digest() != before
    monkeypatch.undo()
    monkeypatch.setattr("tiles.format.version", lambda name: "0.0-other")
    assert format_digest() != before
