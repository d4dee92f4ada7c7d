"""The map while `levelup run` builds the rest of the catalogue behind it: a banner with the
build's progress, and indicators appearing in the picker as their tilesets are written."""

import fcntl
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from levelup.locking import LOCK_NAME
from levelup.settings import Settings
from server.app import create_app
from tests.conftest import clone_data_dir, running_server
from tests.web.conftest import ARTIFACTS, Visit
from tiles.manifest import MANIFEST, PROGRESS

LATER = "claimant-count"  # built "later" in this test


def _write(path: Path, data: object) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data))
    temporary.replace(path)


@pytest.fixture
def building(data_dir: Path, tmp_path: Path) -> Iterator[tuple[Path, dict, int]]:
    """A data directory whose manifest lacks one indicator, mid-build by its progress file."""
    own = clone_data_dir(data_dir, tmp_path / "data")
    tiles = own / "tiles"
    full = json.loads((tiles / MANIFEST).read_text())
    kept = [t for t in full["tilesets"] if not t["id"].startswith(f"{LATER}.")]
    assert 0 < len(kept) < len(full["tilesets"])
    _write(tiles / MANIFEST, {**full, "tilesets": kept})
    planned = len(full["tilesets"])
    _write(tiles / PROGRESS, {"planned": planned, "done": len(kept), "finished": False})
    yield own, full, planned


def test_banner_shows_the_build_and_new_indicators_arrive_without_a_reload(
    browser: Browser, building: tuple[Path, dict, int]
) -> None:
    own, full, planned = building
    app = create_app(Settings(data_dir=own, reload_interval=0.0))
    writer = open(own / LOCK_NAME, "w")  # a build holds the data directory's lock  # noqa: SIM115
    fcntl.flock(writer, fcntl.LOCK_EX)
    with running_server(app) as base, writer:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        visit = Visit(page, base)
        visit.open()
        banner = page.locator("#building")
        done = planned - sum(1 for t in full["tilesets"] if t["id"].startswith(f"{LATER}."))
        assert banner.is_visible()
        assert f"{done:,} of {planned:,} tilesets ready" in banner.inner_text()
        options = page.eval_on_selector_all("#indicator option", "os => os.map(o => o.value)")
        assert LATER not in options
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / "screen-building-desktop.png")
        page.set_viewport_size({"width": 390, "height": 844})
        visit.settle()
        box = banner.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390  # on screen
        page.screenshot(path=ARTIFACTS / "screen-building-phone.png")
        page.set_viewport_size({"width": 1400, "height": 900})

        tiles = own / "tiles"  # the build writes the rest and finishes
        _write(tiles / MANIFEST, full)
        _write(tiles / PROGRESS, {"planned": planned, "done": planned, "finished": True})
        fcntl.flock(writer, fcntl.LOCK_UN)
        page.evaluate("() => window.levelup.checkBuild()")
        page.wait_for_function("() => document.querySelector('#building').hidden")
        options = page.eval_on_selector_all("#indicator option", "os => os.map(o => o.value)")
        served = visit.page.evaluate("() => fetch('/api/catalogue').then(r => r.json())")
        mapped = {
            i["id"]
            for i in served["indicators"]
            if any(level["mapped_years"] for level in i["levels"])
        }
        assert LATER in options and set(options) == mapped  # the picker is the API's catalogue
        state = page.evaluate("() => window.levelup.state()")
        assert state["indicator"] == "gdp-per-head"  # the view the person had is kept
        assert visit.errors == [] and visit.outside == []
        page.close()


def test_a_build_that_stopped_is_not_shown_as_building(
    browser: Browser, building: tuple[Path, dict, int]
) -> None:
    own, _, _ = building  # "not finished" on disk, but nothing holds the lock: it crashed
    with running_server(create_app(Settings(data_dir=own, reload_interval=0.0))) as base:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        visit = Visit(page, base)
        visit.open()
        health = page.evaluate("() => fetch('/healthz').then(r => r.json())")
        assert health["build"]["finished"] is False and health["build"]["running"] is False
        assert page.locator("#building").is_hidden()
        page.close()
