import shutil
import sqlite3
import struct
import subprocess
import urllib.parse
from pathlib import Path
from xml.etree import ElementTree

import shapely
import shapely.geometry
from pmtiles.reader import MemorySource, Reader

from tests.server.conftest import LAD
from tiles.manifest import tileset_file


def test_mbtiles_download_is_the_file_and_gdal_opens_it(client, data_dir, tmp_path) -> None:
    response = client.get(f"/downloads/{LAD}.mbtiles")
    assert response.status_code == 200
    assert response.content == tileset_file(data_dir, LAD).read_bytes()
    assert f'filename="{LAD}.mbtiles"' in response.headers["content-disposition"]
    ogrinfo = shutil.which("ogrinfo")
    assert ogrinfo, "ogrinfo (Debian gdal-bin) is required: run `make test`"
    path = tmp_path / "download.mbtiles"
    path.write_bytes(response.content)
    out = subprocess.run(
        [ogrinfo, "-ro", "-so", "-oo", "ZOOM_LEVEL=4", str(path), "lad"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Layer name: lad" in out and "value: Real" in out


def test_pmtiles_download_round_trips_and_supports_ranges(client) -> None:
    response = client.get(f"/downloads/{LAD}.pmtiles")
    assert response.status_code == 200 and response.headers["accept-ranges"] == "bytes"
    reader = Reader(MemorySource(response.content))
    assert reader.header()["max_zoom"] == 10
    assert reader.metadata()["vector_layers"][0]["id"] == "lad"
    assert reader.get(5, 15, 10)[:2] == b"\x1f\x8b"
    head = client.get(f"/downloads/{LAD}.pmtiles", headers={"Range": "bytes=0-126"})
    assert head.status_code == 206 and head.content == response.content[:127]
    assert head.headers["content-range"] == f"bytes 0-126/{len(response.content)}"
    bad = client.get(f"/downloads/{LAD}.pmtiles", headers={"Range": "bytes=99999999-"})
    assert bad.status_code == 416


def test_downloads_of_unknown_tilesets_are_404(client) -> None:
    for url in (
        "/downloads/nope.mbtiles",
        "/downloads/..%2F..%2Fetc%2Fpasswd.mbtiles",
        "/downloads/../levelup.db",
        "/downloads/%2e%2e/levelup.db",
    ):
        response = client.get(url)
        assert response.status_code == 404, url


def test_malformed_ranges_are_400_other_units_ignored_unsatisfiable_ones_json_416(
    client,
) -> None:
    for kind in ("pmtiles", "mbtiles"):  # one implementation: the same answers for both
        url = f"/downloads/{LAD}.{kind}"
        size = len(client.get(url).content)
        for header in ("bytes=abc", "bytes=5-2", "bytes="):
            response = client.get(url, headers={"Range": header})
            assert response.status_code == 400, (kind, header)
            assert response.json()["error"]["status"] == 400
        other = client.get(url, headers={"Range": "items=0-10"})
        assert other.status_code == 200 and len(other.content) == size
        beyond = client.get(url, headers={"Range": f"bytes={size + 10}-"})
        assert beyond.status_code == 416 and beyond.json()["error"]["status"] == 416
        assert beyond.headers["content-range"] == f"bytes */{size}"


def test_downloads_answer_304_and_resume_only_the_same_copy(client, data_dir) -> None:
    for kind in ("pmtiles", "mbtiles"):
        url = f"/downloads/{LAD}.{kind}"
        whole = client.get(url)
        etag, modified = whole.headers["etag"], whole.headers["last-modified"]
        assert etag.startswith('"') and not etag.startswith("W/")
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
        assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
        resumed = client.get(url, headers={"Range": "bytes=1000-", "If-Range": etag})
        assert resumed.status_code == 206 and resumed.content == whole.content[1000:]
        stale = client.get(url, headers={"Range": "bytes=1000-", "If-Range": '"other"'})
        assert stale.status_code == 200 and stale.content == whole.content  # never spliced
        parts = client.get(url, headers={"Range": "bytes=0-9,100-109"})
        assert parts.status_code == 206
        assert parts.headers["content-type"].startswith("multipart/byteranges; boundary=")
        assert whole.content[:10] in parts.content and whole.content[100:110] in parts.content
    assert (
        client.get(f"/downloads/{LAD}.mbtiles").content == tileset_file(data_dir, LAD).read_bytes()
    )


def _wkb_shape(blob: bytes):
    """A GeoPackage geometry blob read with its own header: (srs id, envelope, shape)."""
    magic, version, flags, srs_id = struct.unpack("<2sBBi", blob[:8])
    assert (magic, version, flags & 0b1110) == (b"GP", 0, 0b0010)  # xy envelope
    envelope = struct.unpack("<4d", blob[8:40])
    return srs_id, envelope, shapely.from_wkb(blob[40:])


def test_geopackage_is_valid_and_holds_what_the_geojson_extract_holds(client, tmp_path) -> None:
    response = client.get(f"/downloads/{LAD}.gpkg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geopackage+sqlite3"
    assert f'filename="{LAD}.gpkg"' in response.headers["content-disposition"]
    path = tmp_path / f"{LAD}.gpkg"
    path.write_bytes(response.content)
    validator = Path("/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py")
    assert validator.is_file(), "GDAL's GeoPackage validator (Debian python3-gdal) is needed"
    checked = subprocess.run(
        ["/usr/bin/python3", str(validator), str(path)], capture_output=True, text=True
    )
    assert checked.returncode == 0 and not checked.stdout.strip(), checked.stdout + checked.stderr
    extract = client.get(
        "/api/indicators/gdp-per-head/data.geojson",
        params={"variant": "current-prices", "level": "lad", "year": "2019"},
    ).json()["features"]
    with sqlite3.connect(path) as db:
        (table,) = db.execute(
            "SELECT table_name FROM gpkg_contents WHERE data_type = 'features'"
        ).fetchone()
        rows = db.execute(
            f'SELECT geom, code, name, value, class, rank, "index" FROM "{table}" ORDER BY fid'
        ).fetchall()
        style = db.execute(
            "SELECT f_table_name, f_geometry_column, useAsDefault, styleQML FROM layer_styles"
        ).fetchall()
    assert len(rows) == len(extract) == 361
    for (geom, code, name, value, klass, rank, index), feature in zip(rows, extract, strict=True):
        props = feature["properties"]
        assert (code, name, value, klass) == (
            props["code"],
            props["name"],
            props["value"],
            props["class"],
        )
        assert (rank, index) == (props["rank"], props["index"])
        srs_id, envelope, geometry = _wkb_shape(geom)
        expected = shapely.geometry.shape(feature["geometry"])
        assert srs_id == 4326 and geometry.geom_type == "MultiPolygon"
        assert geometry.equals_exact(
            shapely.geometry.MultiPolygon(list(getattr(expected, "geoms", [expected]))), 0
        )
        west, south, east, north = geometry.bounds
        assert envelope == (west, east, south, north)
    ((styled_table, column, default, qml),) = style
    assert (styled_table, column, default) == (table, "geom", 1)
    assert 'attr="class"' in qml and 'type="categorizedSymbol"' in qml
    again = client.get(f"/downloads/{LAD}.gpkg", headers={"Accept-Encoding": "identity"})
    assert again.content == response.content  # the same bytes for the same build


def test_layer_definition_names_our_tiles_zoom_range_and_classes(client) -> None:
    described = client.get(f"/api/tilesets/{LAD}").json()
    response = client.get(described["qlr"])
    assert (
        response.status_code == 200
        and f'filename="{LAD}.qlr"' in response.headers["content-disposition"]
    )
    root = ElementTree.fromstring(response.content)
    layer = root.find("maplayers/maplayer")
    assert layer is not None and layer.get("type") == "vector-tile"
    source = layer.findtext("datasource")
    template = urllib.parse.quote(described["tiles"], safe="")
    assert source == f"type=xyz&url={template}&zmin=0&zmax={described['maxzoom']}"
    styles = layer.findall("renderer/styles/style")
    legend = described["legend"]
    assert [s.get("name") for s in styles] == [
        *[c["label"] for c in legend["classes"]],
        legend["no_data"]["label"],
    ]
    assert {s.get("layer") for s in styles} == {"lad"}
