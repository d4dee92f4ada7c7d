"""Mapbox Vector Tile 2.1 encoding: pure functions from integers, strings and numbers to bytes.

The geometry of a feature is encoded once (`encode_polygon`) and reused; a layer is then
assembled from pre-encoded geometries and per-tileset properties (`encode_layer`). Field
numbers follow vector_tile.proto: Tile.layers=3; Layer.version=15, name=1, features=2,
keys=3, values=4, extent=5; Feature.id=1, tags=2, type=3, geometry=4.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

POINT, POLYGON = 1, 3
MOVE_TO, LINE_TO, CLOSE_PATH = 1, 2, 7
EXTENT = 4096

PropertyValue = str | int | float | bool | None


def _varint_slow(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


_SMALL = [_varint_slow(i) for i in range(1 << 14)]


def varint(value: int) -> bytes:
    """Protobuf base-128 varint of a non-negative integer."""
    return _SMALL[value] if value < 16384 else _varint_slow(value)


def _varint_lengths(values: np.ndarray) -> np.ndarray:
    lengths = np.ones(values.size, dtype=np.int64)
    for shift in (7, 14, 21, 28, 35, 42, 49, 56):
        lengths += values >= np.uint64(1 << shift)
    return lengths


def varints(values: np.ndarray) -> bytes:
    """Packed varints of an array of unsigned integers (vectorised)."""
    return _varints_with_lengths(values.astype(np.uint64))[0]


def _varints_with_lengths(v: np.ndarray) -> tuple[bytes, np.ndarray]:
    if v.size == 0:
        return b"", np.zeros(0, dtype=np.int64)
    lengths = _varint_lengths(v)
    out = np.empty(int(lengths.sum()), dtype=np.uint8)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    for byte in range(int(lengths.max())):
        live = lengths > byte
        chunk = (v[live] >> np.uint64(7 * byte)) & np.uint64(0x7F)
        more = (lengths[live] > byte + 1).astype(np.uint64) << np.uint64(7)
        out[starts[live] + byte] = (chunk | more).astype(np.uint8)
    return out.tobytes(), lengths


def zigzag(values: np.ndarray) -> np.ndarray:
    """Zigzag-encode signed integers so small magnitudes give small varints."""
    v = values.astype(np.int64)
    return ((v << 1) ^ (v >> 63)).astype(np.uint64)


def command(cmd: int, count: int) -> int:
    """A geometry command integer."""
    return (count << 3) | cmd


def encode_polygon(rings: Sequence[np.ndarray]) -> bytes:
    """Packed geometry commands for one polygon's rings, already in tile coordinates.

    Each ring is an (n, 2) integer array, closed or not, in the right winding order
    (exterior rings positive area in tile coordinates, holes negative).
    """
    prepared = []
    for ring in rings:
        points = np.asarray(ring, dtype=np.int64).reshape(-1, 2)
        if len(points) > 1 and (points[0] == points[-1]).all():
            points = points[:-1]
        prepared.append(points)
    if not prepared:
        return b""
    lengths = np.array([len(p) for p in prepared], dtype=np.int64)
    coords = np.vstack(prepared) if prepared else np.zeros((0, 2), dtype=np.int64)
    return encode_polygons(coords, lengths, np.zeros(len(prepared), dtype=np.int64), 1)[0]


def encode_polygons(
    coords: np.ndarray, ring_lengths: np.ndarray, ring_feature: np.ndarray, features: int
) -> list[bytes]:
    """Geometry commands for many polygons at once (vectorised).

    `coords` holds every ring's points (no closing point) ring after ring; `ring_lengths`
    gives the points per ring and `ring_feature` the feature each ring belongs to (rings of
    a feature are consecutive, features in order). Consecutive repeated points are dropped
    and rings left with fewer than three points are skipped. Returns bytes per feature.
    """
    coords = np.asarray(coords, dtype=np.int64).reshape(-1, 2)
    ring_lengths = np.asarray(ring_lengths, dtype=np.int64)
    ring_feature = np.asarray(ring_feature, dtype=np.int64)
    point_ring = np.repeat(np.arange(len(ring_lengths)), ring_lengths)
    keep = np.ones(len(coords), dtype=bool)
    if len(coords) > 1:
        same_ring = point_ring[1:] == point_ring[:-1]
        keep[1:] = ~(same_ring & (coords[1:] == coords[:-1]).all(axis=1))
    coords, point_ring = coords[keep], point_ring[keep]
    ring_lengths = np.bincount(point_ring, minlength=len(ring_lengths))
    good_ring = ring_lengths >= 3
    keep_points = good_ring[point_ring]
    coords, point_ring = coords[keep_points], point_ring[keep_points]
    ring_lengths, ring_feature = ring_lengths[good_ring], ring_feature[good_ring]
    if len(ring_lengths) == 0:
        return [b""] * features
    point_ring = np.repeat(np.arange(len(ring_lengths)), ring_lengths)
    point_feature = ring_feature[point_ring]
    previous = np.zeros_like(coords)
    previous[1:] = coords[:-1]
    first_of_feature = np.ones(len(coords), dtype=bool)
    first_of_feature[1:] = point_feature[1:] != point_feature[:-1]
    previous[first_of_feature] = 0
    encoded = zigzag(coords - previous)
    ring_ints = 2 * ring_lengths + 3
    ring_start = np.concatenate(([0], np.cumsum(ring_ints)[:-1]))
    stream = np.empty(int(ring_ints.sum()), dtype=np.uint64)
    stream[ring_start] = command(MOVE_TO, 1)
    stream[ring_start + 3] = (ring_lengths - 1).astype(np.uint64) << np.uint64(3) | np.uint64(
        LINE_TO
    )
    stream[ring_start + ring_ints - 1] = command(CLOSE_PATH, 1)
    first_point = np.concatenate(([0], np.cumsum(ring_lengths)[:-1]))
    local = np.arange(len(coords)) - first_point[point_ring]
    position = ring_start[point_ring] + np.where(local == 0, 1, 4 + 2 * (local - 1))
    stream[position] = encoded[:, 0]
    stream[position + 1] = encoded[:, 1]
    data, lengths = _varints_with_lengths(stream)
    byte_end = np.cumsum(lengths)
    feature_ints = np.bincount(ring_feature, weights=ring_ints, minlength=features).astype(int)
    int_end = np.cumsum(feature_ints)
    out, start = [], 0
    for end_int in int_end:
        end = int(byte_end[end_int - 1]) if end_int > 0 else 0
        out.append(data[start:end])
        start = end
    return out


def _key(field: int, wire: int) -> bytes:
    return varint((field << 3) | wire)


_LENGTH_KEYS = [_varint_slow((field << 3) | 2) for field in range(16)]


def _delimited(field: int, payload: bytes) -> bytes:
    size = len(payload)
    return _LENGTH_KEYS[field] + (_SMALL[size] if size < 16384 else _varint_slow(size)) + payload


def encode_value(value: str | int | float | bool) -> bytes:
    """A Tile.Value message: string, double, sint or uint, or bool."""
    if isinstance(value, bool):
        return _key(7, 0) + varint(int(value))
    if isinstance(value, int):
        if value >= 0:
            return _key(5, 0) + varint(value)
        return _key(6, 0) + varint(int(zigzag(np.array([value]))[0]))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot encode non-finite number {value!r}")
        return _key(3, 1) + struct.pack("<d", value)
    return _key(1, 2) + varint(len(value.encode())) + value.encode()


@dataclass(frozen=True, slots=True)
class EncodedFeature:
    """A feature's id and pre-encoded geometry, reused for every tileset on its boundary set."""

    fid: int
    geometry: bytes
    static: bytes = b""

    @staticmethod
    def of(fid: int, geometry: bytes) -> EncodedFeature:
        """Build a feature and pre-encode its fixed fields (id, type, geometry)."""
        static = _key(1, 0) + varint(fid) + _key(3, 0) + varint(POLYGON) + _delimited(4, geometry)
        return EncodedFeature(fid, geometry, static)


