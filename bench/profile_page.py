"""Area profile pages in Chromium: page weight (bytes on the wire, requests) and time to first
render, against the map page (the peer) in the same run, cold (first visit after a start:
the profile is made) and warm (kept for the build).

Usage: python -m bench.profile_page DATA_DIR   (a built data directory with tiles)
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn
from playwright.sync_api import Page, sync_playwright

from levelup.settings import Settings
from server.app import create_app

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]

PAGES = {
    "district profile (Leeds)": "/areas/E08000035",
    "combined authority profile (West Yorkshire)": "/areas/E47000003",
    "map (peer)": "/?indicator=gdp-per-head&level=lad&year=2019&view=6/54/-2.5",
}
TIMING = """() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    const all = [nav, ...performance.getEntriesByType('resource')];
    return {
        requests: all.length,
        bytes: all.reduce((sum, e) => sum + (e.transferSize || 0), 0),
        decoded: all.reduce((sum, e) => sum + (e.decodedBodySize || 0), 0),
        first_paint_ms: paint ? paint.startTime : null,
        ready_ms: performance.now(),
    };
}"""


@contextlib.contextmanager
def serving(data_dir: Path) -> Iterator[str]:
    """The levelup server on a free port of 127.0.0.1, in a thread; yields its base URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    app = create_app(Settings(data_dir=data_dir))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def measure(page: Page, url: str) -> dict[str, Any]:
    """One fresh visit (no browser cache): weight and timings once the page says it is ready."""
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]", timeout=60000)
    if "/areas/" not in url:
        page.evaluate("() => window.levelup.idle()")
    return dict(page.evaluate(TIMING))


def run(data_dir: Path) -> dict[str, Any]:
    """Every page twice (cold, then warm), each in a new browser context."""
    out: dict[str, Any] = {}
    with serving(data_dir) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name, path in PAGES.items():
            for visit in ("cold", "warm"):
                context = browser.new_context(viewport={"width": 1400, "height": 900})
                out[f"{name}, {visit}"] = measure(context.new_page(), base + path)
                context.close()
        browser.close()
    return out


def report(r: dict[str, Any]) -> str:
    """Printable table with the ratio of each page's weight and render time to the map's."""
    peer = r["map (peer), warm"]
    lines = [
        f"{'page':52}{'requests':>9}{'KB wire':>9}{'KB body':>9}{'first paint':>12}"
        f"{'ready':>8}{'KB/map':>8}{'ready/map':>10}"
    ]
    for name, m in r.items():
        lines.append(
            f"{name:52}{m['requests']:>9}{m['bytes'] / 1024:>9.0f}{m['decoded'] / 1024:>9.0f}"
            f"{m['first_paint_ms'] or 0:>10.0f}ms{m['ready_ms']:>6.0f}ms"
            f"{m['bytes'] / peer['bytes']:>8.2f}{m['ready_ms'] / peer['ready_ms']:>10.2f}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    results = run(Path(sys.argv[1]))
    print(report(results))
    print(json.dumps(results))
