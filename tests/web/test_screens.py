"""The pages people see, on a desktop and a phone: screenshots to look at, and the layout
checks that catch what is off-screen, cut or unreadable."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.web.conftest import ARTIFACTS, Visit

SIZES = {"desktop": (1400, 900), "phone": (390, 844)}
SCREENS = {
    "first-load": "",
    "district": "?indicator=gdp-per-head&level=lad&year=2023&view=7/53.7/-1.7",
    "panel": "?indicator=gdp-per-head&level=lad&year=2023&areas=E08000035&view=7/53.8/-1.55",
    "hexes": "?indicator=gdp-per-head&level=lad&year=2023&shape=hex&colour=country",
    "compare": "?tab=compare",
    "inequality": "?tab=inequality",
}


def open_page(browser: Browser, base: str, size: str) -> tuple[Visit, Page]:
    width, height = SIZES[size]
    phone = size == "phone"
    context = browser.new_context(
        viewport={"width": width, "height": height}, is_mobile=phone, has_touch=phone
    )
    page = context.new_page()
    return Visit(page, base), page


def overflowing(page: Page, selector: str) -> list[str]:
    """Visible elements matching `selector` that reach outside the window."""
    return page.evaluate(
        """selector => [...document.querySelectorAll(selector)].filter((e) => {
            const r = e.getBoundingClientRect();
            return r.width > 0 && (r.left < 0 || r.right > window.innerWidth + 0.5);
        }).map((e) => e.id || e.textContent.trim())""",
        selector,
    )


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", SCREENS)
def test_screens(browser: Browser, live_server: str, screen: str, size: str) -> None:
    visit, page = open_page(browser, live_server, size)
    visit.open(SCREENS[screen])
    if screen == "panel":
        page.wait_for_function("() => document.querySelector('#panel-title').textContent")
        page.locator("#panel-body .chart svg").wait_for()
    elif screen in ("compare", "inequality"):
        chart = "#cmp-chart svg" if screen == "compare" else "#ineq-chart svg"
        page.locator(chart).wait_for()
    visit.settle()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"screen-{screen}-{size}.png")
    assert visit.errors == [] and visit.outside == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= SIZES[size][0]
    assert overflowing(page, ".topbar button, .topbar h1") == []
    if screen == "hexes":
        assert page.locator("#shape").is_visible() and overflowing(page, "#shape") == []
        assert page.locator("#shape [aria-pressed=true]").inner_text() == "Hexes"
    if screen in ("first-load", "district", "panel", "hexes") and size == "desktop":
        assert page.locator("#legend-items").is_visible()
        assert overflowing(page, "select, .maplibregl-ctrl") == []
        truncated = page.evaluate(  # the chosen option's text against the box (less arrow)
            """() => [...document.querySelectorAll('#controls select')].filter((s) => {
                const pen = document.createElement('canvas').getContext('2d');
                pen.font = getComputedStyle(s).font;
                const text = s.selectedOptions[0]?.text || '';
                return s.offsetWidth && pen.measureText(text).width > s.clientWidth - 36;
            }).map((s) => s.id)"""
        )
        assert truncated == []
    if screen in ("first-load", "district", "panel", "hexes") and size == "phone":
        assert page.locator("#map-legend").is_visible()  # on the map, not in the drawer
        assert overflowing(page, "#map-legend, .maplibregl-ctrl") == []
    if screen == "inequality":
        box = page.locator("#ineq-chart svg").bounding_box()
        assert box is not None and box["height"] > 180  # not squeezed into a scroll box
        smallest = page.evaluate(
            """() => Math.min(...[...document.querySelectorAll('#ineq-chart svg text')]
                .map((t) => t.getBoundingClientRect().height))"""
        )
        assert smallest >= 9, smallest  # axis text readable (CSS pixels)
    page.context.close()


def test_search_zooms_to_the_area_at_every_level(browser: Browser, live_server: str) -> None:
    visit, page = open_page(browser, live_server, "desktop")
    visit.open("?indicator=gdp-per-head&level=lad&year=2019")
    for text, level, code in (
        ("Leeds", "Local authority district", "E08000035"),
        ("Yorkshire and The Humber", "Region / nation", "E12000003"),
        ("Glasgow City", "Local authority district", "S12000049"),
        ("Noord-Holland", "NUTS 2 region", "NL32"),
    ):
        search = page.get_by_role("combobox", name="Find an area")
        search.fill(text)
        page.locator("#search-results li", has_text=code).first.wait_for()
        row = page.locator("#search-results li", has_text=code).filter(has_text=level).first
        row.click()
        page.wait_for_function(
            "code => window.levelup.state().areas[0] === code", arg=code, timeout=10000
        )
        page.wait_for_timeout(900)  # the flight
        visit.settle()
        area = page.request.get(f"{visit.base}/api/areas/{code}").json()["boundaries"][0]
        bounds = page.evaluate("() => window.levelup.bounds()")
        west, south, east, north = bounds
        assert west <= area["west"] and east >= area["east"], (text, bounds, area)
        assert south <= area["south"] and north >= area["north"], (text, bounds, area)
        assert (east - west) < 4 * (area["east"] - area["west"]) + 1, (text, bounds)  # zoomed in
    body = page.locator("#panel-body").inner_text()
    assert "No values" not in body and "GDP per inhabitant" in body  # offers Eurostat
    glasgow = page.get_by_role("combobox", name="Find an area")
    glasgow.fill("Glasgow")
    page.locator("#search-results li", has_text="S12000046").first.wait_for()
    rows = page.locator("#search-results li").all_inner_texts()
    districts = [r for r in rows if "Local authority district" in r and "Glasgow City" in r]
    assert len(districts) == len(set(districts)) == 2, rows  # told apart by code and years
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.querySelector('#panel').hidden")
    assert visit.errors == []
    page.context.close()
