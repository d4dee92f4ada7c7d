"""A real browser (Debian's Chromium, headless, driven by Playwright) on the live server."""

from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Debian chromium is required: run `make test` to install it"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


class Visit:
    """A page plus everything it logged and every request that tried to leave 127.0.0.1."""

    def __init__(self, page: Page, base: str) -> None:
        self.page, self.base = page, base
        self.errors: list[str] = []
        self.outside: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

        def gate(route, request):  # the page must work offline: nothing may leave localhost
            if request.url.startswith(base) or request.url.startswith(("data:", "blob:")):
                route.continue_()
            else:
                self.outside.append(request.url)
                route.abort()

        page.route("**/*", gate)

    def open(self, query: str = "") -> None:
        self.page.goto(f"{self.base}/{query}")
        self.page.wait_for_selector("body[data-ready=true]", timeout=30000)
        self.settle()

    def settle(self) -> None:
        self.page.evaluate("() => window.levelup.idle()")
        self.page.wait_for_timeout(300)

    def map_image(self) -> Image.Image:
        return Image.open(BytesIO(self.page.locator("#map canvas").screenshot())).convert("RGB")

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        """Page coordinates of a place on the map."""
        xy = self.page.evaluate(f"() => window.levelup.project({lon}, {lat})")
        box = self.page.locator("#map").bounding_box()
        assert box is not None
        return box["x"] + xy["x"], box["y"] + xy["y"]

    def legend_colours(self) -> list[str]:
        return self.page.eval_on_selector_all(
            "#legend-items .swatch:not(.nodata)", "els => els.map(e => e.dataset.colour)"
        )


@pytest.fixture
def visit(browser: Browser, live_server: str) -> Iterator[Visit]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield Visit(page, live_server)
    context.close()


@pytest.fixture
def full_visit(browser: Browser, full_live_server: str) -> Iterator[Visit]:
    """A page on the server of the whole catalogue (for the index and similar areas)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield Visit(page, full_live_server)
    context.close()


def colour_share(image: Image.Image, colours: list[str], tolerance: int = 6) -> dict[str, float]:
    """Share of the image's pixels close to each of `colours` (sampling every 2nd pixel)."""
    rgb = {c: tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in colours}
    counts = dict.fromkeys(colours, 0)
    total = 0
    pixels = image.load()
    for x in range(0, image.width, 2):
        for y in range(0, image.height, 2):
            total += 1
            r, g, b = pixels[x, y]
            for name, (cr, cg, cb) in rgb.items():
                if (
                    abs(r - cr) <= tolerance
                    and abs(g - cg) <= tolerance
                    and abs(b - cb) <= tolerance
                ):
                    counts[name] += 1
                    break
    return {c: n / total for c, n in counts.items()}
