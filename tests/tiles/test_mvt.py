import math

import mapbox_vector_tile
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tiles.mvt import (
    EncodedFeature,
    encode_layer,
    encode_polygon,
    encode_polygons,
    encode_properties,
    encode_tile,
    varint,
    varints,
    zigzag,
)

KEYS = ["code", "name", "value", "class"]


def _decode(features, keys=KEYS):
    index = {k: i for i, k in enumerate(keys)}
    layer = encode_layer(
        "lad", [(f.static, encode_properties(p, index)) for f, p in features], keys
    )
    return mapbox_vector_tile.decode(encode_tile([layer]), default_options={"y_coord_down": True})


def _signed_area(ring) -> float:
    r = np.asarray(ring, dtype=float)
    return 0.5 * float(np.sum(r[:-1, 0] * r[1:, 1] - r[1:, 0] * r[:-1, 1]))


@given(st.lists(st.integers(0, 2**32 - 1), max_size=50))
def test_vectorised_varints_match_the_scalar_encoder(values) -> None:
    assert varints(np.array(values, dtype=np.uint64)) == b"".join(varint(v) for v in values)


@given(st.lists(st.integers(-(2**31), 2**31 - 1), min_size=1, max_size=50))
def test_zigzag_round_trip(values) -> None:
    encoded = zigzag(np.array(values))
    decoded = (encoded >> np.uint64(1)).astype(np.int64) ^ -(encoded & np.uint64(1)).astype(
        np.int64
    )
    assert decoded.tolist() == values


@st.composite
def boxes(draw):
    x = draw(st.integers(-64, 4000))
    y = draw(st.integers(-64, 4000))
    w = draw(st.integers(4, 500))
    h = draw(st.integers(4, 500))
    return x, y, w, h


@given(st.lists(boxes(), min_size=1, max_size=6), st.integers(0, 2**20))
def test_polygon_with_hole_round_trips_through_an_independent_decoder(shapes, fid) -> None:
    parts = []
    for x, y, w, h in shapes:
        exterior = np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]])
        hole = np.array(
            [
                [x + 1, y + 1],
                [x + 1, y + h - 1],
                [x + w - 1, y + h - 1],
                [x + w - 1, y + 1],
                [x + 1, y + 1],
            ]
        )
        parts += [exterior, hole]
    feature = EncodedFeature.of(fid, encode_polygon(parts))
    decoded = _decode([(feature, {"code": "E1", "name": "x", "value": 1.0, "class": 0})])
    out = decoded["lad"]["features"][0]
    assert out["id"] == fid
    coordinates = out["geometry"]["coordinates"]
    polygons = coordinates if out["geometry"]["type"] == "MultiPolygon" else [coordinates]
    assert len(polygons) == len(shapes)
    for polygon, (x, y, _w, _h) in zip(polygons, shapes, strict=True):
        assert polygon[0][0] == [x, y] and len(polygon) == 2
        assert _signed_area(polygon[0]) > 0 > _signed_area(polygon[1])


def test_batch_encoder_equals_one_at_a_time() -> None:
    a = np.array([[0, 0], [5, 0], [5, 5], [0, 5]])
    b = np.array([[10, 10], [20, 10], [20, 20], [20, 20], [10, 20]])  # repeated point
    c = np.array([[1, 1], [2, 2], [2, 2]])  # collapses to two points: skipped
    coords = np.vstack([a, b, c])
    batch = encode_polygons(coords, np.array([4, 5, 3]), np.array([0, 1, 1]), 2)
    assert batch == [encode_polygon([a]), encode_polygon([b])]


def test_property_types_are_preserved() -> None:
    feature = EncodedFeature.of(1, encode_polygon([np.array([[0, 0], [9, 0], [9, 9], [0, 9]])]))
    props = {
        "code": "E06000001",
        "name": "Hartlepool",
        "value": 25821.5,
        "class": 3,
        "rank": -2,
        "flag": True,
        "none": None,
    }
    decoded = _decode([(feature, props)], list(props))["lad"]["features"][0]["properties"]
    assert decoded == {k: v for k, v in props.items() if v is not None}
    assert isinstance(decoded["value"], float) and isinstance(decoded["class"], int)


def test_non_finite_numbers_are_refused() -> None:
    with pytest.raises(ValueError):
        encode_properties({"value": math.inf}, {"value": 0})
