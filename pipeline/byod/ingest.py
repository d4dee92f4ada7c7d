"""Add a user's table: read and detect (a preview), then join, write and tile just that indicator.

`prepare` reads nothing but the user's file and the boundary codes, writes only a staging
folder, and returns what was detected. `commit` swaps the indicator into the database and
builds its tilesets; `remove` takes it out again. Nothing else is rebuilt.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from boundaries.changes import CodeChanges
from boundaries.load import load_boundaries
from boundaries.registry import Registry
from levelup import db
from levelup.atomic import sweep_temporaries
from levelup.errors import ConflictError, InputError, NotFoundError, TooLargeError
from levelup.locking import build_lock
from pipeline.byod.columns import has_codes
from pipeline.byod.detect import Detection, detect, with_coverage
from pipeline.byod.spec import (
    Details,
    code_pattern,
    decimals_for,
    indicator_spec,
    kept_levels,
    title_from,
)
from pipeline.catalogue import Catalogue, Indicator, default_catalogue
from pipeline.derived import POPULATION_INDICATOR, inequality_table
from pipeline.freshness import current_hash, stored_hash
from pipeline.indicator_join import join_one
from pipeline.join import JoinResult
from pipeline.readers.layout import Layout
from pipeline.readers.sheet import Sheet, kind_of, read_sheet
from pipeline.readers.user import LAYOUT, user_table
from pipeline.replace import is_user_indicator, remove_indicator, replace_indicator, sets_in
from pipeline.tidy import tidy_indicator
from pipeline.tiling import Tiler
from pipeline.user_data import (
    SPEC,
    check_id,
    indicator_from,
    new_id,
    user_root,
    valid_id,
)

STAGING = Path("user") / "staging"
MIN_MATCH = 0.5  # at least half the codes must match, or the user names the level
STALE_SECONDS = 24 * 3600


@dataclass
class Staged:
    """A user's table read, detected and tidied, waiting in a staging folder."""

    detection: Detection
    indicator: Indicator
    tidy: pd.DataFrame
    folder: Path
    replaces: bool
    notes: list[str] = field(default_factory=list)

    def summary(self, registry: Registry) -> dict[str, Any]:
        """The preview shown before anything is built."""
        indicator = self.indicator
        return {
            "id": indicator.id,
            "title": indicator.title,
            "unit": indicator.unit,
            "polarity": indicator.polarity,
            "decimals": indicator.decimals,
            "source": indicator.source,
            "licence": indicator.licence,
            "replaces": self.replaces,
            "variants": [{"id": v.id, "label": v.label} for v in indicator.variants],
            "values": int(self.tidy["value"].notna().sum()),
            "suppressed": int(self.tidy["value"].isna().sum()),
            "notes": self.notes,
            **self.detection.summary(registry),
        }


def _repointed(exc: InputError, name: str) -> InputError:
    """The same error naming the user's own file instead of our staged copy."""
    exc.path = name
    exc.args = (exc.describe(),)
    return exc


def _stage(data_dir: Path, path: Path, layout: Layout, spec: dict[str, Any]) -> Path:
    folder = data_dir / STAGING / uuid.uuid4().hex
    folder.mkdir(parents=True)
    shutil.copyfile(path, folder / f"table.{kind_of(path)}")
    layout.save(folder / LAYOUT)
    _write_spec(folder, spec)
    return folder


def _write_spec(folder: Path, spec: dict[str, Any]) -> None:
    (folder / SPEC).write_text(json.dumps(spec, indent=1, ensure_ascii=False), encoding="utf-8")


