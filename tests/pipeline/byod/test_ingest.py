"""Adding a user's table end to end: only its tilesets are built, values round-trip through
the database, tiles and extracts, and bad input leaves everything as it was."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
from pathlib import Path

import mapbox_vector_tile
import mercantile
import openpyxl
import pytest
from starlette.testclient import TestClient

from levelup.errors import ConflictError, InputError, LevelupError, NotFoundError, TooLargeError
from levelup.settings import Settings
from levelup_cli.common import tiler
from pipeline.build import build_data
from pipeline.byod.ingest import backup_of, commit, prepare, remove
from pipeline.byod.spec import Details
from pipeline.catalogue import DATA_DIR
from pipeline.replace import INDICATOR_TABLES
from pipeline.user_data import load_user_indicators, user_root
from server.app import create_app
from tests.pipeline.byod.tables import (
    Table,
    districts,
    messy_tidy,
    messy_wide,
    nuts_semicolon,
    plain,
    xlsx_wide_measures,
)


def add(
    table: Table, data_dir: Path, registry, changes, *, overrides=None, replace=False, **details
):
    """Prepare and commit a table written beside the data directory."""
    path = table.write(data_dir.parent)
    staged = prepare(
        path,
        data_dir,
        registry,
        changes,
        details=Details(**details),
        overrides=overrides,
        replace=replace,
    )
    return staged, commit(staged, data_dir, registry, changes, tiler())


def manifest(data_dir: Path) -> dict[str, dict]:
    entries = json.loads((data_dir / "tiles" / "manifest.json").read_text())["tilesets"]
    return {e["id"]: e for e in entries}


def stored_values(data_dir: Path, indicator: str, variant: str = "value") -> dict:
    with sqlite3.connect(data_dir / "levelup.db") as connection:
        rows = connection.execute(
            "SELECT source_code, year, value FROM observations WHERE indicator = ? "
            "AND variant = ? AND level = 'lad'",
            (indicator, variant),
        ).fetchall()
    return {(code, year): value for code, year, value in rows}


def snapshot(data_dir: Path) -> tuple[str, bytes, list[str]]:
    """Everything a failed add must leave as it was."""
    digest = hashlib.sha256((data_dir / "levelup.db").read_bytes()).hexdigest()
    user = data_dir / "user"
    files = (
        sorted(str(p.relative_to(user)) for p in user.rglob("*") if p.is_file())
        if (user.is_dir())
        else []
    )
    return digest, (data_dir / "tiles" / "manifest.json").read_bytes(), files


def test_messy_tidy_table_round_trips(own_data_dir: Path, registry, changes) -> None:
    table = messy_tidy(registry)
    before = manifest(own_data_dir)
    stamps = {p.name: p.stat().st_mtime_ns for p in (own_data_dir / "tiles").glob("*.mbtiles")}
    staged, added = add(
        table,
        own_data_dir,
        registry,
        changes,
        title="Households",
        source="District councils",
        unit="households",
    )
    assert added.indicator.startswith("user-households-") and added.tilesets == 2
    # Only the new tilesets were built: every other entry and file is untouched.
    after = manifest(own_data_dir)
    new = {k for k in after if k.startswith(added.indicator)}
    years = {f"{added.indicator}.value.lad.2021", f"{added.indicator}.value.lad.2022"}
    assert new == years | {f"{y}.hex" for y in years}  # with their hex cartogram twins
    assert {k: after[k] for k in after if k not in new} == before
    for path in (own_data_dir / "tiles").glob("*.mbtiles"):
        if path.name in stamps:
            assert path.stat().st_mtime_ns == stamps[path.name], path.name
    # Every value (and every gap) is stored as written.
    assert stored_values(own_data_dir, added.indicator) == table.values
    summary = staged.summary(registry)
    assert (summary["codes"], summary["matched"], summary["match_rate"]) == (40, 40, 1.0)
    assert summary["suppressed"] == 3 and summary["values"] == 77

    client = TestClient(create_app(Settings(data_dir=own_data_dir, reload_interval=0)))
    entry = client.get(f"/api/indicators/{added.indicator}").json()
    assert entry["user_supplied"] and entry["source"] == "District councils"
    assert entry["title"] == "Households" and entry["theme"] == "user"
    assert entry["attribution"] == "Source: District councils."
    # The CSV extract gives the values back.
    text = client.get(f"/api/indicators/{added.indicator}/data.csv?level=lad").text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {
        (r["code"], int(r["year"])): float(r["value"]) if r["value"] else None for r in rows
    } == table.values
    # So does the GeoJSON, and the tiles carry them.
    geo = client.get(f"/api/indicators/{added.indicator}/data.geojson?level=lad&year=2022").json()
    valued = {f["properties"]["code"]: f["properties"]["value"] for f in geo["features"]}
    assert all(valued[c] == v for (c, y), v in table.values.items() if y == 2022)
    code, _ = districts(registry)[0]
    area = client.get(f"/api/areas/{code}?level=lad").json()["boundaries"][0]
    tile = mercantile.tile(area["lon"], area["lat"], 7)
    url = f"/tiles/{added.indicator}.value.lad.2022/{tile.z}/{tile.x}/{tile.y}.pbf"
    layer = mapbox_vector_tile.decode(client.get(url).content)["lad"]
    values = {f["properties"]["code"]: f["properties"].get("value") for f in layer["features"]}
    assert values[code] == table.values[(code, 2022)]
    style = client.get(f"/styles/{added.indicator}.value.lad.2022.json").json()
    assert "District councils" in style["sources"]["levelup"]["attribution"]


def test_wide_and_xlsx_tables(own_data_dir: Path, registry, changes) -> None:
    wide = messy_wide(registry)
    _, added = add(wide, own_data_dir, registry, changes)
    assert stored_values(own_data_dir, added.indicator) == wide.values
    with sqlite3.connect(own_data_dir / "levelup.db") as connection:
        (unit,) = connection.execute(
            "SELECT unit FROM indicators WHERE id = ?", (added.indicator,)
        ).fetchone()
        (index,) = connection.execute(
            'SELECT "index" FROM observations WHERE indicator = ? AND year = 2021 AND code = ?',
            (added.indicator, districts(registry)[0][0]),
        ).fetchone()
    assert unit == "£"  # from the pound signs in the cells
    assert index == pytest.approx(100 * 25_400 / 28_100)  # against the England row

    book = xlsx_wide_measures(registry)
    staged, added = add(book, own_data_dir, registry, changes, title="District facts")
    assert [v.label for v in staged.indicator.variants] == ["Employment rate (%)", "Median pay (£)"]
    rates = stored_values(own_data_dir, added.indicator, staged.indicator.variants[0].id)
    assert rates == book.values


def test_a_workbook_that_opens_with_a_cover_sheet(own_data_dir: Path, registry, changes) -> None:
    book = xlsx_wide_measures(registry)
    workbook = openpyxl.load_workbook(io.BytesIO(book.data))
    cover = workbook.create_sheet("Cover", 0)
    cover.append(["Table 1", "District facts"])
    cover.append(["Source", "Council returns"])
    saved = io.BytesIO()
    workbook.save(saved)
    staged, added = add(
        Table(book.name, saved.getvalue(), book.values), own_data_dir, registry, changes
    )
    variant = staged.indicator.variants[0].id
    assert stored_values(own_data_dir, added.indicator, variant) == book.values
    # A full rebuild reads the stored copy again: from the same worksheet, not the cover.
    assert build_data(own_data_dir, only=[added.indicator], force=True).indicators == 1
    assert stored_values(own_data_dir, added.indicator, variant) == book.values


def test_a_shipped_ons_download_added_as_a_user_table(own_data_dir: Path, registry, changes):
    """The real ONS Explore Local Statistics pay file, brought as a user would bring it,
    gives exactly the file's district values (read here with the csv module)."""
    path = DATA_DIR / "ons_els" / "gross-median-weekly-pay.csv"
    table = Table(path.name, path.read_bytes(), {})
    staged, added = add(table, own_data_dir, registry, changes, title="Pay")
    summary = staged.summary(registry)
    assert (summary["level"], summary["codes"], summary["match_rate"]) == ("lad", 361, 1.0)
    assert summary["value_columns"] == ["Observation"] and added.tilesets == 17
    with path.open(encoding="utf-8-sig") as handle:
        source = {
            (row["AREACD"], int(row["Period"][:4])): float(row["Observation"])
            for row in csv.DictReader(handle)
            if row["AREACD"][:3] in ("E06", "E07", "E08", "E09", "W06", "S12", "N09")
            and row["Observation"].strip()
        }
    assert len(source) > 5_000
    stored = stored_values(own_data_dir, added.indicator)
    assert {k: v for k, v in stored.items() if v is not None} == source
    assert all(k not in source for k, v in stored.items() if v is None)  # suppressed cells


