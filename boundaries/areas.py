"""A boundary set's areas as plain arrays (codes, names, WGS84 polygons): what tile cutting
needs (loaded by boundaries.reading)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely


@dataclass(frozen=True, slots=True, eq=False)
class Areas:
    """Areas of one boundary set, sorted by code: feature id i is row i."""

    set_id: str
    codes: tuple[str, ...]
    names: tuple[str, ...]
    geometry: np.ndarray  # shapely polygons in EPSG:4326, one per code

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """West, south, east, north of every area together."""
        if not len(self.codes):
            return (np.nan, np.nan, np.nan, np.nan)
        west, south, east, north = shapely.total_bounds(self.geometry)
        return float(west), float(south), float(east), float(north)

    @staticmethod
    def of(frame: Any) -> Areas:
        """The areas of a frame in the standard shape (boundaries.load: code, name, set_id,
        geometry)."""
        set_id = str(frame["set_id"].iloc[0]) if len(frame) else ""
        return Areas(
            set_id,
            tuple(str(c) for c in frame["code"]),
            tuple(str(n) for n in frame["name"]),
            np.asarray(frame.geometry.to_numpy(), dtype=object),
        )
