"""Tiles: levelup against GDAL (`ogr2ogr -f MBTILES`) on the same LAD 2022 input at z0-10.

Measures the first tileset from nothing cached (wall time and peak RSS of the whole process,
the median of three new processes of each tool taken in turns,
against GDAL in the same run and tippecanoe 2.82's figures measured on this machine, as it is
not packaged here), the marginal time of each further indicator-year tileset on the same
boundaries, and the bytes, tiles, features and vertices of one tileset. Prints ratios.
"""

from __future__ import annotations

import gzip
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import mapbox_vector_tile
import numpy as np

from bench.proc import Measured, measure
from boundaries.areas import Areas
from boundaries.load import load_boundaries
from tiles.cutter import build_pyramid
from tiles.store import MBTilesWriter
from tiles.tileset import AreaProperties, encode_tiles

SET_ID, INDICATOR, VARIANT = "lad-2022", "employment-rate", "aged-16-64"
# tippecanoe 2.82 on this machine (LAD 2019, z0-11): first tileset 1.1 s, peak RSS 68 MB
TIPPECANOE = {"first_s": 1.1, "first_peak_rss": 68 << 20}
COLD_RUNS = 3  # cold first-tileset runs of each tool; the median is reported
FURTHER = 12  # further indicator-year tilesets timed for the marginal cost


def _values(db: Path, year: int) -> dict[str, float]:
    connection = sqlite3.connect(db)
    return {
        c: v
        for c, v in connection.execute(
            "SELECT code, value FROM observations WHERE indicator=? AND variant=? AND level='lad' "
            "AND year=?",
            (INDICATOR, VARIANT, year),
        )
        if v is not None
    }


def _gdal_input(frame: Any, values: dict[str, float], path: Path) -> None:
    out = frame[["code", "name", "geometry"]].copy()
    out["value"] = [values.get(c) for c in out["code"]]
    out.to_file(path, driver="GeoJSON")


def _gdal(source: Path, target: Path) -> list[str]:
    return [
        "ogr2ogr",
        "-f",
        "MBTILES",
        str(target),
        str(source),
        "-nln",
        "lad",
        "-dsco",
        "MINZOOM=0",
        "-dsco",
        "MAXZOOM=10",
        "-dsco",
        "MAX_SIZE=1000000000",
        "-dsco",
        "MAX_FEATURES=1000000000",
    ]


