"""Serving: levelup (1 and 2 granian workers, and 1 uvicorn worker) against TileServer GL light
on the same MBTiles, and against the ceiling of Python here: a bare uvicorn app sending a
constant 700-byte body (it and levelup with 1 worker run in turns, three times each, and are
compared by their medians; the constant app on granian is shown too).

The same shuffled list of every existing tile URL of one tileset is replayed by wrk against
each server in one run (gzip accepted, as browsers and QGIS send). Also times the national
district GeoJSON extract, cold (first request) and warm (median of ten).
"""

from __future__ import annotations

import json
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench import wrk
from tiles.manifest import tileset_file

TILESET = "gdp-per-head.current-prices.lad.2019"
GEOJSON = "/api/indicators/gdp-per-head/data.geojson?level=lad&year=2019"
PEERS = Path(__file__).with_name("peers")
TILESERVER = PEERS / "node_modules" / ".bin" / "tileserver-gl"


def free_port() -> int:
    """A free port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def install_peer() -> None:
    """Install tileserver-gl-light from npm (its sqlite3 binding compiled from source)."""
    if not TILESERVER.exists():
        subprocess.run(
            ["npm", "install", "--foreground-scripts", "--no-audit", "--no-fund"],
            cwd=PEERS,
            check=True,
        )


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Poll `url` until it answers."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server at {url} did not start") from None
            time.sleep(0.3)


def tile_paths(mbtiles: Path, prefix: str) -> list[str]:
    """Every stored tile of an MBTiles file as URL paths, shuffled the same way each run."""
    rows = sqlite3.connect(mbtiles).execute("SELECT zoom_level, tile_column, tile_row FROM map")
    paths = [f"{prefix}/{z}/{x}/{(1 << z) - 1 - row}.pbf" for z, x, row in rows]
    random.Random(7).shuffle(paths)
    return paths


def _write(paths: list[str], target: Path) -> Path:
    target.write_text("\n".join(paths) + "\n")
    return target


def ours(
    data_dir: Path,
    workers: int,
    paths: Path,
    seconds: int,
    *,
    extract: bool = True,
    server: str = "granian",
) -> tuple[wrk.Load, list[float], int]:
    """wrk against `levelup serve` on `server`; with `extract`, also the national GeoJSON
    extract (seconds of each of eleven requests in a row, bytes)."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "levelup_cli",
            "serve",
            "--data-dir",
            str(data_dir),
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--server",
            server,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/healthz", process)
        load = wrk.run(base, paths, seconds=seconds)
        times, size = [], 0
        for _ in range(11 if extract else 0):  # the first is cold, the rest warm
            started = time.perf_counter()
            with urllib.request.urlopen(f"{base}{GEOJSON}") as response:
                size = len(response.read())
            times.append(time.perf_counter() - started)
        return load, times, size
    finally:
        process.terminate()
        process.wait(timeout=20)


def bare(
    paths: Path,
    seconds: int,
    replay: tuple[Path, str] | None = None,
    *,
    granian: bool = False,
) -> wrk.Load:
    """wrk against the bare uvicorn app (the same URLs, each answered with the constant body,
    or, given `replay` (an MBTiles file and the URL prefix), with that tile's own bytes); with
    `granian`, the constant app on granian instead."""
    port = free_port()
    which = ["--granian"] if granian else [str(replay[0]), replay[1]] if replay else []
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.bare_app", str(port), *which],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        first = paths.read_text().split("\n", 1)[0]  # a tile both apps answer with 200
        wait_until_up(f"{base}{first}", process)
        return wrk.run(base, paths, seconds=seconds)
    finally:
        process.terminate()
        process.wait(timeout=20)


