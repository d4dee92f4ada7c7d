import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess

import shapely
from shapely.geometry import shape
from starlette.testclient import TestClient

from levelup.settings import Settings
from server.app import create_app

GEOJSON = "/api/indicators/gdp-per-head/data.geojson"


def test_geojson_is_rfc7946_with_every_area_and_typed_values(client, data_dir) -> None:
    response = client.get(GEOJSON, params={"level": "lad", "year": "2019"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection" and "crs" not in body
    features = body["features"]
    assert len(features) == 361  # every district of the set, valued or not
    leeds = next(f for f in features if f["properties"]["code"] == "E08000035")
    expected = (
        sqlite3.connect(data_dir / "levelup.db")
        .execute(
            "SELECT value FROM observations WHERE indicator='gdp-per-head' AND variant="
            "'current-prices' AND level='lad' AND code='E08000035' AND year=2019"
        )
        .fetchone()[0]
    )
    props = leeds["properties"]
    assert props["value"] == expected and isinstance(props["class"], int)
    assert props["year"] == 2019 and props["period"] == "2019" and props["unit"] == "£"
    geometry = shape(leeds["geometry"])
    assert geometry.is_valid and geometry.contains(shapely.Point(-1.5491, 53.8008))
    ring = (
        leeds["geometry"]["coordinates"][0]
        if leeds["geometry"]["type"] == "Polygon"
        else leeds["geometry"]["coordinates"][0][0]
    )
    assert shapely.LinearRing(ring).is_ccw  # right-hand rule
    assert all(len(str(c).split(".")[-1]) <= 5 for c in ring[0])  # about 1 m precision


def test_bbox_and_codes_filters(client) -> None:
    yorkshire = client.get(GEOJSON, params={"level": "lad", "bbox": "-1.6,53.7,-1.4,53.9"}).json()
    codes = {f["properties"]["code"] for f in yorkshire["features"]}
    assert "E08000035" in codes and len(codes) < 20
    two = client.get(GEOJSON, params={"level": "lad", "codes": "E08000035,E06000001"}).json()
    assert {f["properties"]["code"] for f in two["features"]} == {"E08000035", "E06000001"}


def test_defaults_are_the_first_variant_level_and_latest_year(client) -> None:
    body = client.get(GEOJSON, params={"codes": "E08000035"}).json()
    props = body["features"][0]["properties"]
    assert (props["variant"], props["level"], props["year"]) == ("current-prices", "lad", 2023)


def test_bad_parameters_are_400_naming_the_parameter(client) -> None:
    for params, word in (
        (({"level": "nope"}), "level"),
        ({"year": "1066"}, "year"),
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "5,5,1,1"}, "bbox"),
        ({"codes": "E0800003;DROP"}, "codes"),
        ({"variant": "x"}, "variant"),
    ):
        response = client.get(GEOJSON, params=params)
        assert response.status_code == 400, params
        assert word in response.json()["error"]["message"]


def test_feature_limit_is_a_clear_413(data_dir) -> None:
    small = TestClient(create_app(Settings(data_dir=data_dir, extract_feature_limit=10)))
    response = small.get(GEOJSON, params={"level": "lad"})
    assert response.status_code == 413
    assert "limit is 10" in response.json()["error"]["message"]
    assert small.get(GEOJSON, params={"level": "lad", "codes": "E08000035"}).status_code == 200


def test_csv_across_years(client, data_dir) -> None:
    response = client.get(
        "/api/indicators/gdp-per-head/data.csv",
        params={"level": "lad", "codes": "E08000035", "years": "2010-2012"},
    )
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["year"] for r in rows] == ["2010", "2011", "2012"]
    assert rows[0]["name"] == "Leeds" and rows[0]["unit"] == "£"
    assert float(rows[0]["value"]) > 0
    everything = list(
        csv.DictReader(
            io.StringIO(
                client.get("/api/indicators/gdp-per-head/data.csv", params={"level": "lad"}).text
            )
        )
    )
    assert len(everything) == 361 * 26


def test_gdal_reads_the_geojson_extract(client, tmp_path) -> None:
    ogrinfo = shutil.which("ogrinfo")
    assert ogrinfo, "ogrinfo (Debian gdal-bin) is required: run `make test`"
    path = tmp_path / "extract.geojson"
    path.write_bytes(client.get(GEOJSON, params={"level": "lad", "year": "2019"}).content)
    out = subprocess.run(
        [ogrinfo, "-ro", "-so", "-al", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "Feature Count: 361" in out and "value: Real" in out and "code: String" in out
    assert json.loads(path.read_text())["features"][0]["type"] == "Feature"


def test_geojson_head_and_range_requests_for_gdal_vsicurl(client, live_server) -> None:
    url = GEOJSON + "?level=lad&year=2019"
    plain = {"Accept-Encoding": "identity"}  # what GDAL's /vsicurl/ sends (no Accept-Encoding)
    full = client.get(url, headers=plain).content
    head = client.head(url, headers=plain)
    assert head.status_code == 200 and int(head.headers["content-length"]) == len(full)
    assert head.headers["accept-ranges"] == "bytes" and head.content == b""
    packed = client.head(url, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip"
    assert int(packed.headers["content-length"]) < len(full) / 2
    for headers in (plain, {"Accept-Encoding": "gzip"}):  # ranges: always of the plain bytes
        part = client.get(url, headers={**headers, "Range": "bytes=10-99"})
        assert part.status_code == 206 and part.content == full[10:100]
        assert part.headers["content-range"] == f"bytes 10-99/{len(full)}"
        assert "content-encoding" not in part.headers
    ogrinfo = shutil.which("ogrinfo")
    assert ogrinfo, "ogrinfo (Debian gdal-bin) is required: run `make test`"
    read = subprocess.run(  # GDAL reads it over HTTP with HEAD and Range requests
        [ogrinfo, "-ro", "-so", "-al", f"/vsicurl/{live_server}{url}"],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_PROXY": "127.0.0.1"},
    )
    assert read.returncode == 0, read.stderr
    assert "Feature Count: 361" in read.stdout and "value: Real" in read.stdout, read.stdout


def test_unknown_parameters_and_empty_year_ranges_are_400(client) -> None:
    wrong = client.get("/api/indicators/gdp-per-head/data.csv", params={"year": "2019"})
    assert wrong.status_code == 400 and "'year'" in wrong.json()["error"]["message"]
    assert "years" in wrong.json()["error"]["message"]
    empty = client.get("/api/indicators/gdp-per-head/data.csv", params={"years": "1800"})
    assert empty.status_code == 400 and "1998" in empty.json()["error"]["message"]
    assert client.get(GEOJSON, params={"_": "123", "codes": "E08000035"}).status_code == 200
