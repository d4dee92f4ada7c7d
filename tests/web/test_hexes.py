"""The Map | Hexes switch in a real browser: an area has the same colour on the hexes as on
the map (and the legend's colour for its value, from the API), and switching keeps the
permalink (a fresh load of the new URL draws the same picture)."""

from __future__ import annotations

from collections import Counter
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from playwright.sync_api import Page

from tests.web.conftest import Visit
from tests.web.test_transitions import canvas, differing

# Large districts, so a few pixels round an inner point are all the area's own colour.
SAMPLED = ("E08000035", "E08000025", "E06000052", "E06000047", "S12000017", "W06000023",
           "E06000065", "E06000054")  # fmt: skip
INDICATOR = {"indicator": "gdp-per-head", "variant": "current-prices", "level": "lad"}


def colour_at(page: Page, image: np.ndarray, xy: tuple[float, float]) -> str:
    """The commonest colour in a 9×9 pixel square (names and outlines cannot win)."""
    box = page.locator("#map").bounding_box()
    assert box is not None
    x, y = round(xy[0] - box["x"]), round(xy[1] - box["y"])
    assert 4 <= x < image.shape[1] - 4 and 4 <= y < image.shape[0] - 4, (x, y)
    patch = image[y - 4 : y + 5, x - 4 : x + 5].reshape(-1, 3)
    rgb = Counter(tuple(int(v) for v in p) for p in patch).most_common(1)[0][0]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


DIVERGING = ["#e66101", "#fdb863", "#f7f7f7", "#b2abd2", "#5e3c99"]  # PuOr, higher = better


def expected_colours(visit: Visit, year: int, mode: str) -> dict[str, tuple[str, float | None]]:
    """Each sampled area's colour, from the API alone: the legend class of its value, or the
    diverging class of its index against its own nation."""
    tileset = visit.page.request.get(
        f"{visit.base}/api/tilesets/{INDICATOR['indicator']}.{INDICATOR['variant']}.lad.{year}"
    ).json()
    classes = tileset["legend"]["classes"]
    stops = tileset["country_breaks"]
    out = {}
    for code in SAMPLED:
        area = visit.page.request.get(f"{visit.base}/api/areas/{code}?level=lad").json()
        series = next(
            s
            for s in area["series"]
            if s["indicator"] == INDICATOR["indicator"] and s["variant"] == INDICATOR["variant"]
        )
        row = next(v for v in series["values"] if v["year"] == year)
        if mode == "country":
            value = row["country_index"]
            colour = DIVERGING[sum(value >= stop for stop in stops)]
        else:
            value = row["value"]
            colour = next(
                c["color"]
                for c in classes
                if (c["min"] is None or value >= c["min"])
                and (c["max"] is None or value < c["max"])
            )
        out[code] = (colour, value)
    return out


def close(a: str, b: str, tolerance: int = 3) -> bool:
    return all(abs(int(a[i : i + 2], 16) - int(b[i : i + 2], 16)) <= tolerance for i in (1, 3, 5))


@pytest.mark.parametrize("mode", ["value", "country"])
def test_each_area_has_the_same_colour_on_the_hexes_as_on_the_map(visit: Visit, mode: str) -> None:
    year = 2019
    visit.open(f"?indicator=gdp-per-head&level=lad&year={year}&colour={mode}&view=5/55/-3.5")
    page = visit.page
    expected = expected_colours(visit, year, mode)
    if mode == "country":
        assert page.locator("#country-label").inner_text() == "Against its nation"
        assert "own nation" in page.locator("#legend-sub").inner_text()
    points = {}
    for code in SAMPLED:
        area = page.request.get(f"{visit.base}/api/areas/{code}?level=lad").json()
        where = next(b for b in area["boundaries"] if b["set_id"] == "ltla-2023")
        points[code] = visit.point(where["lon"], where["lat"])
    on_map = {code: colour_at(page, canvas(page), xy) for code, xy in points.items()}
    page.get_by_role("button", name="Hexes: one hexagon per area").click()
    page.wait_for_function("() => window.levelup.state().shape === 'hex'")
    visit.settle()
    hexes = page.request.get(
        f"{visit.base}/api/indicators/gdp-per-head/hexes.geojson",
        params={"variant": INDICATOR["variant"], "level": "lad", "year": str(year)},
    ).json()["features"]
    image = canvas(page)
    on_hexes = {}
    for feature in hexes:
        code = feature["properties"]["code"]
        if code in expected:
            ring = np.array(feature["geometry"]["coordinates"][0][:-1])
            lon, lat = ring.mean(axis=0)
            on_hexes[code] = colour_at(page, image, visit.point(lon, lat))
    wrong = {
        code: (on_map[code], on_hexes.get(code), want)
        for code, (want, _) in expected.items()
        if not (close(on_map[code], want) and close(on_hexes.get(code, "#000000"), want))
    }
    assert not wrong, wrong  # code: (map, hexes, legend colour of its value)
    assert len(set(on_hexes.values())) >= 3  # not one flat colour: the check can fail
    assert visit.errors == [] and visit.outside == []


def query(url: str) -> dict[str, list[str]]:
    found = parse_qs(urlparse(url).query)
    found.pop("view", None)
    return found


def test_switching_keeps_the_permalink(visit: Visit, browser) -> None:
    visit.open("?indicator=claimant-count&variant=rate&level=lad&year=2020&colour=rank"
               "&areas=E08000035")  # fmt: skip
    page = visit.page
    before = query(page.url)
    page.get_by_role("button", name="Hexes: one hexagon per area").click()
    page.wait_for_function("() => window.levelup.state().shape === 'hex'")
    visit.settle()
    after = query(page.url)
    assert after == {**before, "shape": ["hex"]}
    assert page.locator("#panel-title").inner_text() == "Leeds"  # the panel stays open
    assert "Each area is one hexagon" in page.locator("#hex-note").inner_text()
    picture = canvas(page)
    fresh = Visit(browser.new_context(viewport={"width": 1280, "height": 800}).new_page(),
                  visit.base)  # fmt: skip
    fresh.open(urlparse(page.url).query and "?" + urlparse(page.url).query)
    assert differing(picture, canvas(fresh.page)) <= 15  # the permalink draws the same hexes
    fresh.page.context.close()
    page.get_by_role("button", name="Map: real boundaries").click()
    page.wait_for_function("() => window.levelup.state().shape === 'map'")
    assert query(page.url) == before
    page.go_back()
    page.wait_for_function("() => window.levelup.state().shape === 'hex'")
    assert query(page.url) == after
    page.select_option("#level", "rgn")  # regions have no hex layout: back to the map
    page.wait_for_function("() => window.levelup.state().level === 'rgn'")
    assert page.evaluate("() => window.levelup.state().shape") == "map"
    assert page.get_by_role("button", name="Hexes: one hexagon per area").is_disabled()
    assert visit.errors == []
