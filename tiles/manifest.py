"""The tiles manifest (which file holds each tileset, and what it shows) and the build's
progress file: written atomically by the build, read by the server, export and tests."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from levelup.atomic import write_text_atomic
from levelup.errors import LevelupError
from tiles.tileset import TilesetSpec
from tiles.worker import TilesetResult

MANIFEST = "manifest.json"
PROGRESS = "progress.json"


def read_manifest(path: Path) -> dict[str, dict[str, Any]]:
    """Manifest entries by tileset id ({} when there is no readable manifest)."""
    if not path.is_file():
        return {}
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))["tilesets"]
        return {e["id"]: e for e in entries}
    except (OSError, ValueError, KeyError):
        return {}


def write_manifest(path: Path, entries: Mapping[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Replace the manifest with these entries (sorted by id); return them in that order."""
    ordered = [entries[k] for k in sorted(entries)]
    write_text_atomic(path, json.dumps({"tilesets": ordered}, indent=1))
    return ordered


def manifest_entry(spec: TilesetSpec, result: TilesetResult, file: str) -> dict[str, Any]:
    """The manifest entry of a tileset just written."""
    meta = result.metadata
    return {
        "id": spec.key.id,
        **spec.key._asdict(),
        "set_id": spec.set_id,
        "file": file,
        "name": spec.name,
        "title": spec.title,
        "variant_label": spec.variant_label,
        "level_label": spec.level_label,
        "unit": spec.unit,
        "polarity": spec.polarity,
        "decimals": spec.decimals,
        "period": spec.period,
        "breaks": list(spec.breaks),
        "country_breaks": list(spec.country_breaks),
        "valued": spec.valued,
        "attribution": spec.attribution,
        "description": spec.description,
        "minzoom": int(meta["minzoom"]),
        "maxzoom": int(meta["maxzoom"]),
        "bounds": [float(v) for v in meta["bounds"].split(",")],
        "center": [float(v) for v in meta["center"].split(",")],
        "fields": json.loads(meta["json"])["vector_layers"][0]["fields"],
        "tiles": result.tiles,
        "unique_tiles": result.unique_tiles,
        "bytes": result.bytes,
        "features": result.features,
        "hash": result.digest,
        **(
            {"layout": spec.layout, "missing": [list(m) for m in spec.missing]}
            if spec.key.geometry
            else {}
        ),
    }


def write_progress(
    tiles_dir: Path, planned: int, done: int, started: float, seconds: list[float] | None = None
) -> None:
    """Record how far a tile build has got (the server shows it while the rest is built);
    with `seconds` (each tileset written so far), their median and 90th percentile too."""
    progress: dict[str, Any] = {
        "planned": planned,
        "done": done,
        "finished": done >= planned,
        "started": started,
        "updated": time.time(),
    }
    if seconds:
        ordered = sorted(seconds)
        progress["tileset_seconds"] = {
            "count": len(ordered),
            "median": statistics.median(ordered),
            "p90": ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))],
        }
    write_text_atomic(tiles_dir / PROGRESS, json.dumps(progress))


def read_progress(tiles_dir: Path) -> dict[str, Any] | None:
    """The last build's progress, or None."""
    try:
        data = json.loads((tiles_dir / PROGRESS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def tileset_file_name(tileset_id: str, digest: str) -> str:
    """A tileset's file, named by its content digest: a build writes new files beside the
    ones being served and switches the manifest over only when every one is written."""
    return f"{tileset_id}.{digest[:12]}.mbtiles"


def tileset_files(data_dir: Path) -> dict[str, Path]:
    """The MBTiles file the manifest lists for each tileset."""
    entries = read_manifest(data_dir / "tiles" / MANIFEST)
    return {id_: data_dir / "tiles" / str(entry["file"]) for id_, entry in entries.items()}


def tileset_file(data_dir: Path, tileset_id: str) -> Path:
    """The MBTiles file the manifest lists for a tileset."""
    path = tileset_files(data_dir).get(tileset_id)
    if path is None:
        raise LevelupError(f"no tileset {tileset_id!r} in {data_dir / 'tiles' / MANIFEST}")
    return path


def remove_stale(tiles_dir: Path, keep: set[str]) -> None:
    """Delete tileset files the manifest no longer lists."""
    for path in tiles_dir.glob("*.mbtiles"):
        if path.name not in keep:
            path.unlink()
