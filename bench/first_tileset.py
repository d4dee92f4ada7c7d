"""Build one tileset from nothing cached (run as its own process by the benchmark).

Usage: python -m bench.first_tileset DATA_DIR SET_ID INDICATOR VARIANT YEAR OUT.mbtiles
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import numpy as np

from boundaries.load import load_boundaries
from tiles.cutter import build_pyramid, choose_maxzoom
from tiles.store import MBTilesWriter
from tiles.tileset import AreaProperties, encode_tiles


def main() -> None:
    data_dir, set_id, indicator, variant, year, out = sys.argv[1:7]
    frame = load_boundaries(set_id)
    pyramid = build_pyramid(frame, maxzoom=choose_maxzoom(frame))
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
