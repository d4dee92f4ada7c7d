"""Add a user's table: read and detect (a preview), then join, write and tile just that indicator.

`prepare` reads nothing but the user's file and the boundary codes, writes only a staging
folder, and returns what was detected. `commit` swaps the indicator into the database and
builds its tilesets; `remove` takes it out again. Nothing else is rebuilt.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from boundaries.changes import CodeChanges
from boundaries.load import load_boundaries
from boundaries.registry import Registry
from levelup.errors import ConflictError, InputError, NotFoundError, TooLargeError
from levelup.locking import build_lock
from pipeline.build import DB_NAME, input_hash, join_one, stored_hash
from pipeline.byod.detect import COMPARATORS, Detection, detect, with_coverage
from pipeline.byod.layout import Layout
from pipeline.byod.sheet import Sheet, kind_of, read_sheet
from pipeline.byod.store import (
    SPEC,
    check_id,
    indicator_from,
    new_id,
    slugify,
    user_root,
    with_user_indicators,
)
from pipeline.catalogue import SLUG, Catalogue, Indicator, default_catalogue
from pipeline.derived import inequality_table
from pipeline.readers import read_table
from pipeline.readers.user import LAYOUT
from pipeline.replace import is_user_indicator, remove_indicator, replace_indicator, sets_in
from pipeline.tidy import tidy_indicator

STAGING = Path("user") / "staging"


@dataclass(frozen=True)
class Details:
    """What the user tells us about their data; anything left out gets a sensible default."""

    indicator_id: str | None = None
    title: str | None = None
    unit: str | None = None
    polarity: str = "higher"
    source: str = ""
    licence: str = ""
    description: str = ""
    decimals: int | None = None


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


def _decimals(values: pd.Series) -> int:
    present = values.dropna().to_numpy(dtype=float)
    for places in range(4):
        if all(math.isclose(v, round(v, places), abs_tol=1e-9) for v in present):
            return places
    return 3


def _guess_unit(headers: Sequence[str], cells: Sequence[str]) -> str:
    """A unit from the value headers, or from signs most cells carry (£, €, %)."""
    text = " ".join(headers).lower()
    present = [c.strip() for c in cells if c.strip()]
    share = {
        sign: sum(1 for c in present if sign in c) / len(present) if present else 0.0
        for sign in ("%", "£", "€")
    }
    if "%" in text or "per cent" in text or "percent" in text or share["%"] > 0.5:
        return "%"
    for sign in ("£", "€"):
        if sign in text or share[sign] > 0.5:
            return sign
    return ""


def _unit_column(sheet: Sheet, cells: Callable[..., list[str]]) -> str:
    """The unit a 'Unit' column gives, when it gives just one."""
    named = [h for h in sheet.header if h.strip().lower() in ("unit", "units")]
    found = {c.strip() for c in cells(named[0]) if c.strip()} if named else set()
    return found.pop()[:20] if len(found) == 1 else ""


def _title_from(name: str) -> str:
    stem = Path(name).stem
    words = re.sub(r"[_.]+|(?<!\d)-+|-+(?!\d)", " ", stem).strip()  # keeps 2021-22
    return (words[:1].upper() + words[1:])[:80] if words else "My data"


def _kept_levels(registry: Registry, detection: Detection) -> list[str]:
    """The detected level, and the national levels its index is computed against."""
    national = [c for c in COMPARATORS if registry.level(c).system == detection.system]
    return [detection.level, *national]


def _pattern(registry: Registry, levels: list[str]) -> str:
    return "|".join(f"(?:{registry.level(k).pattern.pattern})" for k in levels)


def _spec(
    detection: Detection,
    details: Details,
    indicator_id: str,
    title: str,
    levels: list[str],
    pattern: str,
    sheet: Sheet,
) -> dict[str, Any]:
    layout = detection.layout

    def cells(*columns: str) -> list[str]:
        at = [sheet.header.index(c) for c in columns]
        return [row[i] for row in sheet.rows for i in at]

    if layout.format == "wide-indicators":
        used: set[str] = set()
        variants = []
        for column in layout.value_columns:
            slug = slugify(column, 30)
            while slug in used:
                slug += "-x"
            used.add(slug)
            variant: dict[str, Any] = {
                "id": slug,
                "label": column,
                "filter": {"measure": column},
                "code_pattern": pattern,
            }
            if not details.unit:
                variant["unit"] = _guess_unit((column,), cells(column))
            variants.append(variant)
    else:
        variants = [{"id": "value", "label": "Value", "code_pattern": pattern}]
    return {
        "id": indicator_id,
        "title": title,
        "description": details.description,
        "theme": "user",
        "unit": details.unit
        if details.unit is not None
        else _unit_column(sheet, cells)
        or _guess_unit(layout.value_columns, cells(*layout.value_columns)),
        "polarity": details.polarity,
        "decimals": details.decimals if details.decimals is not None else 2,
        "system": detection.system,
        "levels": levels,
        "source": details.source,
        "licence": details.licence,
        "variant": variants,
    }


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
        sheet = read_sheet(path, limit_mb)
        detection, _ = detect(sheet, registry, changes, overrides)
        title = (details.title or "").strip() or _title_from(shown)
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
        levels = _kept_levels(registry, detection)
        spec = _spec(
            detection, details, indicator_id, title, levels, _pattern(registry, levels), sheet
        )
        folder = _stage(data_dir, path, detection.layout, spec)
        indicator = indicator_from(spec, folder)
        tidy = tidy_indicator(indicator, lambda s: read_table(Path(s.file), "user"))
        if tidy["value"].notna().sum() == 0:
            raise InputError("no numbers to map: every value is blank or suppressed", path=path)
        notes = []
        if details.decimals is None:
            spec["decimals"] = _decimals(tidy["value"])
            _write_spec(folder, spec)
            indicator = indicator_from(spec, folder)
            places = spec["decimals"]
            notes.append(f"values shown to {places} decimal place{'' if places == 1 else 's'}")
        detection = with_coverage(detection, tidy, registry, changes)
        if detection.coverage.empty or int(detection.coverage["matched"].sum()) == 0:
            raise InputError("none of the codes matches a boundary", path=path)
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


def _discard(folder: Path | None) -> None:
    if folder is not None and folder.exists():
        shutil.rmtree(folder, ignore_errors=True)


def discard(staged: Staged) -> None:
    """Throw a staged table away (a dry run, or the user said no)."""
    _discard(staged.folder)


def _current_hash(data_dir: Path, registry: Registry) -> str:
    catalogue = with_user_indicators(default_catalogue(), data_dir)
    return input_hash(catalogue, registry, list(catalogue.indicators.values()))


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


def commit(
    staged: Staged,
    data_dir: Path,
    registry: Registry,
    changes: CodeChanges,
    *,
    progress: bool = False,
    workers: int | None = None,
) -> Added:
    """Join the staged table, swap it into the database, then build its tilesets only."""
    from tiles.build import build_tiles  # tile cutting is only needed once data is in

    started = time.perf_counter()
    indicator = staged.indicator
    db_path = data_dir / DB_NAME
    target = user_root(data_dir) / indicator.id
    try:
        with build_lock(data_dir):
            if is_user_indicator(db_path, indicator.id) is False:
                raise ConflictError(f"{indicator.id!r} is a shipped indicator")
            if target.is_dir() and not staged.replaces:
                raise ConflictError(f"you already have an indicator {indicator.id!r}")
            was_current = stored_hash(db_path) == _current_hash(data_dir, registry)
            result = join_one(indicator, staged.tidy, registry, changes)
            inequality = inequality_table(result.joined, indicator, pd.DataFrame())
            needed = {c.set_id for c in result.choices} - sets_in(db_path)
            boundaries = {s: load_boundaries(s, registry=registry, changes=changes) for s in needed}
            old = _parked(data_dir) if target.is_dir() else None
            if old is not None:
                target.rename(old)
            target.parent.mkdir(parents=True, exist_ok=True)
            staged.folder.rename(target)
            try:
                digest = _current_hash(data_dir, registry) if was_current else None
                replace_indicator(
                    db_path, indicator, result, inequality, registry, boundaries, digest
                )
            except BaseException:
                target.rename(staged.folder)
                if old is not None:
                    old.rename(target)
                raise
            _discard(old)
            tiles = build_tiles(data_dir, only=[indicator.id], workers=workers, progress=progress)
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


def remove(data_dir: Path, indicator_id: str, registry: Registry) -> int:
    """Delete a user indicator: its rows, its tilesets and its saved files; return the
    number of tilesets removed."""
    from tiles.build import drop_tilesets

    if not SLUG.match(indicator_id) or len(indicator_id) > 60:
        raise NotFoundError(f"no user indicator {indicator_id[:60]!r}")
    db_path = data_dir / DB_NAME
    folder = user_root(data_dir) / indicator_id
    with build_lock(data_dir):
        state = is_user_indicator(db_path, indicator_id)
        if state is False:
            raise ConflictError(f"{indicator_id!r} is a shipped indicator and cannot be removed")
        if state is None and not folder.is_dir():
            raise NotFoundError(f"no user indicator {indicator_id!r}")
        was_current = stored_hash(db_path) == _current_hash(data_dir, registry)
        parked = _parked(data_dir)
        if folder.is_dir():
            parked.parent.mkdir(parents=True, exist_ok=True)
            folder.rename(parked)
        try:
            digest = _current_hash(data_dir, registry) if was_current else None
            remove_indicator(db_path, indicator_id, digest)
        except BaseException:
            if parked.is_dir():
                parked.rename(folder)
            raise
        dropped = drop_tilesets(data_dir, indicator_id)
        _discard(parked)
    return dropped
