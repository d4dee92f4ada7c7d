"""A bounded wrk run against the real server: zero errors, steady memory, percentiles shown.

wrk (Debian package) drives `levelup serve` over loopback with 100 connections, cycling
through a shuffled mix of tiles, TileJSON, styles and CSV/GeoJSON extracts. The server's
resident memory (all its processes) is sampled throughout: once every URL has been seen it
must stop growing, because every cache is bounded.
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from bench import wrk
from bench.serve_vs_tileserver import wait_until_up
from tests.conftest import free_port
from tiles.manifest import tileset_file

SECONDS = int(os.environ.get("LEVELUP_LOAD_SECONDS", "40"))
TILESETS = [
    "gdp-per-head.current-prices.lad.2019",
    "gdp-per-head.current-prices.lad.2023",
    "claimant-count.rate.rgn.2024",
    "eu-gdp-per-head.eur.nuts2.2019",
]


def _paths(data_dir: Path) -> list[str]:
    """Every stored tile of a few tilesets, plus TileJSON, styles and extracts, shuffled."""
    paths = []
    for tileset in TILESETS:
        with sqlite3.connect(f"file:{tileset_file(data_dir, tileset)}?mode=ro", uri=True) as db:
            rows = db.execute("SELECT zoom_level, tile_column, tile_row FROM map").fetchall()
        paths += [f"/tiles/{tileset}/{z}/{x}/{(1 << z) - 1 - r}.pbf" for z, x, r in rows]
        paths += [f"/tiles/{tileset}.json", f"/styles/{tileset}.json"] * 20
    paths += ["/api/indicators/claimant-count/data.csv?level=rgn&years=2024"] * 20
    paths += ["/api/indicators/gdp-per-head/data.geojson?level=rgn&year=2019"] * 5
    paths += ["/api/indicators/gdp-per-head/data.csv?level=lad"] * 5
    random.Random(3).shuffle(paths)
    return paths


class MemorySampler(threading.Thread):
    """Resident memory of a process and its children, sampled every quarter second."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.samples: list[tuple[float, int]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        started = time.monotonic()
        while not self.stop.wait(0.25):
            processes = [self.process, *self.process.children(recursive=True)]
            rss = sum(p.memory_info().rss for p in processes if p.is_running())
            self.samples.append((time.monotonic() - started, rss))

    def peak_between(self, start: float, end: float) -> int:
        """Largest sample between two times (seconds from the start)."""
        return max(rss for t, rss in self.samples if start <= t < end)


@pytest.mark.slow
def test_bounded_load_has_no_errors_and_steady_memory(data_dir: Path, tmp_path: Path) -> None:
    paths_file = tmp_path / "paths.txt"
    paths = _paths(data_dir)
    paths_file.write_text("\n".join(paths) + "\n")
    port = free_port()
    command = [sys.executable, "-m", "levelup_cli", "serve", "--data-dir", str(data_dir)]
    server_log = tmp_path / "server.log"
    with server_log.open("wb") as log:
        server = subprocess.Popen([*command, "--port", str(port)], stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/healthz", server, timeout=30)
        sampler = MemorySampler(server.pid)
        sampler.start()
        load = wrk.run(base, paths_file, seconds=SECONDS, connections=100, count_statuses=True)
        sampler.stop.set()
        sampler.join()
    finally:
        server.terminate()
        server.wait(timeout=20)
    third = SECONDS / 3
    early, late = sampler.peak_between(third, 2 * third), sampler.peak_between(2 * third, SECONDS)
    print(
        f"\n{len(paths):,} URLs, {SECONDS} s, 100 connections: {load.requests:,} requests, "
        f"{load.rps:,.0f} req/s, p50 {load.p50_ms:.1f} ms, p99 {load.p99_ms:.1f} ms, "
        f"max {load.max_ms:,.0f} ms, "
        f"{load.errors} errors; RSS {early / 1e6:.0f} MB -> {late / 1e6:.0f} MB\n{load.breakdown}"
    )
    assert load.errors == 0, (load.breakdown, server_log.read_text()[-4000:])
    assert load.requests > 5 * len(paths)  # every URL was asked for many times over
    assert late <= early * 1.05 + 16e6, (early, late)  # no growth once warm