def prepare(
    path: Path,
    data_dir: Path,
    registry: Registry,
    changes: CodeChanges,
    *,
    details: Details | None = None,
    overrides: dict[str, Any] | None = None,
    name: str | None = None,
    limit_mb: float = 20.0,
    replace: bool = False,
    catalogue: Catalogue | None = None,
) -> Staged:
    """Read, detect and tidy a user's file into a staging folder (nothing built yet).

    `name` is how errors refer to the file (the name a web upload arrived with).
    """
    details = details or Details()
    shown = name or str(path)
    catalogue = catalogue or default_catalogue()
    folder: Path | None = None
    sheet: Sheet | None = None
    try:
        sheet = read_sheet(path, limit_mb, prefer=lambda found: has_codes(found, registry))
        detection = detect(sheet, registry, changes, overrides)
        title = (details.title or "").strip() or title_from(shown)
        indicator_id = (
            check_id(details.indicator_id, set(catalogue.indicators))
            if details.indicator_id
            else new_id(title, str(path.resolve()))
        )
        exists = (user_root(data_dir) / indicator_id).is_dir()
        if exists and not replace:
            raise ConflictError(
                f"you already have an indicator {indicator_id!r}; replace it "
                "(--replace) or choose another id"
            )
        levels = kept_levels(registry, detection)
        spec = indicator_spec(
            detection, details, indicator_id, title, levels, code_pattern(registry, levels), sheet
        )
        folder = _stage(data_dir, path, detection.layout, spec)
        indicator = indicator_from(spec, folder)
        layout = detection.layout
        tidy = tidy_indicator(indicator, lambda _: user_table(sheet, layout))  # read once
        if tidy["value"].notna().sum() == 0:
            raise InputError("no numbers to map: every value is blank or suppressed", path=path)
        notes = []
        if details.decimals is None:
            spec["decimals"] = decimals_for(tidy["value"])
            _write_spec(folder, spec)
            indicator = indicator_from(spec, folder)
            places = spec["decimals"]
            notes.append(f"values shown to {places} decimal place{'' if places == 1 else 's'}")
        detection = with_coverage(detection, tidy, registry, changes)
        _check_match(detection, bool((overrides or {}).get("level")), path)
        return Staged(detection, indicator, tidy, folder, exists, notes)
    except InputError as exc:
        _discard(folder)
        exc.columns = sheet.header if sheet is not None else None
        raise _repointed(exc, shown) from None
    except TooLargeError as exc:
        _discard(folder)
        raise TooLargeError(f"{shown}: {exc}") from None
    except BaseException:
        _discard(folder)
        raise


def _check_match(detection: Detection, level_given: bool, path: Path) -> None:
    """Refuse a table whose codes mostly match nothing (unless the user named the level)."""
    matched, codes = detection.matched, detection.codes
    if matched == 0:
        raise InputError("none of the codes matches a boundary", path=path)
    if matched < MIN_MATCH * codes and not level_given:
        raise InputError(
            f"only {matched} of {codes} codes ({matched / codes:.0%}) match "
            f"{detection.set_id}: check the code column, or name the level with --level",
            path=path,
        )


def _discard(folder: Path | None) -> None:
    if folder is not None and folder.exists():
        shutil.rmtree(folder, ignore_errors=True)


def discard(staged: Staged) -> None:
    """Throw a staged table away (a dry run, or the user said no)."""
    _discard(staged.folder)


@dataclass(frozen=True)
class Added:
    """What adding a user table built."""

    indicator: str
    title: str
    replaced: bool
    tilesets: int
    tiles: int
    bytes: int
    seconds: float


def _parked(data_dir: Path) -> Path:
    return data_dir / STAGING / f"old-{uuid.uuid4().hex}"


def backup_of(db_path: Path) -> Path:
    """A new name for the database as it was before a commit (a temporary: swept if left)."""
    return db_path.with_name(f".{db_path.name}.{uuid.uuid4().hex}.tmp-backup")


def _sweep(data_dir: Path) -> None:
    """Clear what killed runs left: database backups, and staging older than a day.

    Only under the build lock, so no live writer's files are taken.
    """
    sweep_temporaries(data_dir, db.DB_NAME)
    cutoff = time.time() - STALE_SECONDS
    staging = data_dir / STAGING
    for entry in staging.iterdir() if staging.is_dir() else ():
        if entry.stat().st_mtime < cutoff:
            shutil.rmtree(entry, ignore_errors=True)


def _prepared_join(
    staged: Staged, db_path: Path, registry: Registry, changes: CodeChanges
) -> tuple[JoinResult, pd.DataFrame, dict[str, Any]]:
    """Join the staged table (pure work, before anything is changed)."""
    indicator = staged.indicator
    result = join_one(indicator, staged.tidy, registry, changes)
    inequality = inequality_table(result.joined, indicator, area_weights(db_path))
    needed = {c.set_id for c in result.choices} - sets_in(db_path)
    boundaries = {s: load_boundaries(s, registry=registry, changes=changes) for s in needed}
    return result, inequality, boundaries


