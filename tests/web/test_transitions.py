"""Every view the map reaches by a change equals a fresh load of its permalink.

A seeded random walk of transitions (year, indicator, measure, geography, colouring, map or
hexes, play, Back and Forward) in one page. After each, a second page opens the permalink the
first one shows; the two canvases must be the same picture, and the tooltip at three fixed
places (on the hex map: at their areas' hexagons) must give the value /api/areas/{code} gives
for that indicator, measure, level and year. A map that keeps the previous tiles fails both:
its areas keep the old values (wrong colours, wrong tooltip), and a fresh load draws the new
ones.
"""

from __future__ import annotations

import base64
import io
import os
import random
import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlparse

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError

from tests.web.conftest import ARTIFACTS, Visit

SEED = int(os.environ.get("LEVELUP_TRANSITION_SEED", "20261130"))
STEPS = 32
VIEWPORT = {"width": 900, "height": 620}
# Antialiasing tolerance: a pixel counts as different when a channel differs by more than
# CHANNEL; the pictures are the same when at most PIXELS pixels differ (0.002% of the
# canvas). A stale map differs in whole areas: thousands of pixels.
CHANNEL, PIXELS = 24, 15
KINDS = ("year", "indicator", "measure", "level", "colour", "shape", "play", "back", "forward")
SHAPES = {"map": "Map: real boundaries", "hex": "Hexes: one hexagon per area"}


@dataclass(frozen=True)
class Place:
    """A point well inside an area, and the codes that area has at each level."""

    name: str
    lon: float
    lat: float
    codes: dict[str, tuple[str, ...]]


PLACES = (
    Place("Leeds", -1.5491, 53.8008, {"lad": ("E08000035",), "rgn": ("TLE", "E12000003")}),
    Place("Birmingham", -1.8904, 52.4862, {"lad": ("E08000025",), "rgn": ("TLG", "E12000005")}),
    Place("Cardiff", -3.1791, 51.4816, {"lad": ("W06000015",), "rgn": ("TLL", "W92000004")}),
    Place("Paris", 2.3522, 48.8566, {"nuts2": ("FR10",)}),
    Place("Berlin", 13.405, 52.52, {"nuts2": ("DE30",)}),
    Place("Madrid", -3.7038, 40.4168, {"nuts2": ("ES30",)}),
)


def canvas(page: Page) -> np.ndarray:
    """The map's WebGL canvas as an RGB array (drawn pixels only, no page overlays)."""
    url = page.evaluate("() => document.querySelector('#map canvas').toDataURL('image/png')")
    image = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGB")
    return np.asarray(image, dtype=np.int16)


def differing(a: np.ndarray, b: np.ndarray) -> int:
    """Pixels whose colour differs by more than the antialiasing tolerance."""
    assert a.shape == b.shape, (a.shape, b.shape)
    return int((np.abs(a - b).max(axis=2) > CHANNEL).sum())


def legend_pixels(page: Page, image: np.ndarray) -> int:
    """Pixels drawn in one of the legend's colours (proof that a choropleth is on screen)."""
    colours = page.eval_on_selector_all(
        "#legend-items .swatch:not(.nodata)", "els => els.map(e => e.dataset.colour)"
    )
    total = 0
    for colour in colours:
        rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
        total += int((np.abs(image - rgb).max(axis=2) <= 3).sum())
    return total


def shown_number(text: str) -> float | None:
    """The number a tooltip line shows ('£47,411 · 2023' → 47411; 'no data' → None)."""
    value = text.split("·")[0]
    if "no data" in value:
        return None
    found = re.search(r"-?[\d,]+(?:\.\d+)?", value)
    assert found, text
    return float(found.group().replace(",", ""))


