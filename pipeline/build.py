"""Run the data pipeline: read every indicator, join it by vintage, write the database."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from tqdm import tqdm

import boundaries
import levelup
import pipeline
from boundaries.changes import CodeChanges, default_changes
from boundaries.load import load_boundaries, load_codes
from boundaries.registry import Registry, default_registry
from levelup import db
from levelup.atomic import sweep_temporaries
from levelup.locking import build_lock
from pipeline.byod.store import user_digest, with_user_indicators
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
    add_change_and_index,
    add_country_index,
    area_populations,
    concat,
    country_values,
    inequality_table,
    national_values,
    populations,
    union_figures,
    weights_for,
)
from pipeline.groups import load_groups
from pipeline.index.build import build_indexes
from pipeline.index.store import user_index_digest
from pipeline.join import JoinResult, join_indicator, unclassified
from pipeline.readers import RawTable, read_table
from pipeline.standing import add_standing
from pipeline.tidy import tidy_indicator

DB_NAME = "levelup.db"


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


def _code_files() -> list[Path]:
    roots = [Path(m.__file__).parent for m in (boundaries, pipeline, levelup) if m.__file__]
    return sorted(p for root in roots for p in root.rglob("*") if p.suffix in (".py", ".toml"))


def input_hash(
    catalogue: Catalogue,
    registry: Registry,
    indicators: Iterable[Indicator],
    data_dir: Path | None = None,
) -> str:
    """A digest of every input that can change the output: data, catalogues and code, and
    the user's index definitions under `data_dir`."""
    digest = hashlib.sha256(f"{levelup.__version__}:{db.SCHEMA_VERSION}".encode())
    for path in _code_files():
        digest.update(path.read_bytes())
    for catalogue_files in (registry.sources, catalogue.sources):
        for entry in sorted(catalogue_files.files.values(), key=lambda e: e.path):
            digest.update(f"{entry.path}:{entry.sha256}".encode())
    indicators = list(indicators)
    digest.update(",".join(i.id for i in indicators).encode())
    digest.update(user_digest(indicators).encode())
    if data_dir is not None:
        digest.update(user_index_digest(data_dir).encode())
    return digest.hexdigest()


def stored_hash(path: Path) -> str | None:
    """The input hash a built database records (None when there is no readable database)."""
    if not path.is_file():
        return None
    try:
        connection = db.open_readonly(path)
    except levelup.errors.StoreError:
        return None
    try:
        return db.read_meta(connection).get("input_hash")
    finally:
        connection.close()


def _reader(catalogue: Catalogue) -> Callable[[Source], RawTable]:
    cache: dict[str, RawTable] = {}

    def read(source: Source) -> RawTable:
        if source.file not in cache:
            path = Path(source.file)
            path = path if path.is_absolute() else catalogue.sources.root / path
            cache[source.file] = read_table(path, source.reader)
        return cache[source.file]

    return read


def join_one(
    indicator: Indicator, tidy: pd.DataFrame, registry: Registry, changes: CodeChanges
) -> JoinResult:
    """Join one indicator's tidy rows by vintage, then add standing, change and index.

    A user's table maps however few areas it covers; shipped data needs half of a set.
    """
    share = 0.0 if indicator.user_supplied else 0.5
    result = join_indicator(indicator, tidy, registry, changes, load_codes, share)
    if not result.joined.empty:
        polarity = {(indicator.id, v.id): v.polarity for v in indicator.variants}
        standing = add_standing(result.joined, polarity)
        indexed = add_change_and_index(standing, national_values(tidy, indicator), indicator.system)
        result.joined = add_country_index(
            indexed, country_values(tidy, indicator.system), indicator.system
        )
    return result


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


def join_all(
    indicators: list[Indicator],
    catalogue: Catalogue,
    registry: Registry,
    changes: CodeChanges,
    progress: bool = False,
) -> JoinedData:
    """Tidy every indicator and derive its computed variants, then join, add standing,
    change and index, populations and inequality; also list codes of no mapped level."""
    read = _reader(catalogue)
    everything = _with_dependencies(indicators, catalogue)
    tidied = {
        i.id: tidy_indicator(i, read)
        for i in tqdm(everything, desc="reading", unit="ind", disable=not progress)
    }
    add_derived(tidied, everything)
    results, stray, joined = [], [], {}
    for indicator in tqdm(indicators, desc="joining", unit="ind", disable=not progress):
        tidy = tidied[indicator.id]
        result = join_one(indicator, tidy, registry, changes)
        if not result.joined.empty:
            joined[indicator.id] = result.joined
        results.append(result)
        stray.append(unclassified(tidy, registry, indicator.system))
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
        sweep_temporaries(out_dir, DB_NAME)  # a killed build's half-written database
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
    target = out_dir / DB_NAME
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