def test_nuts_table(own_data_dir: Path, registry, changes) -> None:
    table = nuts_semicolon(registry)
    staged, added = add(table, own_data_dir, registry, changes, overrides={"period": "2021"})
    assert staged.detection.set_id == "nuts2-2021"
    with sqlite3.connect(own_data_dir / "levelup.db") as connection:
        rows = dict(
            connection.execute(
                "SELECT source_code, value FROM observations WHERE indicator = ?",
                (added.indicator,),
            ).fetchall()
        )
    assert rows == {code: value for (code, _), value in table.values.items()}


BAD_TABLES = (  # the kinds of bad input the issue lists that a table itself can have
    "empty",
    "header only",
    "no codes",
    "mixed levels",
    "conflicting duplicates",
    "non-numeric",
    "formula",
)


def _bad_tables(registry) -> dict[str, tuple[Table, type[LevelupError], str]]:
    (a, _), (b, _) = districts(registry, 5)[:2]
    return {
        "empty": (plain("", name="empty.csv"), InputError, "empty"),
        "header only": (plain("code,year,value"), InputError, "header but no rows"),
        "no codes": (plain("place,year,value", "Leeds,2022,3"), InputError, "area codes"),
        "mixed levels": (
            plain(
                "code,year,value",
                *[f"E1200000{i},2022,1" for i in range(1, 9)],
                *[f"{code},2022,{i}" for i, (code, _) in enumerate(districts(registry, 10)[:4])],
            ),
            InputError,
            "mixed levels",
        ),
        "conflicting duplicates": (
            plain("code,year,value", f"{a},2022,1", f"{b},2022,2", f"{a},2022,3"),
            InputError,
            "two values",
        ),
        "non-numeric": (
            plain(
                "code,year,value",
                f"{a},2022,1",
                f"{b},2022,12 apples",
                *[f"E0700001{i},2022,{i}" for i in range(5)],
            ),
            InputError,
            "neither a number",
        ),
        "formula": (
            plain("code,year,value", f"{a},2022,1", f"{b},2022,=cmd|' /C calc'!A0"),
            InputError,
            "formula",
        ),
    }


