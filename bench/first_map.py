"""Time to first map and the whole catalogue's build, as a user gets them: `levelup run` on
an empty data directory (the README's main command, without opening a browser).

Polls the server until the opening map (GDP per head, districts, latest year) is served with
its TileJSON and a tile of England, then until the background build has written every
tileset. Reports both times, the peak RSS of the whole process tree, tilesets, tiles, bytes
stored, disk used (allocated blocks) and the median time per tileset within the build.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from bench.proc import tree_rss
from bench.serve_vs_tileserver import free_port
from tiles.manifest import MANIFEST, read_progress
from tiles.tilemath import tiles_covering

FIRST = "gdp-per-head"
TARGET_FIRST_S = 300.0  # a coloured map within 5 minutes of `make run`
TARGET_TILESET_S = 0.060  # each further tileset, median within the full build
TARGET_RSS = 1 << 30
LEVELUP = Path(sys.executable).with_name("levelup")


def _get(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return bytes(response.read())
    except (urllib.error.URLError, OSError):
        return None


def _first_map_served(base: str) -> bool:
    """The opening map's TileJSON and one tile over England answer with data."""
    raw = _get(f"{base}/api/catalogue")
    if raw is None:
        return False
    indicator = next((i for i in json.loads(raw)["indicators"] if i["id"] == FIRST), None)
    if indicator is None:
        return False
    lad = next((lv for lv in indicator["levels"] if lv["id"] == "lad"), None)
    if lad is None or not lad["mapped_years"]:
        return False
    variant = indicator["variants"][0]["id"]
    tileset = f"{FIRST}.{variant}.lad.{lad['mapped_years'][-1]}"
    leeds = next(tiles_covering(-1.55, 53.8, -1.55, 53.8, 6))
    tile = _get(f"{base}/tiles/{tileset}/6/{leeds.x}/{leeds.y}.pbf")
    return _get(f"{base}/tiles/{tileset}.json") is not None and bool(tile)


def disk_bytes(folder: Path) -> int:
    """Bytes allocated on disk under `folder` (blocks, as `du` counts them)."""
    return sum(p.stat().st_blocks * 512 for p in folder.rglob("*") if p.is_file())


def run(data_dir: Path, timeout: float = 5400) -> dict[str, Any]:
    """Run `levelup run` on the empty `data_dir` until every tileset is built; stop it."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "LEVELUP_INDICATORS"}  # everything
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(LEVELUP), "run", "--data-dir", str(data_dir), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    base, first, finished, peak = f"http://127.0.0.1:{port}", None, None, 0
    seen_builder = False
    try:
        while finished is None:
            if process.poll() is not None:
                raise RuntimeError(f"levelup run stopped with {process.returncode}")
            if time.perf_counter() - started > timeout:
                raise RuntimeError("the catalogue was not built in time")
            peak = max(peak, tree_rss(process.pid))
            if first is None and _first_map_served(base):
                first = time.perf_counter() - started
            building = _background_build_running(data_dir)
            seen_builder = seen_builder or building
            progress = read_progress(data_dir / "tiles")
            if seen_builder and not building and progress and progress.get("finished"):
                finished = time.perf_counter() - started
            time.sleep(0.5)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
    manifest = json.loads((data_dir / "tiles" / MANIFEST).read_text())["tilesets"]
    progress = read_progress(data_dir / "tiles") or {}
    return {
        "first_map_s": first,
        "full_s": finished,
        "peak_rss": peak,
        "tilesets": len(manifest),
        "hex_tilesets": sum(1 for t in manifest if t.get("geometry")),
        "tiles": sum(t["tiles"] for t in manifest),
        "stored_bytes": sum(t["bytes"] for t in manifest),
        "tiles_disk": disk_bytes(data_dir / "tiles"),
        "data_disk": disk_bytes(data_dir),
        "tileset_seconds": progress.get("tileset_seconds"),
    }


def _background_build_running(data_dir: Path) -> bool:
    """Whether the background `levelup build --first …` of `levelup run` is running."""
    folder = str(data_dir).encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"build" in command and b"--first" in command and folder in command:
            return True
    return False


def report(r: dict[str, Any]) -> str:
    """Printable figures with their targets."""
    mb = 1 << 20
    each = r["tileset_seconds"] or {"median": float("nan"), "p90": float("nan"), "count": 0}
    return "\n".join(
        [
            "First map and the whole catalogue (`levelup run` on an empty data directory)",
            f"first coloured map served after {r['first_map_s']:.0f} s "
            f"({r['first_map_s'] / TARGET_FIRST_S:.2f}x the 300 s target)",
            f"whole catalogue built after {r['full_s']:.0f} s: {r['tilesets']:,} tilesets "
            f"({r['hex_tilesets']:,} hex), {r['tiles']:,} tiles, {r['stored_bytes'] / mb:,.0f} "
            f"MB stored, {r['tiles_disk'] / mb:,.0f} MB on disk for tiles, "
            f"{r['data_disk'] / mb:,.0f} MB for the data directory",
            f"each further tileset: median {each['median'] * 1000:.0f} ms, p90 "
            f"{each['p90'] * 1000:.0f} ms over {each['count']:,} "
            f"({each['median'] / TARGET_TILESET_S:.2f}x the 60 ms target)",
            f"peak RSS of every process (server, data build, tile workers): "
            f"{r['peak_rss'] / mb:,.0f} MB ({r['peak_rss'] / TARGET_RSS:.2f}x the 1 GB target)",
        ]
    )


if __name__ == "__main__":
    result = run(Path(sys.argv[1]))
    print(report(result))