def area_weights(db_path: Path) -> pd.DataFrame:
    """The ONS mid-year populations a built database holds (weights for a user's table)."""
    columns = ["level", "code", "year", "population"]
    if not db_path.is_file():
        return pd.DataFrame(columns=columns)
    connection = db.open_readonly(db_path)
    try:
        rows = connection.execute(
            "SELECT level, code, year, population FROM populations WHERE indicator = ?",
            (POPULATION_INDICATOR,),
        ).fetchall()
    finally:
        connection.close()
    return pd.DataFrame(rows, columns=columns)


def commit(
    staged: Staged,
    data_dir: Path,
    registry: Registry,
    changes: CodeChanges,
    tiler: Tiler,
    *,
    progress: bool = False,
    workers: int | None = None,
    wait: bool = True,
) -> Added:
    """Join the staged table, swap it into the database, then build its tilesets only.

    All or nothing: if writing the database or the tiles fails, the previous database, the
    previous saved table and the previous tilesets stay as they were.
    """
    started = time.perf_counter()
    indicator = staged.indicator
    db_path = db.db_path(data_dir)
    target = user_root(data_dir) / indicator.id
    try:
        with build_lock(data_dir, wait=wait):
            _sweep(data_dir)
            if is_user_indicator(db_path, indicator.id) is False:
                raise ConflictError(f"{indicator.id!r} is a shipped indicator")
            if target.is_dir() and not staged.replaces:
                raise ConflictError(f"you already have an indicator {indicator.id!r}")
            was_current = stored_hash(db_path) == current_hash(data_dir, registry)
            result, inequality, boundaries = _prepared_join(staged, db_path, registry, changes)
            backup = backup_of(db_path)
            os.link(db_path, backup)  # the database as it was, until the tiles are built
            old = _parked(data_dir) if target.is_dir() else None
            if old is not None:
                target.rename(old)
            target.parent.mkdir(parents=True, exist_ok=True)
            staged.folder.rename(target)
            try:
                digest = current_hash(data_dir, registry) if was_current else None
                replace_indicator(
                    db_path, indicator, result, inequality, registry, boundaries, digest
                )
                tiles = tiler.build(
                    data_dir, only=[indicator.id], workers=workers, progress=progress
                )
            except BaseException:
                os.replace(backup, db_path)
                target.rename(staged.folder)
                if old is not None:
                    old.rename(target)
                raise
            backup.unlink()
            _discard(old)
    finally:
        _discard(staged.folder)
    return Added(
        indicator.id,
        indicator.title,
        staged.replaces,
        tiles.planned,
        tiles.tiles,
        tiles.bytes,
        time.perf_counter() - started,
    )


def remove(
    data_dir: Path, indicator_id: str, registry: Registry, tiler: Tiler, *, wait: bool = True
) -> int:
    """Delete a user indicator: its rows, its tilesets and its saved files; return the
    number of tilesets removed."""
    if not valid_id(indicator_id):
        raise NotFoundError(f"no user indicator {indicator_id[:60]!r}")
    db_path = db.db_path(data_dir)
    folder = user_root(data_dir) / indicator_id
    with build_lock(data_dir, wait=wait):
        _sweep(data_dir)
        state = is_user_indicator(db_path, indicator_id)
        if state is False:
            raise ConflictError(f"{indicator_id!r} is a shipped indicator and cannot be removed")
        if state is None and not folder.is_dir():
            raise NotFoundError(f"no user indicator {indicator_id!r}")
        was_current = stored_hash(db_path) == current_hash(data_dir, registry)
        parked = _parked(data_dir)
        if folder.is_dir():
            parked.parent.mkdir(parents=True, exist_ok=True)
            folder.rename(parked)
        try:
            digest = current_hash(data_dir, registry) if was_current else None
            remove_indicator(db_path, indicator_id, digest)
        except BaseException:
            if parked.is_dir():
                parked.rename(folder)
            raise
        dropped = tiler.drop(data_dir, indicator_id)
        _discard(parked)
    return dropped
