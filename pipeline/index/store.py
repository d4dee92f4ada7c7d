"""User indexes on disk: DATA_DIR/user/indexes/{id}.toml, one checked definition each (the id
is a checked slug, so a user-supplied name never becomes a path)."""

from __future__ import annotations

import logging
from pathlib import Path

from levelup.atomic import write_text_atomic
from levelup.errors import LevelupError
from pipeline.index.definition import IndexDefinition, read_definition, to_toml
from pipeline.user_data import user_index_dir

LOG = logging.getLogger("levelup.index")


def load_user_definitions(data_dir: Path) -> list[IndexDefinition]:
    """Every saved user index, in id order (a broken one is logged and left out)."""
    folder = user_index_dir(data_dir)
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.glob("*.toml")):
        try:
            out.append(read_definition(path, source="user"))
        except LevelupError as exc:
            LOG.warning("skipping your index in %s: %s", path, exc)
    return out


def save_definition(data_dir: Path, definition: IndexDefinition) -> Path:
    """Write a user definition (as TOML) atomically; return its path."""
    path = user_index_dir(data_dir) / f"{definition.id}.toml"
    write_text_atomic(path, to_toml(definition))
    return path
