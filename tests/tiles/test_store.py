import gzip
import os
import sqlite3

import pytest
from pmtiles.reader import MmapSource, Reader
from pmtiles.tile import zxy_to_tileid

from levelup.errors import StoreError
from tiles.store import MBTilesReader, MBTilesWriter, MemoryStore
from tiles.store.mbtiles import check_file
from tiles.store.pmtiles import export_pmtiles
from tiles.tilemath import Tile

META = {
    "name": "t",
    "format": "pbf",
    "bounds": "-1,50,1,52",
    "center": "0,51,3",
    "minzoom": "0",
    "maxzoom": "2",
    "json": '{"vector_layers": []}',
}


def _write(path, tiles, meta=META):
    writer = MBTilesWriter(path)
    for tile, data in tiles.items():
        writer.put(tile, data)
    writer.finalize(meta)
    return writer


def test_mbtiles_round_trip_and_identical_tiles_stored_once(tmp_path) -> None:
    same = gzip.compress(b"same", mtime=0)
    tiles = {
        Tile(0, 0, 0): gzip.compress(b"a", mtime=0),
        Tile(1, 0, 0): same,
        Tile(1, 1, 1): same,
        Tile(2, 3, 1): same,
    }
    writer = _write(tmp_path / "t.mbtiles", tiles)
    assert (writer.tile_count, writer.unique_count) == (4, 2)
    reader = MBTilesReader(tmp_path / "t.mbtiles")
    assert all(reader.get(t) == d for t, d in tiles.items())
    assert reader.get(Tile(2, 0, 0)) is None
    assert reader.metadata() == META and reader.tiles() == sorted(tiles)
    rows = (
        sqlite3.connect(tmp_path / "t.mbtiles")
        .execute("SELECT tile_row FROM tiles WHERE zoom_level = 2")
        .fetchall()
    )
    assert rows == [(2,)]  # MBTiles rows count from the south (TMS)


def test_unfinished_write_leaves_the_previous_file_intact(tmp_path) -> None:
    path = tmp_path / "t.mbtiles"
    _write(path, {Tile(0, 0, 0): b"old"})
    writer = MBTilesWriter(path)
    writer.put(Tile(0, 0, 0), b"new")
    assert MBTilesReader(path).get(Tile(0, 0, 0)) == b"old"  # still the old build
    writer.abort()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.mbtiles"]
    assert MBTilesReader(path).get(Tile(0, 0, 0)) == b"old"


def test_corrupt_file_is_a_clear_store_error(tmp_path) -> None:
    bad = tmp_path / "bad.mbtiles"
    bad.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a readable MBTiles"):
        MBTilesReader(bad)
    with pytest.raises(StoreError, match="no such tileset"):
        MBTilesReader(tmp_path / "absent.mbtiles")


def test_memory_store_implements_the_seam() -> None:
    store = MemoryStore()
    store.put(Tile(0, 0, 0), b"x")
    store.finalize({"name": "m"})
    assert store.get(Tile(0, 0, 0)) == b"x" and store.metadata() == {"name": "m"}


def test_pmtiles_export_is_read_back_by_the_pmtiles_reader(tmp_path) -> None:
    tiles = {Tile(0, 0, 0): b"z0", Tile(1, 1, 0): b"z1", Tile(2, 2, 1): b"z2"}
    _write(tmp_path / "t.mbtiles", tiles)
    out = export_pmtiles(tmp_path / "t.mbtiles", tmp_path / "t.pmtiles")
    with open(out, "rb") as handle:
        reader = Reader(MmapSource(handle))
        header = reader.header()
        assert (header["min_zoom"], header["max_zoom"]) == (0, 2)
        assert reader.metadata()["vector_layers"] == []
        for tile, data in tiles.items():
            assert reader.get(tile.z, tile.x, tile.y) == data
        assert zxy_to_tileid(2, 2, 1) > zxy_to_tileid(1, 1, 0)


def test_check_file_reads_the_header_and_finds_truncation(tmp_path) -> None:
    path = tmp_path / "t.mbtiles"
    # incompressible tiles spanning many pages, so whole pages can be cut off too
    _write(path, {Tile(2, x, y): os.urandom(3000) for x in range(4) for y in range(4)})
    check_file(path)  # a whole file passes
    whole = path.read_bytes()
    assert len(whole) > 8 * 4096
    for cut in (2000, 4096 * 3, len(whole) - 4096, len(whole) - 1):  # mid-page or whole pages
        (tmp_path / "cut.mbtiles").write_bytes(whole[:cut])
        with pytest.raises(StoreError, match="truncated"):
            check_file(tmp_path / "cut.mbtiles")
    (tmp_path / "text.mbtiles").write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not SQLite"):
        check_file(tmp_path / "text.mbtiles")
    (tmp_path / "page.mbtiles").write_bytes(whole[:16] + b"\x03\x00" + whole[18:])
    with pytest.raises(StoreError, match="page size 768"):
        check_file(tmp_path / "page.mbtiles")
    with pytest.raises(StoreError, match="no such tileset"):
        check_file(tmp_path / "absent.mbtiles")
