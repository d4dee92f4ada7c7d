"""Hex maps over HTTP: tilesets, TileJSON and style, the GeoJSON of the hexagons and the
HexJSON with values, checked against the shipped layout and the area API."""

import json
from pathlib import Path

import pytest

from tests.server.conftest import LAD

HEX = f"{LAD}.hex"
QUERY = {"variant": "current-prices", "level": "lad", "year": "2019"}
LAYOUT = Path("boundaries/data/hex/uk-local-authority-districts-2023.hexjson")


def test_a_hex_tileset_is_served_like_every_other(client) -> None:
    body = client.get(f"/api/tilesets/{HEX}").json()
    assert body["geometry"] == "hex" and body["twin"] == LAD and body["layout"]["id"] == "lad-2023"
    assert body["tiles"].endswith(f"/tiles/{HEX}/{{z}}/{{x}}/{{y}}.pbf")
    assert body["frame"]["crs"] == "EPSG:3857" and body["frame"]["radius_m"] == 10000
    assert body["missing"] == []
    assert body["breaks"] == client.get(f"/api/tilesets/{LAD}").json()["breaks"]
    assert "Open Innovations" in body["attribution"]
    west, south, east, north = body["bounds"]
    assert 0 < west < east < 6 and 0 < south < north < 6  # near Null Island, as documented
    assert client.get(f"/api/tilesets/{LAD}").json()["twin"] == HEX
    tilejson = client.get(f"/tiles/{HEX}.json").json()
    assert [v["id"] for v in tilejson["vector_layers"]] == ["lad", "labels", "regions"]
    style = client.get(f"/styles/{HEX}.json").json()
    assert [layer["id"] for layer in style["layers"]][-2:] == ["hex-regions", "hex-labels"]
    tile = client.get(f"/tiles/{HEX}/6/32/31.pbf")
    assert tile.status_code == 200 and tile.headers["content-type"].startswith(
        "application/vnd.mapbox-vector-tile"
    )
    assert client.get(f"/tiles/{HEX}/2/2/1.pbf").status_code == 404  # below minzoom 3
    only = client.get("/api/tilesets", params={"geometry": "hex", "year": "2019"}).json()
    assert only["tilesets"] and all(t["id"].endswith(".hex") for t in only["tilesets"])
    levels = {
        lv["id"]: lv
        for i in client.get("/api/catalogue").json()["indicators"]
        if i["id"] == "gdp-per-head"
        for lv in i["levels"]
    }
    assert 2019 in levels["lad"]["hex_years"] and levels["rgn"]["hex_years"] == []
    assert 2019 in levels["lad"]["mapped_years"]


def test_hexjson_is_the_layout_with_the_areas_values(client) -> None:
    shipped = json.loads(LAYOUT.read_text())
    body = client.get("/api/indicators/gdp-per-head/data.hexjson", params=QUERY)
    assert body.status_code == 200 and "attachment" in body.headers["content-disposition"]
    data = body.json()
    assert data["layout"] == shipped["layout"]
    assert set(data["hexes"]) == set(shipped["hexes"])
    for key, hexagon in shipped["hexes"].items():
        assert (data["hexes"][key]["q"], data["hexes"][key]["r"]) == (hexagon["q"], hexagon["r"])
    legend = client.get(f"/api/tilesets/{HEX}").json()["legend"]
    colours = {c["class"]: c["color"] for c in legend["classes"]}
    for code in ("E08000035", "E06000001", "W06000015", "S12000049", "N09000003"):
        area = client.get(f"/api/areas/{code}", params={"level": "lad"}).json()
        series = next(
            s
            for s in area["series"]
            if s["indicator"] == "gdp-per-head" and s["variant"] == "current-prices"
        )
        expected = next(v for v in series["values"] if v["year"] == 2019)
        hexagon = data["hexes"][code]
        assert hexagon["value"] == expected["value"] and hexagon["rank"] == expected["rank"]
        assert hexagon["colour"] == colours[hexagon["class"]]


def test_hexes_geojson_tiles_the_plane_without_gaps(client) -> None:
    body = client.get("/api/indicators/gdp-per-head/hexes.geojson", params=QUERY)
    assert body.headers["content-type"].startswith("application/geo+json")
    features = body.json()["features"]
    assert len(features) == 361
    corners = {
        f["properties"]["hex"]: {tuple(p) for p in f["geometry"]["coordinates"][0]}
        for f in features
    }
    where = {f["properties"]["hex"]: (f["properties"]["q"], f["properties"]["r"]) for f in features}
    at = {v: k for k, v in where.items()}
    shared = 0
    for key, (q, r) in where.items():
        right = at.get((q + 1, r))  # the neighbour east in the same row shares one edge
        if right:
            assert len(corners[key] & corners[right]) == 2, (key, right)
            shared += 1
    assert shared > 250


@pytest.mark.parametrize(
    "query, status, text",
    [
        ({**QUERY, "level": "rgn"}, 404, "/api/hexmaps"),
        ({**QUERY, "year": "1066"}, 400, "year"),
        ({**QUERY, "colour": "red"}, 400, "unknown parameter"),
    ],
)
def test_hex_extracts_refuse_what_has_no_hex_map(client, query, status, text) -> None:
    answer = client.get("/api/indicators/gdp-per-head/data.hexjson", params=query)
    assert answer.status_code == status and text in answer.json()["error"]["message"]


def test_hexmaps_lists_layouts_frame_and_sets(client) -> None:
    body = client.get("/api/hexmaps").json()
    layouts = {x["id"]: x for x in body["layouts"]}
    assert set(layouts) == {"lad-2019", "lad-2021", "lad-2023", "nuts3-2013"}
    assert layouts["lad-2023"]["hexes"] == 361 and layouts["lad-2023"]["licence"] == "MIT licence"
    assert "ltla-2023" in {s["set_id"] for s in layouts["lad-2023"]["sets"]}
    assert body["frame"]["origin_m"] == [150000.0, 100000.0]
