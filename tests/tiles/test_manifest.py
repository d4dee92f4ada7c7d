"""The manifest entry: one definition the tile build writes and the server, export and tests
read; a change on one side that the other does not share fails here."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from server.catalog import Catalog, Tileset
from tiles.entry import ManifestError, TilesetEntry
from tiles.manifest import MANIFEST, load_manifest, read_manifest, write_manifest
from tiles.tileset import TilesetSpec

HEX_TWIN = TilesetEntry(
    id="pay.median.lad.2021.hex",
    indicator="pay",
    variant="median",
    level="lad",
    year=2021,
    geometry="hex",
    set_id="lad-2021",
    file="pay.median.lad.2021.hex.0123456789ab.mbtiles",
    name="Pay (median), Districts, 2021",
    title="Pay",
    variant_label="median",
    level_label="Districts",
    unit="£",
    polarity="higher-better",
    decimals=1,
    period="2021",
    breaks=(1.0, 2.5, 3.0),
    country_breaks=(1.5, 2.0),
    valued=361,
    attribution="ONS",
    description="Median pay.",
    minzoom=2,
    maxzoom=9,
    bounds=(-8.6, 49.9, 1.8, 60.8),
    center=(-2.0, 54.0, 5.0),
    fields={"code": "String", "value": "Number"},
    tiles=120,
    unique_tiles=80,
    bytes=123456,
    features=400,
    hash="0123456789abcdef",
    layout="lad-2021",
    missing=(("E06000053", "Isles of Scilly", "no hex"),),
)


def test_every_field_survives_the_round_trip_through_json() -> None:
    unset = [
        f.name for f in dataclasses.fields(TilesetEntry) if getattr(HEX_TWIN, f.name) in ("", ())
    ]
    assert unset == []  # every field differs from its default, so a dropped one shows
    text = json.dumps(HEX_TWIN.to_json())
    assert TilesetEntry.from_json(json.loads(text)) == HEX_TWIN
    flat = dataclasses.replace(
        HEX_TWIN, id="pay.median.lad.2021", geometry="", layout="", missing=()
    )
    assert "layout" not in flat.to_json() and "missing" not in flat.to_json()
    assert TilesetEntry.from_json(json.loads(json.dumps(flat.to_json()))) == flat


def test_the_manifest_file_round_trips(tmp_path: Path) -> None:
    path = tmp_path / MANIFEST
    write_manifest(path, {HEX_TWIN.id: HEX_TWIN})
    assert load_manifest(path) == {HEX_TWIN.id: HEX_TWIN}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda e: e.pop("hash"), "missing hash"),
        (lambda e: e.pop("missing"), "missing missing"),  # hex twins carry their missing areas
        (lambda e: e.update(colour="red"), "unknown colour"),
        (lambda e: e.update(year="2021"), "wrong type"),
        (lambda e: e.update(bounds=[0, 1, 2]), "expected 4 numbers"),
        (lambda e: e.update(year=2020), "id does not match"),
    ],
)
def test_an_entry_another_version_wrote_fails_clearly(change, message, tmp_path: Path) -> None:
    raw = HEX_TWIN.to_json()
    change(raw)
    path = tmp_path / MANIFEST
    path.write_text(json.dumps({"tilesets": [raw]}))
    with pytest.raises(ManifestError, match=message) as caught:
        load_manifest(path)
    assert str(path) in str(caught.value) and HEX_TWIN.id[:20] in str(caught.value)
    assert read_manifest(path) == {}  # a build then writes every tileset afresh


def test_the_build_writes_exactly_the_fields_readers_read(data_dir: Path) -> None:
    raw = json.loads((data_dir / "tiles" / MANIFEST).read_text(encoding="utf-8"))["tilesets"]
    assert any(e["geometry"] == "hex" for e in raw) and any(not e["geometry"] for e in raw)
    names = [f.name for f in dataclasses.fields(TilesetEntry)]
    for entry in raw:
        hex_only = {"layout", "missing"}
        assert list(entry) == [n for n in names if entry["geometry"] or n not in hex_only]
        assert TilesetEntry.from_json(entry).to_json() == entry


def test_the_server_reads_every_field_the_build_wrote(data_dir: Path) -> None:
    written = load_manifest(data_dir / "tiles" / MANIFEST)
    catalog = Catalog(data_dir)
    try:
        assert set(catalog.tilesets) == set(written)
        for tileset_id, entry in written.items():
            served = catalog.tilesets[tileset_id]
            assert isinstance(served, Tileset)
            for field in dataclasses.fields(TilesetEntry):
                assert getattr(served, field.name) == getattr(entry, field.name), field.name
            assert served.path == data_dir / "tiles" / entry.file
    finally:
        catalog.db.close()


def test_every_label_of_a_spec_is_a_field_of_the_entry() -> None:
    entry_fields = {f.name for f in dataclasses.fields(TilesetEntry)}
    spec_fields = {f.name for f in dataclasses.fields(TilesetSpec)} - {"key"}
    assert spec_fields <= entry_fields
