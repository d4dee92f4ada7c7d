"""Load a boundary set's areas for tile cutting: without GDAL, pandas or geopandas wherever
the source file allows it."""

from __future__ import annotations

from pathlib import Path

from boundaries.areas import Areas
from boundaries.geojson import read_plain
from boundaries.registry import DATA_DIR, BoundarySet, default_registry


def load_areas(
    spec: BoundarySet | str, *, detail: bool = False, data_dir: Path = DATA_DIR
) -> Areas:
    """Load one boundary set's areas, exactly as boundaries.load.load_boundaries does: read
    straight from the GeoJSON with json and shapely when the set is a plain one, otherwise
    through load_boundaries (GDAL and geopandas, imported only then)."""
    spec = default_registry().get(spec) if isinstance(spec, str) else spec
    areas = read_plain(spec, detail=detail, data_dir=data_dir)
    if areas is not None:
        return areas
    from boundaries.load import load_boundaries

    return Areas.of(load_boundaries(spec, detail=detail, data_dir=data_dir))