@pytest.mark.parametrize("case", BAD_TABLES)
def test_bad_input_changes_nothing(case: str, own_data_dir: Path, registry, changes) -> None:
    table, error, message = _bad_tables(registry)[case]
    before = snapshot(own_data_dir)
    with pytest.raises(error, match=message) as caught:
        add(table, own_data_dir, registry, changes)
    if isinstance(caught.value, InputError):
        assert caught.value.path == str(own_data_dir.parent / table.name)  # the user's file
    assert snapshot(own_data_dir) == before


def test_bad_value_names_the_row_and_column(own_data_dir: Path, registry, changes) -> None:
    table = _bad_tables(registry)["non-numeric"][0]
    with pytest.raises(InputError) as caught:
        add(table, own_data_dir, registry, changes)
    assert (caught.value.line, caught.value.column) == (3, "value")
    assert "'12 apples'" in str(caught.value)


def test_too_big(own_data_dir: Path, registry, changes) -> None:
    big = own_data_dir.parent / "big.csv"
    with open(big, "wb") as handle:
        handle.truncate(200 * 1024 * 1024)
    before = snapshot(own_data_dir)
    with pytest.raises(TooLargeError, match=r"big\.csv: 200\.0 MB is over the 20 MB limit"):
        prepare(big, own_data_dir, registry, changes)
    assert snapshot(own_data_dir) == before


