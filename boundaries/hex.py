"""Hex cartograms: HexJSON layouts, the fixed frame their hexagons are drawn in, and which hex
each area of a boundary set is drawn on.

The frame (documented in the README) puts every layout in Web Mercator (EPSG:3857) metres near
Null Island, where no real map is, so no one mistakes it for geography. Hexagons are
pointy-topped with a circumradius of `RADIUS_M` metres; the hex at column q, row r of an
"odd-r" layout (odd rows shifted right by half a hex) or an "even-r" one (even rows shifted)
has its centre at x = X0 + √3·R·(q + shift), y = Y0 + 1.5·R·r, rows counting northwards as
in HexJSON, with (X0, Y0) = `ORIGIN_M`: every shipped layout then lies inside one zoom-6 tile
(0 to 626 km east and north of Null Island), so low zooms need one tile each.
Pure Python (no geometry libraries): the server, the pipeline and the tile build share it.
"""

from __future__ import annotations

import csv
import json
import math
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from boundaries.registry import DATA_DIR, PACKAGE_DIR
from levelup.errors import CatalogueError, UnreadableFileError

HEXES_TOML = PACKAGE_DIR / "hexes.toml"
RADIUS_M = 10_000.0  # circumradius of every hexagon in the frame (EPSG:3857 metres)
ORIGIN_M = (150_000.0, 100_000.0)  # where hex (0, 0) of an "even-r" layout is centred
EARTH_RADIUS = 6378137.0
LAYOUTS = ("odd-r", "even-r")
MIN_SHARE = 0.9  # a layout is offered for a set only when it places this share of its areas


@dataclass(frozen=True, slots=True)
class Hex:
    """One hexagon of a layout: its key (an area code), name, column and row, and region."""

    id: str
    name: str
    q: int
    r: int
    region: str
    short: str = ""


@dataclass(frozen=True, slots=True)
class HexLayout:
    """A HexJSON layout of one geography level."""

    id: str
    level: str
    title: str
    file: str
    layout: str
    hexes: tuple[Hex, ...]

    def by_id(self) -> dict[str, Hex]:
        """Hexes keyed by their id."""
        return {h.id: h for h in self.hexes}


def centre(q: int, r: int, layout: str) -> tuple[float, float]:
    """The centre of hex (q, r) in the frame, EPSG:3857 metres."""
    odd = r % 2 != 0
    shift = 0.5 if (odd if layout == "odd-r" else not odd) else 0.0
    return ORIGIN_M[0] + math.sqrt(3) * RADIUS_M * (q + shift), ORIGIN_M[1] + 1.5 * RADIUS_M * r


def to_lonlat(x: float, y: float) -> tuple[float, float]:
    """EPSG:3857 metres to longitude and latitude (degrees)."""
    lon = math.degrees(x / EARTH_RADIUS)
    lat = math.degrees(math.atan(math.sinh(y / EARTH_RADIUS)))
    return lon, lat


def corners(q: int, r: int, layout: str) -> list[tuple[float, float]]:
    """The six corners of hex (q, r), EPSG:3857 metres, anticlockwise from the east-north-east
    corner, with the first repeated at the end (a closed ring)."""
    x, y = centre(q, r, layout)
    points = [
        (
            x + RADIUS_M * math.cos(math.radians(30 + 60 * k)),
            y + RADIUS_M * math.sin(math.radians(30 + 60 * k)),
        )
        for k in range(6)
    ]
    return [*points, points[0]]


def ring_lonlat(q: int, r: int, layout: str, decimals: int = 7) -> list[list[float]]:
    """The closed ring of hex (q, r) in longitude and latitude (RFC 7946 anticlockwise)."""
    # (+ 0.0 turns -0.0 into 0.0)
    return [[round(v, decimals) + 0.0 for v in to_lonlat(x, y)] for x, y in corners(q, r, layout)]


def _hexes(path: Path, raw: object) -> tuple[str, list[Hex]]:
    if not isinstance(raw, dict) or not isinstance(raw.get("hexes"), dict):
        raise UnreadableFileError("not HexJSON: no 'hexes' object", path=path)
    layout = raw.get("layout")
    if layout not in LAYOUTS:
        raise UnreadableFileError(
            f"layout {layout!r} is not supported (only {', '.join(LAYOUTS)})", path=path
        )
    out = []
    for key, entry in raw["hexes"].items():
        if not isinstance(entry, dict):
            raise UnreadableFileError(f"hex {key!r} is not an object", path=path)
        for field in ("q", "r"):
            if not isinstance(entry.get(field), int):
                raise UnreadableFileError(
                    f"hex {key!r}: {field!r} must be an integer", path=path, column=field
                )
        name = str(entry.get("n") or key)
        short = str(entry.get("short") or "")
        out.append(Hex(key, name, entry["q"], entry["r"], str(entry.get("region") or ""), short))
    places = [(h.q, h.r) for h in out]
    if len(set(places)) != len(places):
        raise UnreadableFileError("two hexes share one position (q, r)", path=path)
    return str(layout), out