def tile_stats(path: Path) -> dict[str, int]:
    """Tiles, bytes (as stored), features and vertices of an MBTiles file."""
    connection = sqlite3.connect(path)
    tiles = features = vertices = size = 0
    for (data,) in connection.execute("SELECT tile_data FROM tiles"):
        size += len(data)
        raw = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
        tiles += 1
        for layer in mapbox_vector_tile.decode(raw).values():
            for feature in layer["features"]:
                features += 1
                vertices += int(np.asarray(_flatten(feature["geometry"]["coordinates"])).size // 2)
    return {"tiles": tiles, "bytes": size, "features": features, "vertices": vertices}


def _flatten(nested: Any) -> list[float]:
    if isinstance(nested, (int, float)):
        return [nested]
    return [x for item in nested for x in _flatten(item)]


def _median_run(runs: list[Measured]) -> Measured:
    """The run of median time (its own peak RSS with it)."""
    return sorted(runs, key=lambda m: m.seconds)[len(runs) // 2]


def run(work: Path, data_dir: Path) -> dict[str, Any]:
    """Run the tile benchmark in `work` on the joined data of `data_dir`; return the figures."""
    db = data_dir / "levelup.db"
    years = sorted(
        {
            y
            for (y,) in sqlite3.connect(db).execute(
                "SELECT DISTINCT year FROM observations WHERE indicator=?", (INDICATOR,)
            )
        }
    )
    frame = load_boundaries(SET_ID)
    inputs = []
    for year in years[: FURTHER + 1]:
        path = work / f"gdal-{year}.geojson"
        _gdal_input(frame, _values(db, year), path)
        inputs.append((year, path))

    ours_command = [
        sys.executable,
        "-m",
        "bench.first_tileset",
        str(data_dir),
        SET_ID,
        INDICATOR,
        VARIANT,
        str(inputs[0][0]),
        str(work / "ours-first.mbtiles"),
    ]
    gdal_runs, ours_runs = [], []
    for _ in range(COLD_RUNS):  # each a new process; taken in turns, so drift hits both
        gdal_runs.append(measure(_gdal(inputs[0][1], work / "gdal-first.mbtiles")))
        assert gdal_runs[-1].returncode == 0, gdal_runs[-1].output
        ours_runs.append(measure(ours_command))
        assert ours_runs[-1].returncode == 0, ours_runs[-1].output
    gdal_first, ours_first = _median_run(gdal_runs), _median_run(ours_runs)
    gdal_times = []
    for year, path in inputs[1:]:
        m = measure(_gdal(path, work / f"gdal-{year}.mbtiles"))
        gdal_times.append(m.seconds)

    pyramid = build_pyramid(Areas.of(frame), maxzoom=10)
    ours_times = []
    for year, _ in inputs[1:]:
        started = time.perf_counter()
        values = _values(db, year)
        column = np.array([values.get(c, np.nan) for c in pyramid.info.codes], dtype=float)
        writer = MBTilesWriter(work / f"ours-{year}.mbtiles")
        for tile, data, _ in encode_tiles(
            pyramid, AreaProperties(pyramid.info, {"value": column}), "lad"
        ):
            writer.put(tile, data)
        writer.finalize({"name": str(year), "format": "pbf"})
        ours_times.append(time.perf_counter() - started)

    return {
        "input": f"{SET_ID} ({len(frame)} districts), {INDICATOR}, z0-10",
        "gdal": {
            "first_s": gdal_first.seconds,
            "first_peak_rss": gdal_first.peak_rss,
            "first_runs_s": [m.seconds for m in gdal_runs],
            "per_tileset_s": statistics.mean(gdal_times),
            **tile_stats(work / "gdal-first.mbtiles"),
        },
        "ours": {
            "first_s": ours_first.seconds,
            "first_peak_rss": ours_first.peak_rss,
            "first_runs_s": [m.seconds for m in ours_runs],
            "per_tileset_s": statistics.mean(ours_times),
            **tile_stats(work / "ours-first.mbtiles"),
        },
    }


def report(r: dict[str, Any]) -> str:
    """Printable table with ratios and targets."""
    g, o, tc = r["gdal"], r["ours"], TIPPECANOE
    mb = 1024 * 1024
    rows = [
        (
            "first tileset, wall",
            f"{g['first_s']:.2f} s",
            f"{o['first_s']:.2f} s",
            f"{o['first_s'] / g['first_s']:.2f}x",
            "<= 1.0x",
        ),
        (
            "first tileset, peak RSS",
            f"{g['first_peak_rss'] / mb:.0f} MB",
            f"{o['first_peak_rss'] / mb:.0f} MB",
            f"{o['first_peak_rss'] / g['first_peak_rss']:.2f}x",
            "",
        ),
        (
            "first tileset vs tippecanoe",
            f"{tc['first_s']:.2f} s (ref)",
            f"{o['first_s']:.2f} s",
            f"{o['first_s'] / tc['first_s']:.2f}x",
            "<= 1.5x",
        ),
        (
            "peak RSS vs tippecanoe",
            f"{tc['first_peak_rss'] / mb:.0f} MB (ref)",
            f"{o['first_peak_rss'] / mb:.0f} MB",
            f"{o['first_peak_rss'] / tc['first_peak_rss']:.2f}x",
            "<= 1.5x",
        ),
        (
            "each further tileset",
            f"{g['per_tileset_s'] * 1000:.0f} ms",
            f"{o['per_tileset_s'] * 1000:.0f} ms",
            f"{g['per_tileset_s'] / o['per_tileset_s']:.1f}x faster",
            ">= 15x faster",
        ),
        (
            "bytes (one tileset)",
            f"{g['bytes']:,}",
            f"{o['bytes']:,}",
            f"{o['bytes'] / g['bytes']:.2f}x",
            "<= 1.0x",
        ),
        ("tiles", f"{g['tiles']:,}", f"{o['tiles']:,}", f"{o['tiles'] / g['tiles']:.2f}x", ""),
        (
            "features",
            f"{g['features']:,}",
            f"{o['features']:,}",
            f"{o['features'] / g['features']:.2f}x",
            "",
        ),
        (
            "vertices",
            f"{g['vertices']:,}",
            f"{o['vertices']:,}",
            f"{o['vertices'] / g['vertices']:.2f}x",
            "",
        ),
    ]
    width = [max(len(str(row[i])) for row in rows) for i in range(5)]
    head = ("measure", "GDAL ogr2ogr", "levelup", "ratio", "target")
    width = [max(w, len(h)) for w, h in zip(width, head, strict=True)]
    lines = [
        f"Tiles: {r['input']}",
        "  ".join(h.ljust(w) for h, w in zip(head, width, strict=True)),
    ]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, width, strict=True)) for row in rows]
    return "\n".join(lines)
