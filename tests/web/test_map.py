"""The web map in Debian's Chromium: it draws, reacts, explains areas, and works offline."""

from urllib.parse import parse_qs, urlparse

from tests.web.conftest import ARTIFACTS, Visit, colour_share

LEEDS = (-1.5491, 53.8008)


def test_default_view_draws_the_choropleth_in_legend_colours(visit: Visit) -> None:
    visit.open()
    ARTIFACTS.mkdir(exist_ok=True)
    visit.page.screenshot(path=ARTIFACTS / "web-default.png")
    assert visit.errors == [] and visit.outside == []
    state = visit.page.evaluate("() => window.levelup.state()")
    assert (state["indicator"], state["level"]) == ("gdp-per-head", "lad")
    colours = visit.legend_colours()
    assert len(colours) == 5
    share = colour_share(visit.map_image(), colours)
    assert sum(share.values()) > 0.04, share  # the UK (about an eighth of the canvas) is coloured
    assert sum(1 for s in share.values() if s > 0.003) >= 4, share  # several classes drawn
    title = visit.page.locator("#legend-title").inner_text()
    assert "GDP per head" in title and "2023" in title
    attribution = visit.page.locator(".maplibregl-ctrl-attrib").text_content() or ""
    assert "Open Government Licence" in attribution and "Eurostat" not in attribution


def test_changing_year_indicator_and_level_changes_the_map(visit: Visit) -> None:
    visit.open("?indicator=gdp-per-head&level=lad&year=2023&view=5.2/54.5/-2.5")
    before = visit.map_image().tobytes()
    visit.page.locator("#year").focus()
    visit.page.keyboard.press("Home")  # first year
    visit.page.wait_for_function(
        "() => document.querySelector('#year-label').textContent === '1998'"
    )
    visit.settle()
    after_year = visit.map_image().tobytes()
    assert after_year != before
    visit.page.select_option("#indicator", "claimant-count")
    visit.page.wait_for_function(
        "() => document.querySelector('#legend-title').textContent.startsWith('Claimant')"
    )
    visit.settle()
    after_indicator = visit.map_image().tobytes()
    assert after_indicator != after_year
    visit.page.select_option("#level", "rgn")
    visit.page.wait_for_function("() => window.levelup.state().level === 'rgn'")
    visit.settle()
    assert visit.map_image().tobytes() != after_indicator
    share = colour_share(visit.map_image(), visit.legend_colours())
    assert sum(share.values()) > 0.05
    visit.page.check("input[name=colour][value=z]")
    visit.settle()
    assert "median" in visit.page.locator("#legend-items").inner_text()
    assert visit.errors == [] and visit.outside == []


def test_hover_shows_name_value_and_rank(visit: Visit) -> None:
    visit.open("?indicator=gdp-per-head&level=lad&year=2019&view=7/53.8/-1.55")
    visit.page.mouse.move(*visit.point(*LEEDS))
    tip = visit.page.locator("#tooltip")
    tip.wait_for(state="visible")
    text = tip.inner_text()
    assert "Leeds" in text and "£" in text and "2019" in text and "of 361" in text


def test_clicking_an_area_opens_its_panel_with_a_chart(visit: Visit) -> None:
    visit.open("?indicator=gdp-per-head&level=lad&year=2019&view=7/53.8/-1.55")
    visit.page.mouse.click(*visit.point(*LEEDS))
    visit.page.locator("#panel").wait_for(state="visible")
    visit.page.wait_for_function(
        "() => document.querySelector('#panel-title').textContent === 'Leeds'"
    )
    body = visit.page.locator("#panel-body")
    body.locator(".chart svg path").first.wait_for()
    text = body.inner_text()
    assert "Ranked" in text and "median of the" in text and "UK local authority" in text
    assert "Since 2010" in text
    assert body.locator(".chip").count() >= 1  # better / similar / worse reading
    assert body.locator(".others li").count() >= 3  # the area's other indicators
    query = parse_qs(urlparse(visit.page.url).query)
    assert query["areas"] == ["E08000035"]


def test_search_and_compare_up_to_four_areas(visit: Visit) -> None:
    visit.open("?indicator=gdp-per-head&level=lad&year=2019&areas=E08000035")
    visit.page.get_by_role("button", name="Compare with another area").click()
    search = visit.page.get_by_role("combobox", name="Find an area")
    search.fill("Bradfo")
    visit.page.locator("#search-results li").first.wait_for()
    visit.page.keyboard.press("ArrowDown")
    visit.page.keyboard.press("Enter")
    visit.page.wait_for_function("() => window.levelup.state().areas.length === 2")
    visit.page.wait_for_function(
        "() => document.querySelector('.chart-key')?.textContent.includes('Bradford')"
    )
    key = visit.page.locator(".chart-key").inner_text()
    assert "Leeds" in key and "Bradford" in key
    assert visit.page.locator(".chart svg path[stroke='#D55E00']").count() == 1


