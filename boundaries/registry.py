"""The registry of geography levels and boundary sets, read from levels.toml and sets.toml."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from levelup.errors import CatalogueError, UnknownBoundarySetError
from levelup.provenance import SourceCatalogue, SourceFile, load_sources

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"


@dataclass(frozen=True, slots=True)
class Level:
    """A geography level (e.g. local authority district) and the codes that belong to it."""

    id: str
    label: str
    system: str
    pattern: re.Pattern[str]
    map: bool
    order: int
    note: str = ""

    def matches(self, code: str) -> bool:
        """True when `code` is a code of this level."""
        return self.pattern.match(code) is not None


@dataclass(frozen=True, slots=True)
class DetailSource:
    """A finer source file used from `from_zoom` upward."""

    file: str
    from_zoom: int


@dataclass(frozen=True, slots=True)
class Dissolve:
    """Build a coarser set from a finer file: map each feature's code through a lookup CSV
    (column `source` -> `target`, names from `name`) and merge features sharing a code."""

    lookup: str
    source: str
    target: str
    name: str


@dataclass(frozen=True, slots=True)
class BoundarySet:
    """One boundary set: one level in one vintage from one shipped file."""

    id: str
    level: str
    vintage: str
    title: str
    file: str
    code_field: str
    name_field: str
    crs: str
    years: tuple[int, int]
    priority: int
    layer: str | None = None
    where: tuple[tuple[str, Any], ...] = ()
    start_field: str | None = None
    end_field: str | None = None
    valid_in: int | None = None
    detail: DetailSource | None = None
    maxzoom: int | None = None
    dissolve: Dissolve | None = None
    code_pattern: str = ""  # the level's: features with codes of other levels are left out
    source: SourceFile | None = field(default=None, compare=False)

    @property
    def attribution(self) -> str:
        """Attribution text required by the source's licence."""
        return self.source.attribution if self.source else ""

    @property
    def licence(self) -> str:
        """Licence title of the source file."""
        return self.source.licence.title if self.source else ""


@dataclass(frozen=True, slots=True)
class Registry:
    """All levels and boundary sets, looked up by id."""

    levels: Mapping[str, Level]
    sets: Mapping[str, BoundarySet]
    no_polygon: re.Pattern[str]
    no_polygon_reason: str
    sources: SourceCatalogue

    def get(self, set_id: str) -> BoundarySet:
        """Return a boundary set or raise UnknownBoundarySetError."""
        try:
            return self.sets[set_id]
        except KeyError:
            known = ", ".join(sorted(self.sets))
            raise UnknownBoundarySetError(
                f"unknown boundary set {set_id!r}; known sets: {known}"
            ) from None

    def level(self, level_id: str) -> Level:
        """Return a level or raise CatalogueError."""
        try:
            return self.levels[level_id]
        except KeyError:
            known = ", ".join(self.levels)
            raise CatalogueError(
                f"unknown geography level {level_id!r}; known levels: {known}"
            ) from None

    def sets_for_level(self, level_id: str) -> list[BoundarySet]:
        """Every set of one level, best priority first, newest vintage first within a priority."""
        found = [s for s in self.sets.values() if s.level == level_id]
        return sorted(found, key=lambda s: (s.priority, -s.years[1], s.id))

    def levels_of(self, code: str, system: str) -> Iterator[Level]:
        """Every level of `system` that `code` belongs to."""
        for level in self.levels.values():
            if level.system == system and level.matches(code):
                yield level


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogueError(f"{path}: {exc}") from exc


def _levels(raw: dict[str, Any], path: Path) -> dict[str, Level]:
    levels: dict[str, Level] = {}
    for order, entry in enumerate(raw.get("level", [])):
        try:
            levels[entry["id"]] = Level(
                id=entry["id"],
                label=entry["label"],
                system=entry["system"],
                pattern=re.compile(entry["pattern"]),
                map=bool(entry.get("map", True)),
                order=order,
                note=entry.get("note", ""),
            )
        except (KeyError, re.error) as exc:
            raise CatalogueError(f"{path}: level {entry.get('id')!r}: {exc}") from exc
    return levels


