import gzip
import sqlite3

import mapbox_vector_tile
import pytest
from starlette.testclient import TestClient

from levelup.settings import Settings
from server.app import create_app
from tests.server.conftest import LAD
from tiles.manifest import tileset_file

URL = f"/tiles/{LAD}"


def _stored(data_dir, z, x, y) -> bytes:
    connection = sqlite3.connect(tileset_file(data_dir, LAD))
    row = connection.execute(
        "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
        (z, x, (1 << z) - 1 - y),
    ).fetchone()
    return bytes(row[0])


def test_gzip_is_passed_through_as_stored(client, data_dir) -> None:
    response = client.get(f"{URL}/6/31/20.pbf", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    assert response.headers["content-encoding"] == "gzip"
    stored = _stored(data_dir, 6, 31, 20)
    assert int(response.headers["content-length"]) == len(stored)
    assert response.content == gzip.decompress(stored)  # the client undid exactly our gzip
    layer = mapbox_vector_tile.decode(response.content)["lad"]
    assert any(f["properties"]["code"].startswith("E08") for f in layer["features"])


def test_identity_when_gzip_is_not_accepted(client, data_dir) -> None:
    response = client.get(f"{URL}/6/31/20.pbf", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200 and "content-encoding" not in response.headers
    assert response.content == gzip.decompress(_stored(data_dir, 6, 31, 20))


def test_strong_etag_and_not_modified(client) -> None:
    first = client.get(f"{URL}/5/15/10.pbf", headers={"Accept-Encoding": "gzip"})
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = client.get(
        f"{URL}/5/15/10.pbf", headers={"Accept-Encoding": "gzip", "If-None-Match": etag}
    )
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    plain = client.get(f"{URL}/5/15/10.pbf", headers={"Accept-Encoding": "identity"})
    assert plain.headers["etag"] != etag  # another representation, another strong ETag
    other = client.get(f"{URL}/5/16/10.pbf", headers={"Accept-Encoding": "gzip"})
    assert other.status_code == 200
    assert other.headers["etag"] != etag


def test_cache_and_cors_headers(client) -> None:
    response = client.get(f"{URL}/5/15/10.pbf", headers={"Origin": "https://example.org"})
    assert response.headers["cache-control"].startswith("public, max-age=")
    assert response.headers.get_list("access-control-allow-origin") == ["*"]
    assert "accept-encoding" in response.headers["vary"].lower()


def test_empty_tile_inside_range_is_204_outside_is_404(client) -> None:
    empty = client.get(f"{URL}/5/0/0.pbf")  # open Pacific
    assert empty.status_code == 204 and empty.content == b""
    beyond = client.get(f"{URL}/12/2020/1300.pbf")
    assert beyond.status_code == 404 and "overzoom" in beyond.json()["error"]["message"]
    etag = empty.headers["etag"]
    assert client.get(f"{URL}/5/0/0.pbf", headers={"If-None-Match": etag}).status_code == 304
    assert client.get(f"{URL}/5/0/0.pbf", headers={"If-Match": etag}).status_code == 204
    failed = client.get(f"{URL}/5/0/0.pbf", headers={"If-Match": '"other"'})
    assert failed.status_code == 412 and "precondition" in failed.json()["error"]["message"]


@pytest.mark.parametrize(
    "path", ["-1/0/0", "abc/0/0", "3/8/0", "3/0/8", "30/0/0", "5/1.5/2", "99999999999/0/0"]
)
def test_malformed_coordinates_are_400(client, path: str) -> None:
    response = client.get(f"{URL}/{path}.pbf")
    assert response.status_code == 400
    assert response.json()["error"]["status"] == 400


def test_unknown_tileset_is_404(client) -> None:
    for name in ("gdp-per-head.current-prices.lad.1066", "nonsense", "..%2F..%2Fetc"):
        response = client.get(f"/tiles/{name}/0/0/0.pbf")
        assert response.status_code == 404, name
        assert response.headers["content-type"] == "application/json"


def test_head_has_headers_but_no_body(client) -> None:
    response = client.head(f"{URL}/5/15/10.pbf", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.content == b""
    assert int(response.headers["content-length"]) > 0


def test_a_tileset_file_removed_under_a_running_server_is_a_clear_503(own_data_dir) -> None:
    with TestClient(create_app(Settings(data_dir=own_data_dir))) as client:
        tileset_file(own_data_dir, LAD).unlink()  # e.g. someone cleaned the folder by hand
        response = client.get(f"/tiles/{LAD}/0/0/0.pbf")
        assert response.status_code == 503
        assert "no such tileset file" in response.json()["error"]["message"]
        assert client.get(f"/tiles/{LAD}.json").status_code == 200  # the rest keeps working
        assert client.get("/tiles/no-such-tileset/0/0/0.pbf").status_code == 404


def test_the_prepared_answer_is_the_planned_one(client) -> None:
    """A tile request without conditions skips planning for speed; its answer must be what
    server.conditional.plan gives (asked here with a condition that does not apply)."""
    for encoding in ("gzip", "identity"):
        plain = client.get(f"{URL}/5/15/10.pbf", headers={"Accept-Encoding": encoding})
        planned = client.get(
            f"{URL}/5/15/10.pbf",
            headers={"Accept-Encoding": encoding, "If-None-Match": '"not-this-one"'},
        )
        assert plain.status_code == planned.status_code == 200
        assert plain.headers.raw == planned.headers.raw and plain.content == planned.content
