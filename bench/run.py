"""Run every benchmark and save the figures to bench/results/latest.json."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from bench import tiles_vs_gdal


def main() -> None:
    """Run the benchmarks one after another."""
    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "tiles": tiles_vs_gdal.main(),
    }
    out = Path(__file__).parent / "results" / "latest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
