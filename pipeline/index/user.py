"""Add or remove a user's index in a built data directory: check the definition against the
built data, compute it from the database, swap it in and tile it (nothing else rebuilt).
All or nothing: a failure leaves the database, the saved definitions and the tiles as they
were."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from boundaries.changes import CodeChanges
from boundaries.registry import Registry
from levelup import db
from levelup.errors import ConflictError, InputError, NotFoundError, StoreError
from levelup.locking import build_lock
from pipeline.byod.ingest import backup_of
from pipeline.catalogue import default_catalogue
from pipeline.catalogue_store import write_indicators
from pipeline.datastore import write_results, write_tables
from pipeline.freshness import current_hash, stored_hash
from pipeline.index.compute import compute_index
from pipeline.index.definition import IndexDefinition, read_definition
from pipeline.index.inputs import check_measures, from_database, set_areas, wanted_pairs
from pipeline.index.publish import Published, publish_index
from pipeline.index.store import save_definition
from pipeline.indicator_join import join_one
from pipeline.replace import _delete, _editing
from pipeline.tiling import Tiler
from pipeline.user_data import user_index_dir

INDEX_ROWS = {"indexes": "id", "index_years": "index_id", "index_inputs": "index_id"}


@dataclass(frozen=True)
class AddedIndex:
    """What adding an index built."""

    id: str
    title: str
    replaced: bool
    years: list[int]
    areas: int
    tilesets: int
    seconds: float


def check_definition(
    definition: IndexDefinition, connection: sqlite3.Connection, name: str
) -> None:
    """The measures exist in the built data with a better direction; the id is free."""
    polarity = {
        (r[0], r[1]): r[2]
        for r in connection.execute("SELECT indicator, id, polarity FROM variants")
    }
    reasons = dict(connection.execute("SELECT id, polarity_reason FROM indicators").fetchall())
    check_measures(definition, polarity, reasons, name)
    taken = connection.execute(
        "SELECT i.id, x.source FROM indicators i LEFT JOIN indexes x ON x.id = i.id WHERE i.id = ?",
        (definition.id,),
    ).fetchone()
    if taken is not None and taken[1] != "user":
        raise ConflictError(f"{definition.id!r} is taken by a shipped indicator or index")


def prepare_index(path: Path, data_dir: Path, name: str | None = None) -> IndexDefinition:
    """Read and check a definition file against the built data (nothing is changed)."""
    shown = name or str(path)
    definition = read_definition(path, source="user", shown=shown)
    with contextlib.closing(db.open_readonly(db.db_path(data_dir))) as connection:
        check_definition(definition, connection, shown)
    return definition


def _compute(
    definition: IndexDefinition, db_path: Path, registry: Registry, changes: CodeChanges
) -> Published:
    with contextlib.closing(db.open_readonly(db_path)) as connection:
        observations = from_database(connection, definition.level, wanted_pairs([definition]))
        areas = set_areas(connection, definition.level)
    if observations.empty:
        raise InputError(
            f"none of the measures has data at level {definition.level!r}", path=definition.id
        )
    names = {code: name for codes in areas.values() for code, name in codes.items()}
    result = compute_index(definition, observations, {s: set(c) for s, c in areas.items()})
    if result.scores.empty:
        raise InputError(
            "no area gets a score in any year: too few measures have data", path=definition.id
        )
    out = Published()
    publish_index(result, default_catalogue(), registry, changes, names, join_one, out)
    return out


def add_index(
    definition: IndexDefinition,
    data_dir: Path,
    registry: Registry,
    changes: CodeChanges,
    tiler: Tiler,
    *,
    replace: bool = False,
    wait: bool = True,
    progress: bool = False,
) -> AddedIndex:
    """Compute a user's index, swap it into the database, save its definition and tile it."""
    started = time.perf_counter()
    db_path = db.db_path(data_dir)
    saved = user_index_dir(data_dir) / f"{definition.id}.toml"
    with build_lock(data_dir, wait=wait):
        if saved.is_file() and not replace:
            raise ConflictError(
                f"you already have an index {definition.id!r}; replace it or choose another id"
            )
        was_current = stored_hash(db_path) == current_hash(data_dir, registry)
        published = _compute(definition, db_path, registry, changes)
        backup = backup_of(db_path)
        os.link(db_path, backup)
        old = saved.read_bytes() if saved.is_file() else None
        try:
            save_definition(data_dir, definition)
            digest = current_hash(data_dir, registry) if was_current else None
            swap_index(db_path, definition.id, published, digest)
            tiles = tiler.build(data_dir, only=[definition.id], progress=progress)
        except BaseException:
            os.replace(backup, db_path)
            if old is None:
                saved.unlink(missing_ok=True)
            else:
                saved.write_bytes(old)
            raise
        backup.unlink()
    scores = published.results[0].joined
    return AddedIndex(
        definition.id,
        definition.title,
        old is not None,
        sorted({int(y) for y in scores["year"]}),
        int(scores["code"].nunique()),
        tiles.planned,
        time.perf_counter() - started,
    )


def swap_index(
    db_path: Path, index_id: str, published: Published | None, digest: str | None
) -> None:
    """Replace (or with None remove) one index's rows in one transaction on a copy."""
    with _editing(db_path, digest) as connection:
        _delete(connection, index_id)
        for table, column in INDEX_ROWS.items():
            connection.execute(f"DELETE FROM {table} WHERE {column} = ?", (index_id,))
        if published is not None:
            last = connection.execute("SELECT MAX(ord) FROM indicators").fetchone()[0]
            write_indicators(connection, published.indicators, first_order=int(last or 0) + 1)
            write_results(connection, published.results)
            write_tables(connection, published.tables)


def remove_index(
    data_dir: Path, index_id: str, registry: Registry, tiler: Tiler, *, wait: bool = True
) -> int:
    """Delete a user's index: its definition, rows and tilesets; return the tilesets removed."""
    db_path = db.db_path(data_dir)
    saved = user_index_dir(data_dir) / f"{index_id}.toml"
    with build_lock(data_dir, wait=wait):
        with contextlib.closing(db.open_readonly(db_path)) as connection:
            row = connection.execute(
                "SELECT source FROM indexes WHERE id = ?", (index_id,)
            ).fetchone()
        if row is not None and row[0] != "user":
            raise ConflictError(f"{index_id!r} is the shipped index and cannot be removed")
        if row is None and not saved.is_file():
            raise NotFoundError(f"no index of yours called {index_id[:60]!r}")
        was_current = stored_hash(db_path) == current_hash(data_dir, registry)
        old = saved.read_bytes() if saved.is_file() else None
        saved.unlink(missing_ok=True)
        try:
            digest = current_hash(data_dir, registry) if was_current else None
            swap_index(db_path, index_id, None, digest)
        except BaseException:
            if old is not None:
                saved.write_bytes(old)
            raise
        return tiler.drop(data_dir, index_id)


def require_database(data_dir: Path) -> None:
    """A clear error when nothing has been built yet."""
    if not (db.db_path(data_dir)).is_file():
        raise StoreError(f"no built data in {data_dir}: run 'levelup build' first")
