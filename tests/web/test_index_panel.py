"""The area panel's index section in Chromium: its numbers are the API's."""

from __future__ import annotations

import json
import urllib.request

from tests.web.conftest import ARTIFACTS, Visit

LEEDS = "E08000035"


def test_panel_shows_the_index_pillars_struggles_and_similar_areas(visit: Visit) -> None:
    visit.open(f"?indicator=gdp-per-head&level=lad&year=2019&areas={LEEDS}&view=6/54/-2")
    section = visit.page.locator("#index-section")
    section.locator(".index-rank").wait_for(timeout=30000)
    section.locator(".similar li").first.wait_for(timeout=30000)
    with urllib.request.urlopen(f"{visit.base}/api/indexes/prosperity/areas/{LEEDS}") as answer:
        api = json.load(answer)
    with urllib.request.urlopen(f"{visit.base}/api/similar/{LEEDS}?set=global&count=5") as answer:
        similar = json.load(answer)
    o = api["overall"]
    rank = section.locator(".index-rank").inner_text()
    assert f"of {o['of']}" in rank and f"likely {o['rank_low']}–{o['rank_high']}" in rank
    struggles = section.locator(".struggles li").all_inner_texts()
    titles = {p["id"]: p["title"] for p in api["pillars"]}
    assert [s.split(" — ")[0] for s in struggles] == [titles[p] for p in api["weakest"]]
    shown = section.locator(".similar li button").all_inner_texts()
    assert shown == [n["name"] for n in similar["neighbours"]]
    distances = section.locator(".similar li .value").all_inner_texts()
    assert distances == [f"{n['distance']:.2f}" for n in similar["neighbours"]]
    bars = section.locator(".index-chart rect").count()
    assert bars == sum(1 for p in api["pillars"] if p["score"] is not None)
    section.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    visit.page.screenshot(path=ARTIFACTS / "web-index-panel.png")
    section.locator(".similar li button").first.click()
    visit.page.wait_for_function(
        f"() => document.querySelector('#panel-title').textContent === {json.dumps(shown[0])}"
    )
    assert visit.errors == [] and visit.outside == []
