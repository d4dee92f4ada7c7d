"""Run every benchmark in one temporary directory and save the figures to bench/results/.

    python -m bench.run [SECTION ...]

Sections, in order (default all): first-map (builds the whole catalogue with `levelup run`,
which every later section reads), tiles, serving, static, wire, build, index, profiles.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import (
    build_scaling,
    first_map,
    index_compute,
    profile_page,
    serve_vs_tileserver,
    static_vs_server,
    tiles_vs_gdal,
    wire,
)

SECTIONS = ("first-map", "tiles", "serving", "static", "wire", "build", "index", "profiles")


def _sections(work: Path, wanted: set[str]) -> dict[str, Any]:
    catalogue = work / "catalogue"
    results: dict[str, Any] = {}
    first = first_map.run(catalogue)  # always: the other sections read its build
    print(first_map.report(first), flush=True)
    results["first_map"] = first
    if "tiles" in wanted:
        results["tiles"] = tiles_vs_gdal.run(work, catalogue)
        print(tiles_vs_gdal.report(results["tiles"]), flush=True)
    if wanted & {"serving", "static"}:
        results["serving"] = serve_vs_tileserver.run(catalogue, work)
        print(serve_vs_tileserver.report(results["serving"]), flush=True)
    if "static" in wanted:
        results["static"] = static_vs_server.run(catalogue, work, work / "paths-ours.txt")
        print(static_vs_server.report(results["static"], results["serving"]), flush=True)
    if "wire" in wanted:  # this code against another revision's (LEVELUP_BENCH_BASE), same build
        results["wire"] = wire.run(catalogue, work, os.environ.get("LEVELUP_BENCH_BASE", "main"))
        print(wire.report(results["wire"]), flush=True)
    if "build" in wanted:
        results["build"] = build_scaling.run(catalogue)
        print(build_scaling.report(results["build"]), flush=True)
    if "index" in wanted:
        results["index"] = index_compute.run(catalogue)
        print(index_compute.report(results["index"]), flush=True)
    if "profiles" in wanted:
        results["profiles"] = profile_page.run(catalogue)
        print(profile_page.report(results["profiles"]), flush=True)
    return results


def main() -> None:
    """The whole catalogue built as a user builds it, then tiles against GDAL and tippecanoe,
    serving against TileServer GL light, a bare uvicorn app and nginx on a static export,
    bytes on the wire against another revision, build scaling (1 and 2 workers, local and
    Dask), the index, and area profile pages against the map in Chromium, on the same build."""
    wanted = set(sys.argv[1:]) or set(SECTIONS)
    unknown = wanted - set(SECTIONS)
    if unknown:
        raise SystemExit(f"unknown sections {sorted(unknown)}; choose from {', '.join(SECTIONS)}")
    if not all(shutil.which(tool) for tool in ("ogr2ogr", "wrk", "nginx")):
        raise SystemExit("needs ogr2ogr, wrk and nginx: scripts/install-system-deps bench")
    results: dict[str, Any] = {"when": datetime.now(UTC).isoformat(timespec="seconds")}
    with tempfile.TemporaryDirectory(prefix="levelup-bench-") as tmp:
        results |= _sections(Path(tmp), wanted)
    out = Path(__file__).parent / "results" / "latest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
