"""Area profile pages in a real browser: every indicator the API has for the area is on the
page, a combined authority's page is its dashboard, and printed it is one A4 landscape page
per topic. Screenshots of a district, a combined authority and its print view."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page

from tests.web.conftest import ARTIFACTS, Visit

LEEDS, WEST_YORKSHIRE = "E08000035", "E47000003"
SIZES = {"desktop": (1400, 900), "phone": (390, 844)}
A4_LANDSCAPE = (1123, 794)  # CSS pixels of an A4 landscape sheet


def open_profile(browser: Browser, base: str, code: str, size: tuple[int, int]) -> Visit:
    phone = size[0] < 500
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]}, is_mobile=phone, has_touch=phone
    )
    visit = Visit(context.new_page(), base)
    visit.page.goto(f"{base}/areas/{code}")
    visit.page.wait_for_selector("body[data-ready=true]", timeout=30000)
    return visit


def valued_indicators(page: Page, base: str, code: str) -> set[str]:
    area = page.request.get(f"{base}/api/areas/{code}").json()
    return {
        s["indicator"] for s in area["series"] if any(v["value"] is not None for v in s["values"])
    }


@pytest.mark.parametrize("code", [LEEDS, WEST_YORKSHIRE])
def test_the_page_lists_every_indicator_the_api_has(
    browser: Browser, live_server: str, code: str
) -> None:
    visit = open_profile(browser, live_server, code, SIZES["desktop"])
    page = visit.page
    shown = page.eval_on_selector_all("article.card", "els => els.map(e => e.dataset.indicator)")
    expected = valued_indicators(page, live_server, code)
    assert expected and expected <= set(shown), expected - set(shown)
    assert len(shown) == len(set(shown))
    # the headline figure of a card is the API's latest value, as the map formats it
    level = page.request.get(f"{live_server}/api/profiles/{code}").json()["level"]
    area = page.request.get(f"{live_server}/api/areas/{code}?level={level}").json()
    series = next(
        s
        for s in area["series"]
        if s["indicator"] == "gdp-per-head" and s["variant"] == "current-prices"
    )
    latest = [v for v in series["values"] if v["value"] is not None][-1]
    card = page.locator('article.card[data-indicator="gdp-per-head"]')
    assert card.locator(".value strong").inner_text() == f"£{latest['value']:,.0f}"
    assert str(latest["period"]) in card.locator(".value span").inner_text()
    assert card.locator(".rank").inner_text().startswith(f"{latest['rank']}")
    link = card.get_by_role("link", name=re.compile("See it on the map")).get_attribute("href")
    assert link and f"areas={code}" in link and "indicator=gdp-per-head" in link
    assert visit.errors == [] and visit.outside == []
    page.context.close()


def test_a_combined_authority_page_is_its_dashboard(
    browser: Browser, full_live_server: str
) -> None:
    # the whole catalogue: the dashboard's housing and transport sections need its indicators
    visit = open_profile(browser, full_live_server, WEST_YORKSHIRE, SIZES["desktop"])
    page = visit.page
    titles = page.eval_on_selector_all(
        "section.topic h2", "els => els.map(e => e.lastChild.textContent.trim())"
    )
    assert titles[:5] == ["Productivity", "Jobs", "Skills", "Housing", "Transport and connections"]
    bars = page.locator('section.dashboard article[data-indicator="gdp-per-head"] .districts li')
    assert bars.count() == 5
    page.get_by_role("link", name="Leeds").first.click()  # a district's own profile
    page.wait_for_url(f"**/areas/{LEEDS}")
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator("h1").inner_text() == "Leeds"
    assert visit.errors == []
    page.context.close()


@pytest.mark.parametrize("code", [LEEDS, WEST_YORKSHIRE])
def test_printed_it_is_one_a4_landscape_page_per_topic(
    browser: Browser, live_server: str, code: str
) -> None:
    visit = open_profile(browser, live_server, code, A4_LANDSCAPE)
    page = visit.page
    topics = page.locator("section.topic").count()
    pdf = page.pdf(format="A4", landscape=True, prefer_css_page_size=True, print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == topics + 1, (pages, topics)  # the area itself, then a page per topic
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf)
    assert box and round(float(box[1])) == 842 and round(float(box[2])) == 595  # A4 landscape
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name, code", [("district", LEEDS), ("cauth", WEST_YORKSHIRE)])
def test_profile_screens(browser: Browser, live_server: str, name: str, code: str, size: str):
    visit = open_profile(browser, live_server, code, SIZES[size])
    page = visit.page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"screen-profile-{name}-{size}.png")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= SIZES[size][0]
    assert visit.errors == [] and visit.outside == []
    if name == "cauth" and size == "desktop":  # how it prints (the same from any screen)
        print_sheets(page, ARTIFACTS / "screen-profile-cauth-print.png", 3)
    page.context.close()


def print_sheets(page: Page, path, count: int) -> None:
    """The first `count` printed sheets, one under another: each page (the area, then a topic) laid
    out at the printable width of A4 landscape and set on its sheet with the page margins."""
    width, height = A4_LANDSCAPE
    margin_x, margin_y = round(10 / 25.4 * 96), round(9 / 25.4 * 96)
    page.set_viewport_size({"width": width - 2 * margin_x, "height": height - 2 * margin_y})
    page.emulate_media(media="print")
    sheets = Image.new("RGB", (width + 48, count * (height + 24) + 24), "#8a8f93")
    for i, element in enumerate(page.locator(".cover, section.topic").all()[:count]):
        shot = Image.open(BytesIO(element.screenshot())).convert("RGB")
        assert shot.height <= height - 2 * margin_y + 2, "a page runs onto a second sheet"
        sheet = Image.new("RGB", (width, height), "white")
        sheet.paste(shot, (margin_x, margin_y))
        sheets.paste(sheet, (24, 24 + i * (height + 24)))
    sheets.save(path)
