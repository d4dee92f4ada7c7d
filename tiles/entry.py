"""A tileset's identity and its manifest entry: the one definition the tile build writes and the
server, the static export and the tests read. Pure standard library (the server imports it)."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, NamedTuple

from levelup.errors import StoreError
from levelup.ids import SLUG_PATTERN

TILESET_ID = re.compile(
    rf"^({SLUG_PATTERN})\.({SLUG_PATTERN})\.([a-z0-9]+)\.(\d{{4}})(?:\.(hex))?$"
)
HEX = "hex"  # the geometry of a hex cartogram tileset (boundaries/hex.py)
# The layers a hex tileset has besides the data layer (tiles/hexes.py writes them).
HEX_LAYERS = (
    {
        "id": "labels",
        "description": "A point per area at its hex (the middle one of several)",
        "fields": {"code": "String", "name": "String", "short": "String"},
    },
    {
        "id": "regions",
        "description": "The layout's regions (English regions and the nations, or NUTS 1), "
        "to draw their outlines over the hexes",
        "fields": {"code": "String"},
    },
)


class ManifestError(StoreError):
    """The tiles manifest is missing, unreadable, or written by another version."""


class TilesetKey(NamedTuple):
    """Identity of a tileset; its id is 'indicator.variant.level.year', with '.hex' for the
    same data drawn on a hex cartogram."""

    indicator: str
    variant: str
    level: str
    year: int
    geometry: str = ""

    @property
    def id(self) -> str:
        """The tileset id used in file names and URLs."""
        base = f"{self.indicator}.{self.variant}.{self.level}.{self.year}"
        return f"{base}.{self.geometry}" if self.geometry else base

    @classmethod
    def parse(cls, tileset_id: str) -> TilesetKey:
        """Parse an id; ValueError when it is not a well-formed tileset id."""
        match = TILESET_ID.match(tileset_id)
        if match is None:
            raise ValueError(f"not a tileset id: {tileset_id!r}")
        return cls(match[1], match[2], match[3], int(match[4]), match[5] or "")


@dataclass(frozen=True, slots=True)
class TilesetEntry:
    """One tileset as the manifest lists it: identity, file, labels, zooms, sizes, digest.

    Field names are the JSON keys. `layout` and `missing` are written for hex twins only.
    """

    id: str
    indicator: str
    variant: str
    level: str
    year: int
    geometry: str
    set_id: str
    file: str
    name: str
    title: str
    variant_label: str
    level_label: str
    unit: str
    polarity: str
    decimals: int
    period: str
    breaks: tuple[float, ...]
    country_breaks: tuple[float, ...]
    valued: int
    attribution: str
    description: str
    minzoom: int
    maxzoom: int
    bounds: tuple[float, float, float, float]
    center: tuple[float, float, float]
    fields: dict[str, str]
    tiles: int
    unique_tiles: int
    bytes: int
    features: int
    hash: str
    layout: str = ""  # hex twins: the HexJSON layout
    missing: tuple[tuple[str, str, str], ...] = ()  # hex twins: (code, name, why) not drawn

    @property
    def key(self) -> TilesetKey:
        """The tileset's identity."""
        return TilesetKey(self.indicator, self.variant, self.level, self.year, self.geometry)

    @property
    def twin(self) -> str:
        """The id of the same data in the other geometry (map <-> hex)."""
        return self.id.removesuffix(".hex") if self.geometry else f"{self.id}.hex"

    def to_json(self) -> dict[str, Any]:
        """The manifest's JSON object (tuples as lists; hex-only keys on hex twins only)."""
        out: dict[str, Any] = {}
        for name in _NAMES:
            value = getattr(self, name)
            if name in _HEX_ONLY and not self.geometry:
                continue
            if name == "missing":
                value = [list(m) for m in value]
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, dict):
                value = dict(value)
            out[name] = value
        return out

    @classmethod
    def from_json(cls, raw: object, where: Path | str = "manifest") -> TilesetEntry:
        """Read a manifest object; ManifestError naming the entry and the keys that are
        missing, unknown or of the wrong type."""
        if not isinstance(raw, dict):
            raise ManifestError(f"{where}: a tileset entry is not an object")
        label = f"{where}: tileset {str(raw.get('id'))[:80]!r}"
        geometry = raw.get("geometry")
        wanted = set(_NAMES) if geometry else set(_NAMES) - _HEX_ONLY
        missing, unknown = sorted(wanted - raw.keys()), sorted(raw.keys() - wanted)
        if missing or unknown:
            parts = [f"missing {', '.join(missing)}"] if missing else []
            parts += [f"unknown {', '.join(unknown)}"] if unknown else []
            raise ManifestError(
                f"{label}: {'; '.join(parts)} (written by another levelup version? run "
                "'levelup build' again)"
            )
        try:
            entry = cls(
                **{name: _TYPES[name](raw[name]) for name in _NAMES if name in raw},
            )
        except (TypeError, ValueError, IndexError) as exc:
            raise ManifestError(f"{label}: a value of the wrong type ({exc})") from exc
        if entry.key.id != entry.id:
            raise ManifestError(f"{label}: the id does not match its indicator, level and year")
        return entry


def _floats(value: Any) -> tuple[float, ...]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list of numbers, got {value!r}")
    return tuple(map(float, value))


def _numbers(count: int) -> Any:
    def read(value: Any) -> tuple[float, ...]:
        out = _floats(value)
        if len(out) != count:
            raise ValueError(f"expected {count} numbers, got {value!r}")
        return out

    return read


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {value!r}")
    return value


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected a whole number, got {value!r}")
    return value


def _fields(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise TypeError(f"expected an object of field types, got {value!r}")
    return {_string(k): _string(v) for k, v in value.items()}


def _missing(value: Any) -> tuple[tuple[str, str, str], ...]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list of (code, name, why), got {value!r}")
    return tuple((_string(c), _string(n), _string(w)) for c, n, w in value)


_NAMES = tuple(f.name for f in fields(TilesetEntry))
_HEX_ONLY = {"layout", "missing"}
_READERS: dict[str, Any] = {"str": _string, "int": _integer, "tuple[float, ...]": _floats}
_TYPES: dict[str, Any] = {
    **{f.name: _READERS.get(str(f.type)) for f in fields(TilesetEntry)},
    "bounds": _numbers(4),
    "center": _numbers(3),
    "fields": _fields,
    "missing": _missing,
}
