"""Run every benchmark in one temporary directory and save the figures to bench/results/."""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench import serve_vs_tileserver, tiles_vs_gdal


def main() -> None:
    """Tiles against GDAL, then serving against TileServer GL light, on the same build."""
    if not shutil.which("ogr2ogr") or not shutil.which("wrk"):
        raise SystemExit("needs ogr2ogr and wrk: scripts/install-system-deps bench")
    results: dict[str, object] = {"when": datetime.now(UTC).isoformat(timespec="seconds")}
    with tempfile.TemporaryDirectory(prefix="levelup-bench-") as tmp:
        work = Path(tmp)
        tiles = tiles_vs_gdal.run(work)
        print(tiles_vs_gdal.report(tiles), flush=True)
        serving = serve_vs_tileserver.run(work / "catalogue", work)
        print(serve_vs_tileserver.report(serving), flush=True)
        results |= {"tiles": tiles, "serving": serving}
    out = Path(__file__).parent / "results" / "latest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
