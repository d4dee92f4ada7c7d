"""Build throughput: the full catalogue's tilesets on 1 and 2 workers, local processes and Dask.

Each run is `levelup build --force` on the same data directory, whose joined data and
geometry pyramids are already built, so every run redoes exactly the per-tileset work.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench.proc import measure

RUNS = [
    ("local processes, 1 worker", ["--workers", "1"]),
    ("local processes, 2 workers", ["--workers", "2"]),
    ("Dask LocalCluster, 1 worker", ["--workers", "1", "--scheduler", "local"]),
    ("Dask LocalCluster, 2 workers", ["--workers", "2", "--scheduler", "local"]),
]


def run(data_dir: Path) -> dict[str, Any]:
    """Rebuild every tileset of an already built `data_dir` once per configuration."""
    results = []
    for name, options in RUNS:
        command = [sys.executable, "-m", "levelup_cli", "build", "--force", "-q"]
        measured = measure([*command, "--data-dir", str(data_dir), *options], interval=0.5)
        assert measured.returncode == 0, measured.output
        manifest = json.loads((data_dir / "tiles" / "manifest.json").read_text())["tilesets"]
        results.append(
            {
                "name": name,
                "seconds": measured.seconds,
                "peak_rss": measured.peak_rss,
                "tilesets": len(manifest),
                "tiles": sum(t["tiles"] for t in manifest),
            }
        )
    return {"runs": results}


def report(r: dict[str, Any]) -> str:
    """Printable table: throughput and the 2-worker / 1-worker ratio of each engine."""
    runs = r["runs"]
    lines = [
        f"Build: every tileset of the shipped catalogue ({runs[0]['tilesets']:,} tilesets, "
        f"{runs[0]['tiles']:,} tiles), geometry cached",
        f"{'engine':31}{'wall s':>9}{'tilesets/s':>12}{'tiles/s':>10}{'peak RSS':>10}{'vs 1':>7}",
    ]
    for index, run in enumerate(runs):
        base = runs[index - index % 2]["seconds"]  # the same engine's 1-worker run
        lines.append(
            f"{run['name']:31}{run['seconds']:>9.1f}{run['tilesets'] / run['seconds']:>12.2f}"
            f"{run['tiles'] / run['seconds']:>10,.0f}{run['peak_rss'] / 2**20:>7.0f} MB"
            f"{base / run['seconds']:>6.2f}x"
        )
    dask, local = runs[3]["seconds"], runs[1]["seconds"]
    lines.append(f"Dask vs local processes at 2 workers: {local / dask:.2f}x the throughput")
    return "\n".join(lines)
