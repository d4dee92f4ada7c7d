"""Build every tileset from the joined data: plan, cut geometry once, encode in parallel."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from levelup import db
from levelup.atomic import sweep_temporaries
from levelup.errors import LevelupError
from levelup.locking import build_lock
from levelup.provenance import merge_attributions
from tiles.entry import HEX, TilesetEntry, TilesetKey
from tiles.executors import run_jobs
from tiles.format import format_digest
from tiles.manifest import (
    MANIFEST,
    read_manifest,
    remove_stale,
    tileset_file_name,
    write_manifest,
    write_progress,
)
from tiles.pyramid import GeometryPyramid
from tiles.series import SeriesData
from tiles.tileset import TilesetSpec
from tiles.worker import TilesetJob, TilesetResult


@dataclass(frozen=True, slots=True)
class TileBuild:
    """Summary of a tile build: the selected tilesets, and the whole catalogue after it."""

    planned: int
    built: int
    skipped: int
    tiles: int
    bytes: int
    features: int
    seconds: float
    manifest: Path
    catalogue_tilesets: int = 0
    catalogue_bytes: int = 0
    hex_planned: int = 0  # hex cartogram twins of the planned tilesets (built or skipped
    hex_bytes: int = 0  # with them, in `built` and `skipped`) and their bytes


def manifest_entry(spec: TilesetSpec, result: TilesetResult, file: str) -> TilesetEntry:
    """The entry of a tileset just written from `spec`."""
    meta = result.metadata
    bounds = [float(v) for v in meta["bounds"].split(",")]
    center = [float(v) for v in meta["center"].split(",")]
    layer = json.loads(meta["json"])["vector_layers"][0]
    return TilesetEntry(
        id=spec.key.id,
        **spec.key._asdict(),
        set_id=spec.set_id,
        file=file,
        name=spec.name,
        title=spec.title,
        variant_label=spec.variant_label,
        level_label=spec.level_label,
        unit=spec.unit,
        polarity=spec.polarity,
        decimals=spec.decimals,
        period=spec.period,
        breaks=tuple(spec.breaks),
        country_breaks=tuple(spec.country_breaks),
        valued=spec.valued,
        attribution=spec.attribution,
        description=spec.description,
        minzoom=int(meta["minzoom"]),
        maxzoom=int(meta["maxzoom"]),
        bounds=(bounds[0], bounds[1], bounds[2], bounds[3]),
        center=(center[0], center[1], center[2]),
        fields=dict(layer["fields"]),
        tiles=result.tiles,
        unique_tiles=result.unique_tiles,
        bytes=result.bytes,
        features=result.features,
        hash=result.digest,
        layout=spec.layout,
        missing=tuple(spec.missing),
    )


def _rows(connection: sqlite3.Connection, sql: str, *params: object) -> list[sqlite3.Row]:
    connection.row_factory = sqlite3.Row
    return connection.execute(sql, params).fetchall()


def plan(
    connection: sqlite3.Connection,
    *,
    only: Iterable[str] | None = None,
    years: tuple[int, int] | None = None,
    levels: Iterable[str] | None = None,
) -> list[tuple[TilesetKey, str]]:
    """Every mapped (indicator, variant, level, year) in the coverage, with its boundary set."""
    rows = _rows(
        connection,
        "SELECT indicator, variant, level, year, set_id FROM coverage "
        "WHERE mapped = 1 ORDER BY indicator, variant, level, year",
    )
    wanted, want_levels = set(only or ()), set(levels or ())
    known = {r["id"] for r in _rows(connection, "SELECT id FROM indicators")}
    unknown = wanted - known
    if unknown:
        raise LevelupError(f"unknown indicator(s): {', '.join(sorted(unknown))}")
    out = []
    for row in rows:
        if wanted and row["indicator"] not in wanted:
            continue
        if want_levels and row["level"] not in want_levels:
            continue
        if years and not years[0] <= row["year"] <= years[1]:
            continue
        out.append(
            (TilesetKey(row["indicator"], row["variant"], row["level"], row["year"]), row["set_id"])
        )
    if not out and (wanted or want_levels or years):
        offered = sorted(
            {(r["indicator"], r["level"]) for r in rows if not wanted or r["indicator"] in wanted}
        )
        hint = "; ".join(f"{i}: {lv}" for i, lv in offered[:12])
        raise LevelupError(
            "no tilesets match these filters (mapped indicator levels: "
            f"{hint or 'none'}); see 'levelup report' for the years"
        )
    return out


def _labels(connection: sqlite3.Connection) -> dict[str, Any]:
    return {
        "indicators": {r["id"]: dict(r) for r in _rows(connection, "SELECT * FROM indicators")},
        "variants": {
            (r["indicator"], r["id"]): dict(r) for r in _rows(connection, "SELECT * FROM variants")
        },
        "levels": {r["id"]: dict(r) for r in _rows(connection, "SELECT * FROM levels")},
        "sets": {r["id"]: dict(r) for r in _rows(connection, "SELECT * FROM boundary_sets")},
    }


@dataclass(frozen=True, slots=True)
class PlannedTileset:
    """A tileset to build, without its attribute columns: those are made from its series
    only when the job is sent (all of them at once would hold gigabytes for the catalogue)."""

    spec: TilesetSpec
    pyramid_path: Path
    target: Path
    digest: str
    series: SeriesData

    def job(self) -> TilesetJob:
        """The job a worker runs."""
        columns = self.series.columns(self.spec.key.year)
        return TilesetJob(self.spec, self.pyramid_path, columns, self.target, self.digest)


def _spec(key: TilesetKey, set_id: str, series: SeriesData, labels: dict[str, Any]) -> TilesetSpec:
    indicator = labels["indicators"][key.indicator]
    variant = labels["variants"][(key.indicator, key.variant)]
    boundary = labels["sets"][set_id]
    period = series.periods[key.year]
    attribution = merge_attributions([indicator["attribution"], boundary["attribution"]])
    return TilesetSpec(
        key=key,
        set_id=set_id,
        title=indicator["title"],
        variant_label=variant["label"],
        level_label=labels["levels"][key.level]["label"],
        unit=variant["unit"],
        polarity=variant["polarity"],
        decimals=variant["decimals"],
        period=period,
        description=f"{indicator['description']} Period: {period}. "
        f"Boundaries: {boundary['title']}. Source: {indicator['source']}.",
        attribution=attribution,
        breaks=series.breaks[key.year],
        valued=series.counts[key.year],
        country_breaks=series.country_breaks[key.year],
    )


def _digest(*parts: object) -> str:
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, np.ndarray):
            digest.update(np.ascontiguousarray(part.astype(float)).tobytes())
        else:
            digest.update(json.dumps(part, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def build_tiles(
    data_dir: Path,
    *,
    only: Iterable[str] | None = None,
    years: tuple[int, int] | None = None,
    levels: Iterable[str] | None = None,
    force: bool = False,
    workers: int | None = None,
    scheduler: Any = None,
    progress: bool = False,
    flush_every: float | None = None,
    first: Iterable[str] = (),
) -> TileBuild:
    """Build (or bring up to date) every planned tileset under `data_dir/tiles`.

    With `only` (and no year or level filter) the named indicators' tilesets become exactly
    the planned ones: tilesets for years or levels they no longer have are dropped. The
    per-tileset work runs on local processes, or on a Dask cluster when `scheduler` is an
    address, "local" (a LocalCluster of `workers`) or a dask.distributed Client.

    With `flush_every` (seconds) the manifest is rewritten that often during the build, so
    a running server shows each tileset as soon as it is written (latest years first, the
    indicators in `first` before all others).
    """
    with build_lock(data_dir):
        return _build_tiles(
            data_dir,
            only=only,
            years=years,
            levels=levels,
            force=force,
            workers=workers,
            scheduler=scheduler,
            progress=progress,
            flush_every=flush_every,
            first=frozenset(first),
        )


def _build_tiles(
    data_dir: Path,
    *,
    only: Iterable[str] | None,
    years: tuple[int, int] | None,
    levels: Iterable[str] | None,
    force: bool,
    workers: int | None,
    scheduler: Any,
    progress: bool,
    flush_every: float | None,
    first: frozenset[str],
) -> TileBuild:
    from boundaries.reading import load_areas  # shapely: local, like the cutting
    from boundaries.registry import default_registry
    from tiles.hexes import ensure_hex_pyramids, hex_sets, hex_spec, missing  # shapely: local
    from tiles.pyramids import PyramidCache  # geometry cutting needs shapely; keep it local

    started = time.perf_counter()
    started_at = time.time()
    tiles_dir = data_dir / "tiles"
    sweep_temporaries(tiles_dir)  # files a killed build was writing
    connection = db.open_readonly(db.db_path(data_dir))
    try:
        planned = plan(connection, only=only, years=years, levels=levels)
        hexed = hex_sets(connection)
        hex_missing = {s: missing(connection, s) for s in {s for _, s in planned} & set(hexed)}
        labels = _labels(connection)
        years_of: dict[tuple[str, str, str, str], list[int]] = {}
        for key, set_id in planned:
            group = (key.indicator, key.variant, key.level, set_id)
            years_of.setdefault(group, []).append(key.year)
        series = {group: SeriesData(connection, *group, years) for group, years in years_of.items()}
    finally:
        connection.close()
    workers = workers or min(os.cpu_count() or 1, 4)
    sweep_temporaries(data_dir / "cache" / "pyramids")
    # the tile build is the edge that chooses where boundaries come from
    cache = PyramidCache(
        data_dir / "cache" / "pyramids", format_digest(), default_registry(), load_areas
    )
    pyramid_paths = cache.ensure(
        sorted({s for _, s in planned}), workers=workers, progress=progress
    )
    hex_paths = ensure_hex_pyramids(
        data_dir, data_dir / "cache" / "hexes", format_digest(), {s for _, s in planned}
    )
    manifest_path = tiles_dir / MANIFEST
    previous = read_manifest(manifest_path)
    jobs: list[PlannedTileset] = []
    kept = {}
    everything = [(k, s, pyramid_paths[s]) for k, s in planned]
    everything += [
        (k._replace(geometry=HEX), s, hex_paths[s]) for k, s in planned if s in hex_paths
    ]
    for key, set_id, pyramid_path in everything:
        data = series[(key.indicator, key.variant, key.level, set_id)]
        spec = _spec(key, set_id, data, labels)
        if key.geometry == HEX:  # the columns themselves are made when the job is sent
            columns = data.columns(key.year)
            spec = hex_spec(spec, hexed[set_id], hex_missing[set_id], data.codes, columns)
        values = data.arrays[key.year]["value"]  # what columns()["value"] holds
        digest = _digest(format_digest(), pyramid_path.name, asdict(spec), values)
        old = previous.get(key.id)
        if not force and old and old.hash == digest and (tiles_dir / old.file).is_file():
            kept[key.id] = old
            continue
        target = tiles_dir / tileset_file_name(key.id, digest)
        jobs.append(PlannedTileset(spec, pyramid_path, target, digest, data))
    jobs.sort(key=priority(jobs, first))
    planned_ids = {key.id for key, _, _ in everything}
    entries = dict(previous) if (only or years or levels) else {}
    if only and not (years or levels):
        entries = {
            k: e for k, e in entries.items() if e.indicator not in set(only) or k in planned_ids
        }
    entries.update(kept)
    # Until a tileset is rebuilt its previous file serves (only new files are written).
    serving = {**entries, **{k: e for k, e in previous.items() if k in planned_ids}}
    specs = {job.spec.key.id: job.spec for job in jobs}
    built, flushed, took = 0, time.monotonic(), []
    write_progress(tiles_dir, len(everything), len(kept), started_at)
    for result in _run_jobs(jobs, workers, scheduler, progress):  # columns made as sent
        file = tileset_file_name(result.id, result.digest)
        entries[result.id] = serving[result.id] = manifest_entry(specs[result.id], result, file)
        built += 1
        took.append(result.seconds)
        if flush_every is not None and time.monotonic() - flushed >= flush_every:
            write_manifest(manifest_path, serving)  # what is built so far can be served
            write_progress(tiles_dir, len(everything), len(kept) + built, started_at, took)
            flushed = time.monotonic()
    ordered = write_manifest(manifest_path, entries)
    write_progress(tiles_dir, len(everything), len(everything), started_at, took)
    if not (years or levels):  # only now: until the manifest changed, the old files served
        remove_stale(tiles_dir, {e.file for e in ordered})
    selected = [entries[key.id] for key, _, _ in everything if key.id in entries]
    hexes = [e for e in selected if e.geometry == HEX]
    return TileBuild(
        planned=len(planned),
        built=built,
        skipped=len(kept),
        tiles=sum(e.tiles for e in selected),
        bytes=sum(e.bytes for e in selected),
        features=sum(e.features for e in selected),
        seconds=time.perf_counter() - started,
        manifest=manifest_path,
        catalogue_tilesets=len(ordered),
        catalogue_bytes=sum(e.bytes for e in ordered),
        hex_planned=len(everything) - len(planned),
        hex_bytes=sum(e.bytes for e in hexes),
    )


def priority(
    jobs: list[PlannedTileset], first: frozenset[str] = frozenset()
) -> Callable[[PlannedTileset], tuple[Any, ...]]:
    """Order of work: the indicators in `first`, then the latest year of every indicator,
    measure and level (so every map has something to show early), then older years, newest
    first; within a pass, jobs on one boundary set run together so workers reuse its loaded
    geometry."""
    latest: dict[tuple[str, str, str], int] = {}
    for job in jobs:
        key = job.spec.key
        group = (key.indicator, key.variant, key.level)
        latest[group] = max(latest.get(group, key.year), key.year)

    def order(job: PlannedTileset) -> tuple[Any, ...]:
        key = job.spec.key
        first_pass = key.year == latest[(key.indicator, key.variant, key.level)]
        return (
            key.indicator not in first,
            not first_pass,
            -key.year if not first_pass else 0,
            job.spec.set_id,
            key.id,
        )

    return order


def _run_jobs(
    jobs: list[PlannedTileset], workers: int, scheduler: Any, progress: bool
) -> Iterator[TilesetResult]:
    bar = tqdm(total=len(jobs), desc="tilesets", unit="ts", disable=not progress)
    made = (planned.job() for planned in jobs)
    try:
        for result in run_jobs(made, count=len(jobs), workers=workers, scheduler=scheduler):
            yield result
            bar.update()
    finally:
        bar.close()


def drop_tilesets(data_dir: Path, indicator_id: str) -> int:
    """Remove an indicator's tilesets (and their hex twins) from the manifest, then their
    files; return how many map tilesets went."""
    with build_lock(data_dir):
        tiles_dir = data_dir / "tiles"
        manifest_path = tiles_dir / MANIFEST
        entries = read_manifest(manifest_path)
        keep = {k: e for k, e in entries.items() if e.indicator != indicator_id}
        write_manifest(manifest_path, keep)
        remove_stale(tiles_dir, {e.file for e in keep.values()})
        return sum(1 for k, e in entries.items() if k not in keep and not e.geometry)


def load_pyramid(path: Path) -> GeometryPyramid:
    """Read a cached pyramid (for tests and benchmarks)."""
    return GeometryPyramid.load(path)