class Walk:
    """The page under test, the expected history, and the checks after each transition."""

    def __init__(self, visit: Visit, fresh: Visit) -> None:
        self.visit, self.page, self.fresh = visit, visit.page, fresh
        self.rng = random.Random(SEED)
        self.history: list[str] = []
        self.at = -1
        self.areas: dict[str, dict] = {}
        self.failures: list[str] = []
        self.done: Counter[str] = Counter()
        self.before = 0  # history entries before the app's first

    def state(self) -> dict:
        return self.page.evaluate("() => window.levelup.state()")

    def settle(self) -> None:
        self.page.evaluate("() => window.levelup.idle()")
        self.page.wait_for_timeout(150)
        self.page.evaluate("() => window.levelup.idle()")

    def options(self, select: str) -> list[str]:
        return self.page.eval_on_selector_all(
            f"{select} option", "os => os.filter(o => !o.disabled).map(o => o.value)"
        )

    def pick_other(self, select: str) -> str | None:
        current = self.page.locator(select).input_value()
        others = [v for v in self.options(select) if v != current]
        return self.rng.choice(others) if others else None

    # -- transitions -----------------------------------------------------------------------

    def year(self) -> str:
        state = self.state()
        slider = self.page.locator("#year")
        last = int(slider.get_attribute("max") or 0)
        at = int(slider.input_value())
        keys = [k for k, ok in (("Home", at > 0), ("End", at < last)) if ok]
        keys += [k for k, ok in (("ArrowLeft", at > 0), ("ArrowRight", at < last)) if ok]
        key = self.rng.choice(keys)
        slider.focus()
        self.page.keyboard.press(key)
        self.page.wait_for_function(f"() => window.levelup.state().year !== {state['year']}")
        return f"year {state['year']} → {key}"

    def select(self, select: str) -> str | None:
        value = self.pick_other(select)
        if value is None:
            return None
        self.page.select_option(select, value)
        return f"{select[1:]} → {value}"

    def colour(self) -> str:
        current = self.state()["colour"]
        value = self.rng.choice([c for c in ("value", "rank", "z", "country") if c != current])
        self.page.check(f"input[name=colour][value={value}]")
        return f"colour → {value}"

    def shape(self) -> str:
        """Map to hexes or back (the same data, the other geometry)."""
        other = "map" if self.state()["shape"] == "hex" else "hex"
        self.page.get_by_role("button", name=SHAPES[other]).click()
        self.page.wait_for_function(f"() => window.levelup.state().shape === '{other}'")
        return f"shape → {other}"

    def play(self) -> str:
        before = self.state()["year"]
        self.page.get_by_role("button", name="Play through the years").click()
        self.page.wait_for_function(
            f"() => window.levelup.state().year !== {before}", timeout=15000
        )
        steps = self.rng.choice([1, 2])
        if steps == 2:
            now = self.state()["year"]
            self.page.wait_for_function(
                f"() => window.levelup.state().year !== {now}"
                " || document.querySelector('#play').getAttribute('aria-pressed') === 'false'",
                timeout=15000,
            )
        pause = self.page.get_by_role("button", name="Pause")
        if pause.count():
            pause.click()
        return f"play {before} → {self.state()['year']}"

    def travel(self, direction: str) -> str:
        self.page.evaluate(f"() => {{ setTimeout(() => history.{direction}(), 0); }}")
        target = self.history[self.at + (-1 if direction == "back" else 1)]
        self.at += -1 if direction == "back" else 1
        try:
            self.page.wait_for_function(
                "url => window.location.href === url", arg=target, timeout=5000
            )
        except PlaywrightError:  # recorded, then carry on from where Back should have led
            self.failures.append(f"{direction} led to {self.page.url}, not {target}")
            self.page.goto(target)
            self.page.wait_for_selector("body[data-ready=true]", timeout=30000)
        return f"{direction} → {urlparse(target).query}"

    def possible(self) -> list[str]:
        """The kinds of transition the page offers now."""
        years = int(self.page.locator("#year").get_attribute("max") or 0) > 0
        offers = {
            "year": years,
            "indicator": len(self.options("#indicator")) > 1,
            "measure": len(self.options("#variant")) > 1,
            "level": len(self.options("#level")) > 1,
            "colour": True,
            "shape": self.state()["shape"] == "hex"
            or self.page.get_by_role("button", name=SHAPES["hex"]).is_enabled(),
            "play": years,
            "back": self.at > 0,
            "forward": self.at < len(self.history) - 1,
        }
        return [kind for kind in KINDS if offers[kind]]

    def choose(self) -> str:
        """A random possible kind, mostly one of those done least so far."""
        kinds = self.possible()
        if self.rng.random() < 0.7:
            least = min(self.done[k] for k in kinds)
            return self.rng.choice([k for k in kinds if self.done[k] == least])
        return self.rng.choice(kinds)

    def transition(self, kind: str) -> str:
        """Do one transition of `kind`; return what was done."""
        if kind in ("back", "forward"):
            return self.travel(kind)
        done = {
            "year": self.year,
            "indicator": lambda: self.select("#indicator"),
            "measure": lambda: self.select("#variant"),
            "level": lambda: self.select("#level"),
            "colour": self.colour,
            "shape": self.shape,
            "play": self.play,
        }[kind]()
        assert done is not None, kind
        return done

    # -- checks --------------------------------------------------------------------------

    def area(self, code: str, level: str) -> dict:
        key = f"{code}|{level}"
        if key not in self.areas:
            response = self.page.request.get(f"{self.visit.base}/api/areas/{code}?level={level}")
            self.areas[key] = response.json() if response.ok else {"series": []}
        return self.areas[key]

    def expected(self, place: Place, state: dict) -> tuple[str, float | None, str] | None:
        """(name, value, period) the API gives for the place's area, or None if none."""
        for code in place.codes.get(state["level"], ()):
            detail = self.area(code, state["level"])
            for series in detail["series"]:
                if (series["indicator"], series["variant"], series["level"]) == (
                    state["indicator"],
                    state["variant"],
                    state["level"],
                ):
                    row = next((v for v in series["values"] if v["year"] == state["year"]), None)
                    if row is None:
                        return None
                    return detail["name"], row["value"], row["period"]
        return None

    def decimals(self, state: dict) -> int:
        """Decimals the indicator is shown with (from the API)."""
        tileset = f"{state['indicator']}.{state['variant']}.{state['level']}.{state['year']}"
        if tileset not in self.areas:
            response = self.page.request.get(f"{self.visit.base}/api/tilesets/{tileset}")
            self.areas[tileset] = response.json()
        return int(self.areas[tileset]["decimals"])

    def where(self, place: Place, state: dict) -> tuple[float, float]:
        """Where a place is drawn: its point on the map, or its hexagon's centre."""
        if state["shape"] != "hex":
            return self.visit.point(place.lon, place.lat)
        key = f"hexes|{state['indicator']}|{state['variant']}|{state['year']}"
        if key not in self.areas:
            self.areas[key] = self.page.request.get(
                f"{self.visit.base}/api/indicators/{state['indicator']}/hexes.geojson",
                params={"variant": state["variant"], "level": "lad", "year": str(state["year"])},
            ).json()
        code = place.codes["lad"][0]
        ring = next(
            f["geometry"]["coordinates"][0]
            for f in self.areas[key]["features"]
            if f["properties"]["code"] == code
        )
        lon, lat = np.array(ring[:-1]).mean(axis=0)
        return self.visit.point(float(lon), float(lat))

    def tooltip(self, place: Place, state: dict) -> str | None:
        """The tooltip's text at a place, or None if the place is not on the map."""
        x, y = self.where(place, state)
        box = self.page.locator("#map").bounding_box()
        assert box is not None
        inside = box["x"] + 20 < x < box["x"] + box["width"] - 60
        if not (inside and box["y"] + 20 < y < box["y"] + box["height"] - 40):
            return None
        self.page.mouse.move(box["x"] + 5, box["y"] + 5)
        self.page.wait_for_selector("#tooltip", state="hidden")
        self.page.mouse.move(x, y)
        try:
            self.page.wait_for_selector("#tooltip", state="visible", timeout=5000)
        except PlaywrightError:
            return "(no tooltip)\n(no tooltip)"
        return self.page.locator("#tooltip").inner_text()

    def check_tooltips(self, state: dict, label: str) -> None:
        try:
            self._check_tooltips(state, label)
        finally:  # off the map again, so no hover outline is left for the next picture
            self.page.mouse.move(5, VIEWPORT["height"] // 2)
            self.page.wait_for_selector("#tooltip", state="hidden")
            self.settle()

    def _check_tooltips(self, state: dict, label: str) -> None:
        places = [p for p in PLACES if state["level"] in p.codes]
        assert len(places) == 3, state["level"]
        for place in places:
            expected = self.expected(place, state)
            assert expected is not None, f"{place.name}: no API series for {state}"
            name, value, period = expected
            text = self.tooltip(place, state)
            if text is None:
                self.failures.append(f"{label}: {place.name} is not on the map")
                continue
            if text.startswith("(no tooltip)"):
                self.failures.append(f"{label}: no tooltip at {place.name}")
                continue
            lines = text.split("\n")
            shown = shown_number(lines[1])
            digits = 0 if value is None or abs(value) >= 1e5 else self.decimals(state)
            want = None if value is None else round(value, digits)
            ok = (
                lines[0] == name
                and period in lines[1]
                and (
                    (shown is None and want is None)
                    or (shown is not None and want is not None and abs(shown - want) < 10**-digits)
                )
            )
            if not ok:
                self.failures.append(
                    f"{label}: tooltip at {place.name} says {text!r}; the API gives "
                    f"{name} {value} for {period}"
                )

    def check(self, label: str) -> None:
        url = self.page.url
        state = self.state()
        picture = canvas(self.page)
        self.fresh.page.goto(url, wait_until="commit")  # loads while the tooltips are read
        self.check_tooltips(state, label)
        self.fresh.page.wait_for_selector("body[data-ready=true]", timeout=30000)
        self.fresh.page.evaluate("() => window.levelup.idle()")
        reference = canvas(self.fresh.page)
        drawn = legend_pixels(self.fresh.page, reference)
        assert drawn > 2000, f"{label}: the fresh load drew no choropleth ({drawn} pixels)"
        off = differing(picture, reference)
        if off > PIXELS:
            self.failures.append(
                f"{label}: {off} pixels differ from a fresh load of {urlparse(url).query}"
            )
            ARTIFACTS.mkdir(exist_ok=True)  # the two pictures, to look at
            Image.fromarray(picture.astype(np.uint8)).save(
                ARTIFACTS / f"transition-{len(self.failures)}-after.png"
            )
            Image.fromarray(reference.astype(np.uint8)).save(
                ARTIFACTS / f"transition-{len(self.failures)}-fresh.png"
            )

    def record(self, kind: str) -> None:
        """A new step: it replaces any forward history (as the browser's does)."""
        if kind in ("back", "forward"):
            return
        self.history = [*self.history[: self.at + 1], self.page.url]
        self.at += 1
        length = self.page.evaluate("() => history.length")
        if length != self.before + self.at + 1:
            self.failures.append(
                f"{kind}: history has {length} entries, expected {self.before + self.at + 1}"
            )


@pytest.fixture
def pages(browser: Browser, live_server: str):
    contexts = [browser.new_context(viewport=VIEWPORT) for _ in range(2)]
    try:
        yield [Visit(c.new_page(), live_server) for c in contexts]
    finally:
        for context in contexts:
            context.close()


def test_every_transition_draws_what_a_fresh_load_draws(pages: list[Visit]) -> None:
    visit, fresh = pages
    visit.open("?indicator=gdp-per-head&level=lad&year=2015")
    walk = Walk(visit, fresh)
    walk.history, walk.at = [visit.page.url], 0
    walk.before = visit.page.evaluate("() => history.length") - 1
    walk.check("first load")
    log = []
    for number in range(1, STEPS + 1):
        kind = walk.choose()
        what = walk.transition(kind)
        walk.settle()
        walk.record(kind)
        walk.done[kind] += 1
        label = f"step {number} ({what})"
        log.append(label)
        walk.check(label)
    assert visit.errors == [] and fresh.errors == [], visit.errors + fresh.errors
    assert visit.outside == [] and fresh.outside == []
    assert sum(walk.done.values()) >= 30 and all(walk.done[k] >= 1 for k in KINDS), walk.done
    summary = f"seed {SEED}: {len(walk.failures)} failures in {STEPS} transitions"
    assert walk.failures == [], "\n".join([summary, *walk.failures, "transitions:", *log])
