"""`levelup export`: the whole map from a static host, in Chromium, with no Python server."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import mapbox_vector_tile
import pytest
from playwright.sync_api import Browser
from pmtiles.reader import MmapSource, Reader

from server.export import Exported, Selection, export_site
from tests.static_server import static_server
from tests.web.conftest import ARTIFACTS, Visit, colour_share
from tiles.manifest import tileset_file
from tiles.store.mbtiles import MBTilesReader
from tiles.store.xyz import tile_path

LEEDS = (-1.5491, 53.8008)
SELECTION = Selection(only=("gdp-per-head", "eu-gdp-per-head"), years=(2019, 2021))


@pytest.fixture(scope="module", params=["xyz", "pmtiles"])
def exported(
    request: pytest.FixtureRequest, data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Exported:
    target = tmp_path_factory.mktemp("export") / "site"
    return export_site(data_dir, target, mode=request.param, selection=SELECTION)


@pytest.fixture
def static_visit(browser: Browser, exported: Exported) -> Iterator[Visit]:
    with static_server(exported.target, gzip_static=exported.mode == "xyz") as url:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        yield Visit(context.new_page(), url)
        context.close()


def test_the_static_site_draws_explains_and_searches(
    static_visit: Visit, exported: Exported
) -> None:
    visit = static_visit
    visit.open("?indicator=gdp-per-head&level=lad&year=2019&view=6/54/-2.5")
    ARTIFACTS.mkdir(exist_ok=True)
    visit.page.screenshot(path=ARTIFACTS / f"static-{exported.mode}.png")
    share = colour_share(visit.map_image(), visit.legend_colours())
    assert sum(share.values()) > 0.1, share  # England and Wales coloured from static tiles
    assert sum(1 for s in share.values() if s > 0.003) >= 4, share
    assert visit.page.locator(".tabs").is_hidden()  # server-only views are not offered

    visit.page.mouse.click(*visit.point(*LEEDS))
    panel = visit.page.locator("#panel")
    panel.wait_for(state="visible")
    visit.page.wait_for_function(
        "() => document.querySelector('#panel-title').textContent === 'Leeds'"
    )
    assert visit.page.locator("#panel-body svg").count() >= 1  # the time series chart

    visit.page.fill("#search", "Leeds")
    visit.page.wait_for_function(
        "() => document.querySelector('#search-results').textContent.includes('Leeds')"
    )
    assert visit.errors == [] and visit.outside == []


def test_other_indicators_levels_and_years_come_from_the_export(
    static_visit: Visit, exported: Exported
) -> None:
    visit = static_visit
    visit.open("?indicator=eu-gdp-per-head&level=nuts2&year=2021&view=4/50/10")
    share = colour_share(visit.map_image(), visit.legend_colours())
    assert sum(share.values()) > 0.1, share
    assert visit.page.locator("#year-label").inner_text() == "2021"
    visit.page.locator("#year").focus()
    visit.page.keyboard.press("Home")  # the first exported year, not the first built one
    visit.page.wait_for_function(
        "() => document.querySelector('#year-label').textContent === '2019'"
    )
    visit.settle()
    assert sum(colour_share(visit.map_image(), visit.legend_colours()).values()) > 0.1
    assert visit.errors == [] and visit.outside == []


def test_profiles_and_hex_maps_come_with_the_static_site(
    static_visit: Visit, exported: Exported
) -> None:
    visit, page = static_visit, static_visit.page
    page.goto(f"{visit.base}/areas/E08000035/")
    page.wait_for_selector("body[data-ready=true]", timeout=30000)
    assert page.locator("h1").inner_text() == "Leeds"
    profile = json.loads((exported.target / "api/profiles/E08000035.json").read_text())
    assert page.locator("article.card").count() == profile["indicators"] > 5  # test catalogue
    page.get_by_role("link", name="West Yorkshire").first.click()  # a parent's own page
    page.wait_for_url("**/areas/E47000003/")
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator("section.dashboard").count() >= 3
    visit.open("?indicator=gdp-per-head&level=lad&year=2021&shape=hex")
    assert page.evaluate("() => window.levelup.state().shape") == "hex"
    share = colour_share(visit.map_image(), visit.legend_colours())
    assert sum(share.values()) > 0.05, share  # the hexes, from the exported hex tiles
    assert (exported.target / "extracts/gdp-per-head.current-prices.lad.2021.hex.hexjson").is_file()
    assert visit.errors == [] and visit.outside == []


def test_export_layout(exported: Exported) -> None:
    root = exported.target
    html = (root / "index.html").read_text(encoding="utf-8")
    assert 'name="levelup-static"' in html and "Content-Security-Policy" in html
    catalogue = json.loads((root / "api" / "catalogue.json").read_text(encoding="utf-8"))
    assert catalogue["static"] == exported.mode
    ids = {p.stem for p in (root / "api" / "tilesets").glob("*.json")}
    assert len(ids) == exported.tilesets > 10
    assert not list(root.rglob("*.py")) and not list(root.rglob("*.db"))
    if exported.mode == "xyz":
        tilejson = json.loads(
            (root / "tiles" / "gdp-per-head.current-prices.lad.2019.json").read_text()
        )
        assert tilejson["tiles"] == [
            "../tiles/gdp-per-head.current-prices.lad.2019/{z}/{x}/{y}.pbf"
        ]
        tile = root / "tiles" / "gdp-per-head.current-prices.lad.2019" / "6" / "31" / "20.pbf.gz"
        layer = mapbox_vector_tile.decode(gzip.decompress(tile.read_bytes()))["lad"]
        assert any(f["properties"]["name"] == "Leeds" for f in layer["features"])
        assert exported.tiles >= exported.files // 2
    else:
        archive = root / "tiles" / "gdp-per-head.current-prices.lad.2019.pmtiles"
        assert archive.read_bytes()[:7] == b"PMTiles"


@pytest.mark.parametrize(
    "tileset", ["gdp-per-head.current-prices.lad.2019", "eu-gdp-per-head.eur.nuts2.2019"]
)
def test_every_stored_tile_is_exported_byte_for_byte(
    exported: Exported, data_dir: Path, tileset: str
) -> None:
    source = MBTilesReader(tileset_file(data_dir, tileset))
    try:
        stored = {tile: source.get(tile) for tile in source.tiles()}
    finally:
        source.close()
    assert len(stored) > 100
    root = exported.target / "tiles"
    if exported.mode == "xyz":
        written = {p for p in (root / tileset).rglob("*") if p.is_file()}
        assert written == {tile_path(root / tileset, tile) for tile in stored}
        assert all(tile_path(root / tileset, t).read_bytes() == data for t, data in stored.items())
    else:
        with open(root / f"{tileset}.pmtiles", "rb") as handle:
            reader = Reader(MmapSource(handle))
            assert all(reader.get(t.z, t.x, t.y) == data for t, data in stored.items())
            assert reader.header()["addressed_tiles_count"] == len(stored)