def _lookup(spec: list[str]) -> dict[str, str]:
    file, code, region = spec
    path = DATA_DIR / file
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return {row[code]: row[region] for row in csv.DictReader(handle) if row.get(region)}


def load_layouts(path: Path = HEXES_TOML, data_dir: Path = DATA_DIR) -> list[HexLayout]:
    """Every layout in hexes.toml, each hex with its region."""
    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8"))["layout"]
    except (OSError, KeyError, tomllib.TOMLDecodeError) as exc:
        raise CatalogueError(f"{path}: {exc}") from exc
    read: list[tuple[dict[str, Any], str, list[Hex]]] = []
    for entry in entries:
        file = data_dir / str(entry["file"])
        try:
            raw = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UnreadableFileError(f"cannot read HexJSON: {exc}", path=file) from exc
        layout, hexes = _hexes(file, raw)
        read.append((entry, layout, hexes))
    known: dict[tuple[str, str], str] = {}
    for entry, _, hexes in read:
        for h in hexes:
            if h.region:
                known.setdefault((str(entry["level"]), h.id), h.region)
    layouts = []
    for entry, layout, hexes in read:
        level = str(entry["level"])
        lookup = _lookup(list(entry["region_lookup"])) if "region_lookup" in entry else {}
        filled = []
        for h in hexes:
            region = h.region
            if entry.get("regions") == "nuts1":
                region = h.id[:3]
            region = region or known.get((level, h.id)) or lookup.get(h.id, "")
            if not region:
                raise CatalogueError(f"{entry['file']}: hex {h.id!r} has no region")
            filled.append(Hex(h.id, h.name, h.q, h.r, region, h.short))
        layouts.append(
            HexLayout(
                str(entry["id"]),
                level,
                str(entry["title"]),
                str(entry["file"]),
                layout,
                tuple(filled),
            )
        )
    return layouts


@cache
def default_layouts() -> tuple[HexLayout, ...]:
    """The shipped layouts (read once)."""
    return tuple(load_layouts())


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one area of a set is drawn: its hexes (none: it is listed as missing) and how."""

    code: str
    hexes: tuple[str, ...]
    how: str


@dataclass(frozen=True, slots=True)
class Assignment:
    """A set's areas on one layout."""

    layout: HexLayout
    placements: tuple[Placement, ...]

    @property
    def placed(self) -> int:
        """Areas drawn on at least one hex."""
        return sum(1 for p in self.placements if p.hexes)

    @property
    def share(self) -> float:
        """Share of the set's areas drawn."""
        return self.placed / len(self.placements) if self.placements else 0.0

    @property
    def offered(self) -> bool:
        """Whether the layout places enough of the set to be shown as its hex map."""
        return self.share >= MIN_SHARE


def assign(
    codes: Iterable[str],
    layout: HexLayout,
    equivalents: Callable[[str], Iterable[str]],
    predecessors: Callable[[str], Iterable[str]],
) -> Assignment:
    """Place every code on the layout: on its own hex, on the hex of an equivalent code (a
    1:1 recode), or, for an area formed by merging others, on its predecessors' hexes when no
    other area of the set has them. Codes left over are kept with no hex and the reason."""
    hexes = layout.by_id()
    codes = list(codes)
    wanted = set(codes)
    taken: set[str] = set()
    direct: dict[str, tuple[str, str]] = {}
    for code in codes:
        if code in hexes:
            direct[code] = (code, "own hex")
        else:
            same = sorted(e for e in equivalents(code) if e in hexes and e not in wanted)
            if same:
                direct[code] = (same[0], f"hex of {same[0]} (the same area, recoded)")
    taken = {h for h, _ in direct.values()}
    out = []
    for code in codes:
        if code in direct:
            out.append(Placement(code, (direct[code][0],), direct[code][1]))
            continue
        parts = sorted(p for p in predecessors(code) if p in hexes and p not in wanted)
        if parts and not taken.intersection(parts):
            taken.update(parts)
            names = ", ".join(hexes[p].name for p in parts)
            out.append(
                Placement(code, tuple(parts), f"hexes of the areas it was formed from: {names}")
            )
        else:
            out.append(Placement(code, (), f"no hex in the {layout.title} layout"))
    return Assignment(layout, tuple(out))


def best_layout(
    codes: list[str],
    level: str,
    layouts: Iterable[HexLayout],
    equivalents: Callable[[str], Iterable[str]],
    predecessors: Callable[[str], Iterable[str]],
) -> Assignment | None:
    """The layout of this level placing most of the codes (ties: the one listed first in
    hexes.toml, the newest), or None when the level has none. It is worth drawing only when
    it places `MIN_SHARE` of them (`Assignment.offered`)."""
    best: Assignment | None = None
    for layout in layouts:
        if layout.level != level:
            continue
        found = assign(codes, layout, equivalents, predecessors)
        if best is None or found.placed > best.placed:
            best = found
    return best
