"""Adding your own data from the web map, in Debian's Chromium: preview, build, see, delete."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from levelup.settings import Settings
from server.app import create_app
from tests.conftest import clone_data_dir, running_server
from tests.pipeline.byod.tables import messy_wide, plain
from tests.web.conftest import ARTIFACTS, Visit, colour_share


@pytest.fixture
def upload_visit(browser: Browser, data_dir: Path, tmp_path: Path) -> Iterator[Visit]:
    """A page on a server of its own, over a data directory the test may change."""
    own = clone_data_dir(data_dir, tmp_path / "data")
    with running_server(create_app(Settings(data_dir=own, reload_interval=0))) as url:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        yield Visit(context.new_page(), url)
        context.close()


def test_upload_preview_build_show_and_delete(upload_visit: Visit, registry, tmp_path) -> None:
    visit, page = upload_visit, upload_visit.page
    visit.open()
    page.click("#upload-open")
    # A table that cannot be used says why, in the dialog.
    page.set_input_files("#upload-file", str(plain("code,value", name="empty.csv").write(tmp_path)))
    page.wait_for_selector("#upload-error:not([hidden])")
    assert "header but no rows" in page.locator("#upload-error").inner_text()
    # A real-looking wide table: the preview shows what was found before anything is built.
    table = messy_wide(registry)
    page.set_input_files("#upload-file", str(table.write(tmp_path)))
    page.wait_for_selector("#upload-facts", timeout=60000)
    facts = page.locator("#upload-facts").inner_text()
    assert "one column per year" in facts and "30 of 30 codes (100.0%)" in facts
    assert "December 2022" in facts and "E92000001" in facts
    assert page.locator("#upload-unit").input_value() == "£"
    page.fill("#upload-title", "Median pay (our survey)")
    page.fill("#upload-source", "Borough survey")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "web-upload-preview.png")
    page.click("#upload-build")
    page.wait_for_function("() => !document.getElementById('upload').open", timeout=120000)
    visit.settle()
    page.screenshot(path=ARTIFACTS / "web-upload-built.png")
    state = page.evaluate("() => window.levelup.state()")
    assert state["indicator"].startswith("user-median-pay-our-survey-")
    assert state["year"] == 2021 and state["level"] == "lad"
    chosen = page.locator("#indicator option:checked").inner_text()
    assert chosen == "Median pay (our survey) (your data)"
    assert "Borough survey" in (page.locator(".maplibregl-ctrl-attrib").text_content() or "")
    assert state["view"]["zoom"] > 5  # zoomed to where the data is
    share = colour_share(visit.map_image(), visit.legend_colours())
    assert sum(1 for s in share.values() if s > 0.001) >= 4, share  # the districts are coloured
    # Delete it again from the dialog.
    page.click("#upload-open")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click(f"#user-list button[data-remove='{state['indicator']}']")
    page.wait_for_function(
        "id => ![...document.querySelectorAll('#indicator option')].some(o => o.value === id)",
        arg=state["indicator"],
    )
    # Chromium logs the refused empty table's 422; nothing else may go wrong.
    assert [e for e in visit.errors if "status of 422" not in e] == []
    assert visit.outside == []