def test_replace_remove_and_rebuild(own_data_dir: Path, registry, changes) -> None:
    wide = messy_wide(registry)
    _, first = add(wide, own_data_dir, registry, changes, indicator_id="my-pay")
    assert first.indicator == "my-pay" and first.tilesets == 3
    with pytest.raises(ConflictError, match="already have an indicator 'my-pay'"):
        add(wide, own_data_dir, registry, changes, indicator_id="my-pay")
    with pytest.raises(ConflictError, match="shipped"):
        add(wide, own_data_dir, registry, changes, indicator_id="gdp-per-head")
    with pytest.raises(InputError, match="lower-case letters"):
        add(wide, own_data_dir, registry, changes, indicator_id="../../etc")
    # Replacing with one year fewer drops that year's tileset.
    fewer = Table(wide.name, wide.data.replace(b",2021 \r\n", b",notes\r\n"), {})
    _, again = add(fewer, own_data_dir, registry, changes, indicator_id="my-pay", replace=True)
    assert again.replaced and again.tilesets == 2
    assert {k for k in manifest(own_data_dir) if k.startswith("my-pay.")} == {
        "my-pay.value.lad.2019",
        "my-pay.value.lad.2020",
        "my-pay.value.lad.2019.hex",
        "my-pay.value.lad.2020.hex",
    }
    assert not list((own_data_dir / "tiles").glob("my-pay.value.lad.2021.*"))
    # A full data build keeps user indicators (and knows nothing changed since the add).
    assert build_data(own_data_dir).skipped
    rebuilt = build_data(own_data_dir, only=["my-pay", "gdp-per-head"], force=True)
    assert rebuilt.indicators == 2
    assert stored_values(own_data_dir, "my-pay") == {
        k: v for k, v in wide.values.items() if k[1] < 2021
    }
    # Removing takes every row, tileset and file away.
    assert remove(own_data_dir, "my-pay", registry, tiler()) == 2
    with sqlite3.connect(own_data_dir / "levelup.db") as connection:
        for table in INDICATOR_TABLES:
            column = "id" if table == "indicators" else "indicator"
            (count,) = connection.execute(
                f"SELECT count(*) FROM {table} WHERE {column} = 'my-pay'"
            ).fetchone()
            assert count == 0, table
    assert not any(k.startswith("my-pay.") for k in manifest(own_data_dir))
    assert not list((own_data_dir / "tiles").glob("my-pay.*"))
    assert not (user_root(own_data_dir) / "my-pay").exists()
    with pytest.raises(NotFoundError):
        remove(own_data_dir, "my-pay", registry, tiler())
    with pytest.raises(ConflictError, match="cannot be removed"):
        remove(own_data_dir, "gdp-per-head", registry, tiler())
    with pytest.raises(NotFoundError):
        remove(own_data_dir, "../levelup.db", registry, tiler())


def test_what_a_killed_add_left_is_swept_by_the_next(own_data_dir: Path, registry, changes):
    left = backup_of(own_data_dir / "levelup.db")
    left.write_bytes(b"the database as it was before an add that was killed")
    add(messy_wide(registry), own_data_dir, registry, changes)
    assert not left.exists()


def test_a_failed_tile_build_rolls_everything_back(
    own_data_dir: Path, registry, changes, monkeypatch
) -> None:
    wide = messy_wide(registry)
    add(wide, own_data_dir, registry, changes, indicator_id="pay")
    before = snapshot(own_data_dir)
    saved = (user_root(own_data_dir) / "pay" / "table.csv").read_bytes()

    def boom(*args, **kwargs):
        raise RuntimeError("disk full while writing tiles")

    monkeypatch.setattr("tiles.build.build_tiles", boom)
    other = Table(wide.name, wide.data.replace(b"24,", b"99,"), {})
    with pytest.raises(RuntimeError, match="disk full"):
        add(other, own_data_dir, registry, changes, indicator_id="pay", replace=True)
    assert snapshot(own_data_dir) == before  # database, manifest and saved files as they were
    assert (user_root(own_data_dir) / "pay" / "table.csv").read_bytes() == saved


def test_codes_that_mostly_match_nothing_are_refused(own_data_dir, registry, changes) -> None:
    """ISO country codes look like NUTS 1 codes (FRA, DEU…) but are not."""
    rows = [
        f"{code},2022,{i}"
        for i, code in enumerate(
            ["FRA", "DEU", "ITA", "ESP", "NLD", "BEL", "AUT", "POL", "SWE", "DNK", "FRK"]
        )
    ]
    with pytest.raises(InputError, match=r"only 2 of 7 codes \(29%\) match nuts1-2021"):
        add(plain("country,year,value", *rows), own_data_dir, registry, changes)


def test_a_broken_saved_indicator_does_not_stop_a_build(own_data_dir, registry, changes, caplog):
    add(messy_wide(registry), own_data_dir, registry, changes, indicator_id="pay")
    (user_root(own_data_dir) / "pay" / "indicator.json").write_text("{broken")
    assert [i.id for i in load_user_indicators(own_data_dir)] == []
    assert "skipping your indicator" in caplog.text