def test_permalink_restores_the_same_view(visit: Visit, browser) -> None:
    query = (
        "?indicator=claimant-count&variant=rate&level=lad&year=2015&colour=rank"
        "&areas=E08000035,E08000032&view=8.00/53.8000/-1.6000"
    )
    visit.open(query)
    state = visit.page.evaluate("() => window.levelup.state()")
    assert (state["indicator"], state["level"], state["year"], state["colour"]) == (
        "claimant-count",
        "lad",
        2015,
        "rank",
    )
    assert state["areas"] == ["E08000035", "E08000032"]
    assert abs(state["view"]["zoom"] - 8) < 0.05 and abs(state["view"]["lat"] - 53.8) < 0.01
    assert visit.page.locator("#indicator").input_value() == "claimant-count"
    assert visit.page.locator("#year-label").inner_text() == "2015"
    assert visit.page.locator("input[name=colour][value=rank]").is_checked()
    visit.page.wait_for_function(
        "() => document.querySelector('#panel-title').textContent === 'Leeds'"
    )
    # reloading the URL the page wrote gives the same state
    written = visit.page.url
    visit.page.goto(written)
    visit.page.wait_for_selector("body[data-ready=true]")
    again = visit.page.evaluate("() => window.levelup.state()")
    assert {k: again[k] for k in ("indicator", "level", "year", "colour", "areas")} == {
        k: state[k] for k in ("indicator", "level", "year", "colour", "areas")
    }


def test_play_animates_through_the_years(visit: Visit) -> None:
    visit.open("?indicator=claimant-count&level=rgn&year=2020")
    visit.page.get_by_role("button", name="Play through the years").click()
    visit.page.wait_for_function("() => window.levelup.state().year > 2020", timeout=10000)
    visit.page.get_by_role("button", name="Pause").click()


def test_downloads_and_qgis_box_point_at_this_view(visit: Visit) -> None:
    visit.open("?indicator=gdp-per-head&level=lad&year=2019")
    visit.page.locator("details.downloads summary").click()
    geojson = visit.page.locator("#dl-geojson").get_attribute("href")
    assert "data.geojson" in geojson and "year=2019" in geojson and "bbox=" in geojson
    assert (
        visit.page.locator("#qgis-url")
        .input_value()
        .endswith("/tiles/gdp-per-head.current-prices.lad.2019/{z}/{x}/{y}.pbf")
    )
    tileset = visit.page.request.get(
        f"{visit.base}/api/tilesets/gdp-per-head.current-prices.lad.2019"
    ).json()
    assert visit.page.locator("#qgis-max").inner_text() == str(tileset["maxzoom"]) == "10"
    response = visit.page.request.get(f"{visit.base}{geojson}")
    assert response.ok and response.json()["type"] == "FeatureCollection"
    for link, kind in (("#dl-gpkg", "gpkg"), ("#dl-qlr", "qlr")):  # open styled in QGIS
        href = visit.page.locator(link).get_attribute("href")
        assert href.endswith(f"/downloads/gdp-per-head.current-prices.lad.2019.{kind}"), href
        assert visit.page.request.get(href).ok


def test_controls_are_labelled_for_keyboard_and_screen_readers(visit: Visit) -> None:
    visit.open()
    for name in ("Indicator", "Measure", "Geography", "Year", "Find an area"):
        assert visit.page.get_by_label(name).count() >= 1, name
    visit.page.keyboard.press("Tab")
    assert visit.page.evaluate("() => document.activeElement.className") == "skip"
    assert visit.page.locator("#announce").get_attribute("aria-live") == "polite"
    assert "Showing" in visit.page.locator("#announce").inner_text()


def test_phone_sized_screen(browser, live_server) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    visit = Visit(page, live_server)
    visit.open("?areas=E08000035")
    assert page.locator("#drawer-toggle").is_visible()
    box = page.locator("#controls").bounding_box()
    assert box is not None and box["x"] + box["width"] <= 0  # drawer closed: the map is visible
    page.locator("#drawer-toggle").click()
    page.wait_for_function(
        "() => document.querySelector('#controls').getBoundingClientRect().x >= 0"
    )
    assert page.locator("#panel").is_visible()
    page.screenshot(path=ARTIFACTS / "web-phone.png")
    assert visit.errors == [] and visit.outside == []
    context.close()


def test_inequality_view_draws_countries_over_time(visit: Visit) -> None:
    visit.open("?tab=inequality")
    chart = visit.page.locator("#ineq-chart svg")
    chart.wait_for()
    assert visit.page.locator("#view-map").is_hidden()
    key = visit.page.locator("#ineq-chart .chart-key").inner_text()
    assert "Deutschland" in key and "United Kingdom" in key
    assert "boundaries change" in visit.page.locator("#ineq-note").inner_text().lower()
    visit.page.select_option("#ineq-measure", "gini")
    visit.page.wait_for_function(
        "() => document.querySelector('#ineq-chart h3').textContent.startsWith('Gini')"
    )
    assert "ineq_measure=gini" in visit.page.url
    csv = visit.page.locator("#ineq-csv").get_attribute("href")
    assert visit.page.request.get(f"{visit.base}{csv}").text().startswith("indicator,variant")
    assert visit.errors == [] and visit.outside == []


def test_compare_view_north_of_england_against_the_netherlands(visit: Visit) -> None:
    visit.open("?tab=compare")
    visit.page.locator("#cmp-chart svg").wait_for()
    key = visit.page.locator("#cmp-chart .chart-key").inner_text()
    assert "The North of England" in key and "Nederland" in key
    assert "total ÷ population" in visit.page.locator("#cmp-methods").inner_text()
    visit.page.select_option("#cmp-add", "group:midlands-engine")
    visit.page.wait_for_function(
        "() => document.querySelector('#cmp-chart .chart-key').textContent.includes('Midlands')"
    )
    assert "group%3Amidlands-engine" in visit.page.url or "group:midlands-engine" in visit.page.url
    assert visit.errors == [] and visit.outside == []
