"""Run the data pipeline: read every indicator, join it by vintage, add the indexes, write the
database. It sits on top of the pipeline's parts (readers, joins, user data, indexes)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from tqdm import tqdm

import levelup
from boundaries.changes import CodeChanges, default_changes
from boundaries.load import load_boundaries
from boundaries.registry import Registry, default_registry
from levelup import db
from levelup.atomic import sweep_temporaries
from levelup.locking import build_lock
from pipeline.catalogue import (
    Catalogue,
    Indicator,
    Source,
    default_catalogue,
    shipped_catalogue,
)
from pipeline.datastore import JoinedData, write_database
from pipeline.derive import add_derived
from pipeline.derived import (
    area_populations,
    concat,
    inequality_table,
    populations,
    union_figures,
    weights_for,
)
from pipeline.freshness import input_hash, stored_hash
from pipeline.groups import load_groups
from pipeline.index.build import build_indexes
from pipeline.indicator_join import join_one
from pipeline.join import unclassified
from pipeline.readers import RawTable, read_table
from pipeline.tidy import tidy_indicator
from pipeline.user_data import with_user_indicators


@dataclass(frozen=True, slots=True)
class DataBuild:
    """What a data build produced (or found already up to date)."""

    path: Path
    input_hash: str
    skipped: bool
    indicators: int
    observations: int
    sets: int
    seconds: float


def _reader(catalogue: Catalogue) -> Callable[[Source], RawTable]:
    cache: dict[str, RawTable] = {}

    def read(source: Source) -> RawTable:
        if source.file not in cache:
            path = Path(source.file)
            path = path if path.is_absolute() else catalogue.sources.root / path
            cache[source.file] = read_table(path, source.reader)
        return cache[source.file]

    return read


def _with_dependencies(indicators: list[Indicator], catalogue: Catalogue) -> list[Indicator]:
    """The indicators plus those their derived variants read (tidied, not joined)."""
    out = {i.id: i for i in indicators}
    queue = list(indicators)
    while queue:
        for variant in queue.pop().variants:
            needed = variant.derive.needs if variant.derive else None
            if needed and needed not in out:
                found = catalogue.indicators.get(needed) or shipped_catalogue().get(needed)
                out[needed] = found
                queue.append(out[needed])
    return list(out.values())


def _tidy_all(
    indicators: list[Indicator], catalogue: Catalogue, progress: bool
) -> dict[str, pd.DataFrame]:
    """Tidy tables of the indicators, with derived variants, and of the indicators those
    derive from only while deriving; the source tables read are dropped on return."""
    read = _reader(catalogue)
    everything = _with_dependencies(indicators, catalogue)
    tidied = {
        i.id: tidy_indicator(i, read)
        for i in tqdm(everything, desc="reading", unit="ind", disable=not progress)
    }
    add_derived(tidied, everything)
    wanted = {i.id for i in indicators} | {"population"}
    return {k: v for k, v in tidied.items() if k in wanted}


def join_all(
    indicators: list[Indicator],
    catalogue: Catalogue,
    registry: Registry,
    changes: CodeChanges,
    progress: bool = False,
) -> JoinedData:
    """Tidy every indicator and derive its computed variants, then join, add standing,
    change and index, populations and inequality; also list codes of no mapped level."""
    tidied = _tidy_all(indicators, catalogue, progress)
    # tidy tables still read after the join: populations (weights) and NUTS (EU figures)
    later = {"population"} | {i.id for i in indicators if i.system == "nuts"}
    results, stray, joined = [], [], {}
    for indicator in tqdm(indicators, desc="joining", unit="ind", disable=not progress):
        tidy = tidied[indicator.id] if indicator.id in later else tidied.pop(indicator.id)
        result = join_one(indicator, tidy, registry, changes)
        if not result.joined.empty:
            joined[indicator.id] = result.joined
        results.append(result)
        stray.append(unclassified(tidy, registry, indicator.system))
        del tidy  # the join's memory is reused for the next indicator
    weights = area_populations(tidied.get("population"))
    population = populations(joined, catalogue)
    by_indicator = (
        {str(k): g for k, g in population.groupby("indicator")} if not population.empty else {}
    )
    spread = concat(
        inequality_table(
            joined[i.id],
            i,
            weights_for(i, joined[i.id], by_indicator, weights),
            union_figures(tidied[i.id]) if i.system == "nuts" else None,
        )
        for i in indicators
        if i.id in joined
    )
    return JoinedData(
        indicators, results, concat(stray), population, spread, area_populations=weights
    )


def add_indexes(
    data: JoinedData,
    catalogue: Catalogue,
    registry: Registry,
    changes: CodeChanges,
    out_dir: Path,
) -> None:
    """Add the composite indexes, similar areas and area types computed from the joined data
    (each only when every indicator it reads is in this build)."""
    built = {i.id for i in data.indicators}
    extra = build_indexes(
        [r.joined for r in data.results], catalogue, registry, changes, out_dir, join_one, built
    )
    data.indicators = [*data.indicators, *extra.indicators]
    data.results = [*data.results, *extra.results]
    data.tables = extra.tables


def build_data(
    out_dir: Path,
    *,
    only: Iterable[str] | None = None,
    force: bool = False,
    progress: bool = False,
    catalogue: Catalogue | None = None,
    registry: Registry | None = None,
    changes: CodeChanges | None = None,
) -> DataBuild:
    """Build `out_dir/levelup.db` (shipped and user indicators); skip quickly when the inputs
    have not changed."""
    with build_lock(out_dir):
        sweep_temporaries(out_dir, db.DB_NAME)  # a killed build's half-written database
        return _build_data(out_dir, only, force, progress, catalogue, registry, changes)


def _build_data(
    out_dir: Path,
    only: Iterable[str] | None,
    force: bool,
    progress: bool,
    catalogue: Catalogue | None,
    registry: Registry | None,
    changes: CodeChanges | None,
) -> DataBuild:
    started = time.perf_counter()
    catalogue = with_user_indicators(catalogue or default_catalogue(), out_dir)
    registry = registry or default_registry()
    changes = changes or default_changes()
    wanted = list(only) if only else list(catalogue.indicators)
    indicators = [catalogue.get(i) for i in wanted]
    target = out_dir / db.DB_NAME
    digest = input_hash(catalogue, registry, indicators, out_dir)
    if not force and stored_hash(target) == digest:
        return DataBuild(target, digest, True, len(indicators), 0, 0, time.perf_counter() - started)
    data = join_all(indicators, catalogue, registry, changes, progress)
    add_indexes(data, catalogue, registry, changes, out_dir)
    set_ids = sorted({c.set_id for r in data.results for c in r.choices})
    loaded = {
        s: load_boundaries(s, registry=registry, changes=changes)
        for s in tqdm(set_ids, desc="boundaries", unit="set", disable=not progress)
    }
    meta = {
        "input_hash": digest,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "levelup_version": levelup.__version__,
    }
    write_database(
        target,
        catalogue=catalogue,
        registry=registry,
        changes=changes,
        data=data,
        groups=load_groups(),
        boundaries=loaded,
        meta=meta,
    )
    observations = sum(len(r.joined) for r in data.results)
    return DataBuild(
        target,
        digest,
        False,
        len(indicators),
        observations,
        len(set_ids),
        time.perf_counter() - started,
    )