def encode_point_feature(fid: int, x: int, y: int) -> bytes:
    """The fixed fields (id, type, geometry) of a one-point feature at tile coordinates x, y."""
    geometry = varint(command(MOVE_TO, 1)) + varints(zigzag(np.array([x, y])))
    return _key(1, 0) + varint(fid) + _key(3, 0) + varint(POINT) + _delimited(4, geometry)


EncodedProperties = Sequence[tuple[int, bytes]]


def encode_properties(
    properties: Mapping[str, PropertyValue], key_index: Mapping[str, int]
) -> list[tuple[int, bytes]]:
    """(key index, encoded Value) pairs for one feature; None values are left out."""
    return [(key_index[k], encode_value(v)) for k, v in properties.items() if v is not None]


class LayerEncoder:
    """Encodes the layer of every tile of one tileset: the layer header, key table and each
    area's tags are prepared once, so a tile only numbers its distinct values and joins bytes.

    `properties[fid]` holds an area's (key index, encoded Value) pairs; the output equals
    `encode_layer` for the same features, byte for byte.
    """

    def __init__(
        self,
        name: str,
        keys: Sequence[str],
        properties: Sequence[EncodedProperties],
        extent: int = EXTENT,
    ) -> None:
        self.header = _key(15, 0) + varint(2) + _delimited(1, name.encode())
        self.footer = b"".join(_delimited(3, k.encode()) for k in keys)
        self.extent = _key(5, 0) + varint(extent)
        # each area's (encoded key, encoded value) pairs, and every value's Tile.Layer field
        self.tags = [tuple((varint(k), v) for k, v in p) for p in properties]
        self.fields = {v: _delimited(4, v) for p in properties for _, v in p}
        self._leads: dict[tuple[int, bytes], tuple[bytes, dict[bytes, bytes]]] = {}

    def _feature(self, feature: EncodedFeature, numbered: dict[bytes, bytes]) -> bytes:
        """One Tile.Feature, numbering its values after those `numbered` already holds."""
        tags = bytearray()
        small = _SMALL
        for key, value in self.tags[feature.fid]:
            index = numbered.get(value)
            if index is None:
                count = len(numbered)
                index = numbered[value] = small[count] if count < 16384 else varint(count)
            tags += key
            tags += index
        body = feature.static + (_delimited(2, bytes(tags)) if tags else b"")
        return _delimited(2, body)

    def _leading(self, feature: EncodedFeature) -> tuple[bytes, dict[bytes, bytes]]:
        """A tile's first feature and its values' numbering: the same in every tile it leads."""
        key = (feature.fid, feature.static)
        done = self._leads.get(key)
        if done is None:
            numbered: dict[bytes, bytes] = {}
            done = self._leads[key] = (self._feature(feature, numbered), numbered)
        return done

    def encode(self, features: Sequence[EncodedFeature]) -> bytes:
        """The Tile.Layer bytes for these features (in tile order)."""
        parts = [self.header]
        numbered: dict[bytes, bytes] = {}  # value -> its index in this tile, encoded
        if features:
            first, lead = self._leading(features[0])
            parts.append(first)
            numbered = dict(lead)
            parts.extend(self._feature(f, numbered) for f in features[1:])
        parts.append(self.footer)
        parts.extend(map(self.fields.__getitem__, numbered))
        parts.append(self.extent)
        return b"".join(parts)


def encode_layer(
    name: str,
    features: Sequence[tuple[bytes, EncodedProperties]],
    keys: Sequence[str],
    extent: int = EXTENT,
) -> bytes:
    """A Tile.Layer from (static feature bytes, encoded properties) pairs.

    `keys` fixes the key table (the same for every tile of a tileset); identical values are
    stored once per tile.
    """
    encoder = LayerEncoder(name, keys, [p for _, p in features], extent)
    return encoder.encode([EncodedFeature(i, b"", s) for i, (s, _) in enumerate(features)])


def encode_tile(layers: Sequence[bytes]) -> bytes:
    """A Tile message from encoded layers."""
    return b"".join(_delimited(3, layer) for layer in layers)