def tileserver(mbtiles: Path, work: Path, paths: Path, seconds: int) -> wrk.Load:
    """wrk against tileserver-gl-light serving the same MBTiles, from a small config.json."""
    folder = work / "tileserver"
    folder.mkdir(exist_ok=True)
    shutil.copy(mbtiles, folder / "lad.mbtiles")
    config = {
        "options": {"paths": {"root": "", "mbtiles": str(folder)}},
        "data": {"lad": {"mbtiles": "lad.mbtiles"}},
    }
    (folder / "config.json").write_text(json.dumps(config))
    port = free_port()
    process = subprocess.Popen(
        [
            str(TILESERVER),
            "--config",
            str(folder / "config.json"),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/data/lad.json", process)
        return wrk.run(base, paths, seconds=seconds)
    finally:
        process.terminate()
        process.wait(timeout=20)


ROUNDS = 3  # the ceiling and levelup (1 worker) are run in turns this many times each


def _median(loads: list[wrk.Load]) -> wrk.Load:
    """The run with the median throughput (this machine's speed drifts from run to run)."""
    return sorted(loads, key=lambda load: load.rps)[len(loads) // 2]


def run(data_dir: Path, work: Path, seconds: int = 20) -> dict[str, Any]:
    """Run the serving benchmark on a built data directory."""
    install_peer()
    mbtiles = tileset_file(data_dir, TILESET)
    listed = tile_paths(mbtiles, f"/tiles/{TILESET}")
    ours_paths = _write(listed, work / "paths-ours.txt")
    peer_paths = _write(tile_paths(mbtiles, "/data/lad"), work / "paths-peer.txt")
    peer = tileserver(mbtiles, work, peer_paths, seconds)
    ceilings, ones, extract_s, extract_bytes = [], [], [], 0
    for round_ in range(ROUNDS):  # in turns, so that drift in the machine's speed falls on both
        ceilings.append(bare(ours_paths, seconds))
        one, times, size = ours(data_dir, 1, ours_paths, seconds, extract=round_ == 0)
        ones.append(one)
        if times:
            extract_s, extract_bytes = times, size
    alike = bare(ours_paths, seconds, replay=(mbtiles, f"/tiles/{TILESET}"))
    bare_granian = bare(ours_paths, seconds, granian=True)
    on_uvicorn, _, _ = ours(data_dir, 1, ours_paths, seconds, extract=False, server="uvicorn")
    two, _, _ = ours(data_dir, 2, ours_paths, seconds, extract=False)
    return {
        "tileset": TILESET,
        "urls": len(listed),
        "seconds": seconds,
        "connections": 50,
        "rounds": ROUNDS,
        "tileserver_gl_light": peer.__dict__,
        "levelup_1_worker": _median(ones).__dict__,
        "levelup_1_worker_runs": [load.__dict__ for load in ones],
        "levelup_2_workers": two.__dict__,
        "levelup_1_worker_uvicorn": on_uvicorn.__dict__,
        "bare_granian": bare_granian.__dict__,
        "bare_uvicorn": _median(ceilings).__dict__,
        "bare_uvicorn_runs": [load.__dict__ for load in ceilings],
        "bare_uvicorn_tile_like": alike.__dict__,
        "national_geojson": {
            "cold_s": extract_s[0],
            "warm_s": statistics.median(extract_s[1:]),
            "bytes": extract_bytes,
        },
    }


def report(r: dict[str, Any]) -> str:
    """Printable table with ratios against TileServer GL light."""
    peer = r["tileserver_gl_light"]
    lines = [
        f"Serving: {r['urls']:,} tile URLs of {r['tileset']} (shuffled), wrk 2 threads, "
        f"{r['connections']} connections, {r['seconds']} s each",
        f"{'server':26}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'vs peer':>10}",
    ]
    for name, key in (
        ("bare uvicorn (ceiling)", "bare_uvicorn"),
        ("bare, the same bytes", "bare_uvicorn_tile_like"),
        ("bare granian (constant)", "bare_granian"),
        ("TileServer GL light", "tileserver_gl_light"),
        ("levelup, 1 worker", "levelup_1_worker"),
        ("levelup, 2 workers", "levelup_2_workers"),
        ("levelup, 1 uvicorn worker", "levelup_1_worker_uvicorn"),
    ):
        if key not in r:  # results of an earlier version of this bench
            continue
        m = r[key]
        lines.append(
            f"{name:26}{m['rps']:>10,.0f}{m['p50_ms']:>9.2f}{m['p99_ms']:>9.2f}"
            f"{m['errors']:>8}{m['rps'] / peer['rps']:>9.2f}x"
        )
    lines.append("targets: >= 2x the peer's req/s, p99 < 20 ms at 50 connections, zero errors")
    ceiling = r["bare_uvicorn"]["rps"]
    runs = ", ".join(f"{m['rps']:,.0f}" for m in r.get("bare_uvicorn_runs", []))
    ones = ", ".join(f"{m['rps']:,.0f}" for m in r.get("levelup_1_worker_runs", []))
    lines.append(
        f"levelup, 1 worker, against the bare uvicorn ceiling (medians of {r.get('rounds', 1)} "
        f"runs each, taken in turns: ceiling {runs}; levelup {ones}): "
        f"{r['levelup_1_worker']['rps'] / ceiling:.2f}x (target >= 0.8x)"
    )
    if "bare_uvicorn_tile_like" in r:
        alike = r["bare_uvicorn_tile_like"]["rps"]
        lines.append(
            f"levelup, 1 worker, against a bare uvicorn app sending the same bytes (each tile's "
            f"own body, the same eight header fields, from a dict): "
            f"{r['levelup_1_worker']['rps'] / alike:.2f}x"
        )
    if "bare_granian" in r:
        lines.append(
            f"levelup (granian, 1 worker) against the constant app on granian: "
            f"{r['levelup_1_worker']['rps'] / r['bare_granian']['rps']:.2f}x; levelup on uvicorn "
            f"against the uvicorn ceiling: "
            f"{r['levelup_1_worker_uvicorn']['rps'] / ceiling:.2f}x"
        )
    g = r["national_geojson"]
    lines.append(
        f"national LAD GeoJSON extract: {g['bytes'] / 1e6:.1f} MB, cold {g['cold_s'] * 1000:.0f} "
        f"ms, warm {g['warm_s'] * 1000:.1f} ms (target <= 5 ms warm)"
    )
    return "\n".join(lines)
