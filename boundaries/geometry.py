"""Polygon repair shared by every boundary loader (shapely only)."""

from __future__ import annotations

import numpy as np
import shapely


def repair(geometries: np.ndarray) -> np.ndarray:
    """make_valid every geometry and keep only its polygonal part (Polygon or MultiPolygon)."""
    valid = shapely.make_valid(geometries, method="structure", keep_collapsed=False)
    out = np.empty(len(valid), dtype=object)
    for i, geom in enumerate(valid):
        if geom is None or geom.is_empty:
            out[i] = shapely.MultiPolygon()
        elif geom.geom_type in ("Polygon", "MultiPolygon"):
            out[i] = geom
        else:
            parts = [
                g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")
            ]
            out[i] = shapely.union_all(parts) if parts else shapely.MultiPolygon()
    return out


def clean_coverage(geometries: np.ndarray) -> np.ndarray:
    """Make neighbours share identical edges with no overlaps (gaps are left as they are).

    Repairing invalid polygons can leave slivers of overlap (around 1e-11 deg²) between
    neighbours; a clean coverage lets simplification keep shared edges shared.
    """
    if len(geometries) < 2 or shapely.coverage_is_valid(geometries):
        return geometries
    return repair(shapely.coverage_clean(geometries))
