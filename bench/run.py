"""Run every benchmark in one temporary directory and save the figures to bench/results/."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench import (
    build_scaling,
    index_compute,
    profile_page,
    serve_vs_tileserver,
    static_vs_server,
    tiles_vs_gdal,
    wire,
)


def main() -> None:
    """Tiles against GDAL, serving against TileServer GL light and nginx on a static export,
    bytes on the wire and tile req/s against another revision, then build scaling (1 and 2
    workers, local and Dask), then the index, its intervals, similar areas and area types,
    then area profile pages against the map in Chromium, all on the same build."""
    if not all(shutil.which(tool) for tool in ("ogr2ogr", "wrk", "nginx")):
        raise SystemExit("needs ogr2ogr, wrk and nginx: scripts/install-system-deps bench")
    results: dict[str, object] = {"when": datetime.now(UTC).isoformat(timespec="seconds")}
    with tempfile.TemporaryDirectory(prefix="levelup-bench-") as tmp:
        work = Path(tmp)
        tiles = tiles_vs_gdal.run(work)
        print(tiles_vs_gdal.report(tiles), flush=True)
        serving = serve_vs_tileserver.run(work / "catalogue", work)
        print(serve_vs_tileserver.report(serving), flush=True)
        static = static_vs_server.run(work / "catalogue", work, work / "paths-ours.txt")
        print(static_vs_server.report(static, serving), flush=True)
        wired = wire.run(  # this code against another revision's (LEVELUP_BENCH_BASE), same build
            work / "catalogue", work, os.environ.get("LEVELUP_BENCH_BASE", "main")
        )
        print(wire.report(wired), flush=True)
        scaling = build_scaling.run(work / "catalogue")
        print(build_scaling.report(scaling), flush=True)
        index = index_compute.run(work / "catalogue")
        print(index_compute.report(index), flush=True)
        profiles = profile_page.run(work / "catalogue")
        print(profile_page.report(profiles), flush=True)
        results |= {
            "tiles": tiles,
            "serving": serving,
            "static": static,
            "build": scaling,
            "index": index,
            "wire": wired,
            "profiles": profiles,
        }
    out = Path(__file__).parent / "results" / "latest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