_SET_KEYS = {
    "id",
    "level",
    "vintage",
    "title",
    "file",
    "code_field",
    "name_field",
    "crs",
    "years",
    "maxzoom",
    "priority",
    "layer",
    "where",
    "start_field",
    "end_field",
    "detail",
    "vintages",
    "last_year",
    "nuts_levels",
    "dissolve",
}


def _expand(entry: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Expand vintage and NUTS-level families into one dict per set."""
    if "vintages" in entry:
        vintages = sorted(entry["vintages"])
        for i, vintage in enumerate(vintages):
            end = vintages[i + 1] - 1 if i + 1 < len(vintages) else entry["last_year"]
            yield {
                **entry,
                "id": entry["id"].format(vintage=vintage),
                "title": entry["title"].format(vintage=vintage),
                "vintage": str(vintage),
                "years": [vintage, end],
                "valid_in": vintage,
            }
    elif "nuts_levels" in entry:
        for nuts_level in entry["nuts_levels"]:
            yield {
                **entry,
                "id": entry["id"].format(nuts_level=nuts_level),
                "title": entry["title"].format(nuts_level=nuts_level),
                "level": f"nuts{nuts_level}",
                "where": {"LEVL_CODE": nuts_level},
            }
    else:
        yield entry


def _boundary_set(
    entry: dict[str, Any], sources: SourceCatalogue, levels: Mapping[str, Level]
) -> BoundarySet:
    detail = entry.get("detail")
    dissolve = entry.get("dissolve")
    return BoundarySet(
        id=entry["id"],
        level=entry["level"],
        vintage=str(entry["vintage"]),
        title=entry["title"],
        file=entry["file"],
        code_field=entry["code_field"],
        name_field=entry["name_field"],
        crs=entry["crs"],
        years=(int(entry["years"][0]), int(entry["years"][1])),
        priority=int(entry.get("priority", 9)),
        layer=entry.get("layer"),
        where=tuple(sorted(entry.get("where", {}).items())),
        start_field=entry.get("start_field"),
        end_field=entry.get("end_field"),
        valid_in=entry.get("valid_in"),
        detail=DetailSource(detail[0], int(detail[1])) if detail else None,
        maxzoom=int(entry["maxzoom"]) if "maxzoom" in entry else None,
        dissolve=Dissolve(dissolve["lookup"], dissolve["from"], dissolve["to"], dissolve["name"])
        if dissolve
        else None,
        code_pattern=levels[entry["level"]].pattern.pattern if entry["level"] in levels else "",
        source=sources.get(entry["file"]),
    )


def load_registry(data_dir: Path = DATA_DIR, config_dir: Path = PACKAGE_DIR) -> Registry:
    """Read levels.toml and sets.toml and check every set names a known level and file."""
    levels_path, sets_path = config_dir / "levels.toml", config_dir / "sets.toml"
    raw_levels = _read_toml(levels_path)
    levels = _levels(raw_levels, levels_path)
    sources = load_sources(data_dir)
    sets: dict[str, BoundarySet] = {}
    for raw_entry in _read_toml(sets_path).get("set", []):
        unknown = set(raw_entry) - _SET_KEYS
        if unknown:
            raise CatalogueError(
                f"{sets_path}: set {raw_entry.get('id')!r}: unknown keys {unknown}"
            )
        for entry in _expand(raw_entry):
            try:
                boundary_set = _boundary_set(entry, sources, levels)
            except KeyError as exc:
                raise CatalogueError(f"{sets_path}: set {entry.get('id')!r} lacks {exc}") from exc
            if boundary_set.level not in levels:
                raise CatalogueError(
                    f"{sets_path}: set {boundary_set.id!r}: unknown level {boundary_set.level!r}"
                )
            if boundary_set.id in sets:
                raise CatalogueError(f"{sets_path}: duplicate set id {boundary_set.id!r}")
            sets[boundary_set.id] = boundary_set
    no_polygon = raw_levels.get("no_polygon", {})
    return Registry(
        levels=levels,
        sets=sets,
        no_polygon=re.compile(no_polygon.get("pattern", "(?!)")),
        no_polygon_reason=no_polygon.get("reason", "no polygon exists"),
        sources=sources,
    )


@cache
def default_registry() -> Registry:
    """The registry of the shipped boundary sets (read once per process)."""
    return load_registry()
