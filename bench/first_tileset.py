"""Build one tileset from nothing cached (run as its own process by the benchmark).

Usage: python -m bench.first_tileset DATA_DIR SET_ID INDICATOR VARIANT YEAR OUT.mbtiles

Reads the boundaries as a tile build's cutting does (boundaries.reading.load_areas) and cuts
z0-10, the zooms GDAL is asked for in the same run.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import numpy as np

from boundaries.reading import load_areas
from tiles.cutter import build_pyramid
from tiles.store import MBTilesWriter
from tiles.tileset import AreaProperties, encode_tiles

MAXZOOM = 10  # as GDAL's run in bench.tiles_vs_gdal


def main() -> None:
    data_dir, set_id, indicator, variant, year, out = sys.argv[1:7]
    pyramid = build_pyramid(load_areas(set_id), maxzoom=MAXZOOM)
    connection = sqlite3.connect(Path(data_dir) / "levelup.db")
    values = dict(
        connection.execute(
            "SELECT code, value FROM observations WHERE indicator=? AND variant=? AND level='lad' "
            "AND year=?",
            (indicator, variant, int(year)),
        ).fetchall()
    )
    column = np.array([values.get(c, np.nan) for c in pyramid.info.codes], dtype=float)
    properties = AreaProperties(pyramid.info, {"value": column})
    writer = MBTilesWriter(Path(out))
    for tile, data, _ in encode_tiles(pyramid, properties, "lad"):
        writer.put(tile, data)
    writer.finalize(
        {"name": "bench", "format": "pbf", "minzoom": "0", "maxzoom": str(pyramid.info.maxzoom)}
    )


if __name__ == "__main__":
    main()
