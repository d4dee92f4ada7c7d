"""The levelling-up index, its rank intervals, similar areas and area types for every district
and year of a built database: wall time and peak memory of each stage (each in its own
process), against a peer in the same run: the index without intervals, and scipy's plain
Euclidean distances for the neighbours."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from bench.proc import measure

STAGES = ["index-point", "index-intervals", "neighbours", "neighbours-scipy", "clusters"]


def _stage(stage: str, data_dir: Path) -> dict[str, Any]:
    """Run one stage in this process; return what it computed."""
    import numpy as np
    from scipy.spatial.distance import cdist

    from pipeline.index.build import shipped_definition
    from pipeline.index.clusters import cluster
    from pipeline.index.compute import compute_index
    from pipeline.index.inputs import from_database, set_areas, wanted_pairs
    from pipeline.index.similar import default_similarity, neighbours, vectors

    connection = sqlite3.connect(data_dir / "levelup.db")
    started = time.perf_counter()
    if stage.startswith("index"):
        definition = shipped_definition()
        if stage == "index-point":
            none = dataclasses.replace(definition.uncertainty, draws=0)
            definition = dataclasses.replace(definition, uncertainty=none)
        observations = from_database(connection, "lad", wanted_pairs([definition]))
        areas = {s: set(c) for s, c in set_areas(connection, "lad").items()}
        result = compute_index(definition, observations, areas)
        overall = result.scores[result.scores["variant"] == "overall"]
        return {
            "seconds_inside": time.perf_counter() - started,
            "draws": definition.uncertainty.draws,
            "years": int(overall["year"].nunique()),
            "scores": len(result.scores),
            "areas": int(overall["code"].nunique()),
        }
    similarity = default_similarity()
    observations = from_database(connection, "lad", similarity.features())
    areas = {s: set(c) for s, c in set_areas(connection, "lad").items()}
    found = [v for s in similarity.sets for v in vectors(similarity, s, observations, areas)]
    started = time.perf_counter()
    count = 0
    for vector in found:
        if stage == "neighbours":
            count += len(neighbours(vector, similarity.neighbours))
        elif stage == "neighbours-scipy":  # the peer: complete rows only, no gaps handled
            complete = vector.scaled[np.isfinite(vector.scaled).all(axis=1)]
            distance = cdist(complete, complete)
            count += int(np.argsort(distance, axis=1)[:, 1 : similarity.neighbours + 1].size)
        else:
            count += cluster(vector, similarity.clusters, {}).k
    return {"seconds_inside": time.perf_counter() - started, "vectors": len(found), "count": count}


def run(data_dir: Path) -> dict[str, Any]:
    """Each stage in a fresh process on `data_dir` (a built database)."""
    results = []
    for stage in STAGES:
        command = [sys.executable, "-m", "bench.index_compute", stage, str(data_dir)]
        measured = measure(command, interval=0.1)
        assert measured.returncode == 0, measured.output
        inside = json.loads(measured.output.strip().splitlines()[-1])
        results.append(
            {"stage": stage, "seconds": measured.seconds, "peak_rss": measured.peak_rss, **inside}
        )
    return {"stages": results}


def report(r: dict[str, Any]) -> str:
    """Printable table with the ratios against the peers."""
    by = {s["stage"]: s for s in r["stages"]}
    lines = [
        "Index, intervals, neighbours and area types: every district and year "
        f"({by['index-point']['areas']} districts, {by['index-point']['years']} index years, "
        f"{by['neighbours']['vectors']} set-years of vectors)",
        f"{'stage':20}{'compute s':>11}{'process s':>11}{'peak RSS':>11}",
    ]
    for stage in STAGES:
        s = by[stage]
        lines.append(
            f"{stage:20}{s['seconds_inside']:>11.2f}{s['seconds']:>11.2f}"
            f"{s['peak_rss'] / 2**20:>8.0f} MB"
        )
    point, drawn = by["index-point"]["seconds_inside"], by["index-intervals"]["seconds_inside"]
    lines.append(
        f"intervals ({by['index-intervals']['draws']} draws) cost {drawn / point:.1f}x the index "
        f"alone; neighbours with gaps handled (scikit-learn) take "
        f"{by['neighbours']['seconds_inside'] / by['neighbours-scipy']['seconds_inside']:.1f}x "
        "scipy's plain distances on complete rows"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) == 3:
        print(json.dumps(_stage(sys.argv[1], Path(sys.argv[2]))))
    else:
        found = run(Path(sys.argv[1] if len(sys.argv) > 1 else "build"))
        print(report(found))
