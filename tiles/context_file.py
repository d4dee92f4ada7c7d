"""Where the context tiles are (no geometry libraries here: the server reads this)."""

from __future__ import annotations

import json
from pathlib import Path

CONTEXT_DIR = "context"
DESCRIPTION = "context.json"


def context_file(data_dir: Path) -> tuple[Path, dict[str, object]] | None:
    """The built context tiles and their description, or None when there are none."""
    folder = data_dir / CONTEXT_DIR
    try:
        description = json.loads((folder / DESCRIPTION).read_text(encoding="utf-8"))
        name = str(description["file"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    path = folder / name
    if Path(name).name != name or not path.is_file():
        return None
    return path, description
