import shutil
import subprocess

from pmtiles.reader import MemorySource, Reader

from tests.server.conftest import LAD
from tiles.build import tileset_file


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
    assert reader.header()["max_zoom"] == 11
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
