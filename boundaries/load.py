"""Load a boundary set into the standard shape: code, name, level, vintage, set_id, geometry."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from boundaries.changes import CodeChanges, default_changes
from boundaries.geometry import clean_coverage, repair
from boundaries.registry import DATA_DIR, BoundarySet, Registry, default_registry
from levelup.errors import MissingColumnError, UnreadableFileError

STANDARD_COLUMNS = ["code", "name", "level", "vintage", "set_id", "geometry"]
WGS84 = "EPSG:4326"


@lru_cache(maxsize=32)
def _fields(path: Path, layer: str | None) -> tuple[str, ...]:
    """Field names of one file/layer, raising a clear error for a missing or unreadable file."""
    if not path.is_file():
        raise UnreadableFileError("boundary file does not exist", path=path)
    try:
        return tuple(pyogrio.read_info(path, layer=layer)["fields"])
    except pyogrio.errors.DataSourceError as exc:
        raise UnreadableFileError(f"cannot open boundary file: {exc}", path=path) from exc


def _check_fields(path: Path, layer: str | None, columns: tuple[str, ...]) -> None:
    available = _fields(path, layer)
    for column in columns:
        if column not in available:
            raise MissingColumnError(
                f"boundary field missing (fields: {', '.join(available)})", path=path, column=column
            )


@lru_cache(maxsize=16)
def _read(path: Path, layer: str | None, columns: tuple[str, ...], crs: str) -> gpd.GeoDataFrame:
    """Read selected columns with geometry (cached: multi-vintage files are read once)."""
    _check_fields(path, layer, columns)
    frame = gpd.read_file(path, layer=layer, columns=list(columns))
    if frame.crs is None:
        frame = frame.set_crs(crs)
    return frame


@lru_cache(maxsize=32)
def _read_attributes(path: Path, layer: str | None, columns: tuple[str, ...]) -> pd.DataFrame:
    """Read selected columns without geometry (cached)."""
    _check_fields(path, layer, columns)
    frame: pd.DataFrame = pyogrio.read_dataframe(
        path, layer=layer, columns=list(columns), read_geometry=False
    )
    return frame


def _columns(spec: BoundarySet) -> tuple[str, ...]:
    columns = [spec.code_field, spec.name_field, *[k for k, _ in spec.where]]
    columns += [f for f in (spec.start_field, spec.end_field) if f]
    return tuple(dict.fromkeys(columns))


@lru_cache(maxsize=8)
def _lookup(path: Path, source: str, target: str, name: str) -> dict[str, tuple[str, str]]:
    """A dissolve lookup: source code -> (target code, target name)."""
    if not path.is_file():
        raise UnreadableFileError("dissolve lookup does not exist", path=path)
    frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig").fillna("")
    for column in (source, target, name):
        if column not in frame.columns:
            raise MissingColumnError("lookup column missing", path=path, column=column)
    pairs = frame.drop_duplicates(source)
    return {
        str(s).strip(): (str(t).strip(), str(n).strip())
        for s, t, n in zip(pairs[source], pairs[target], pairs[name], strict=True)
    }


def _codes_and_names(
    frame: pd.DataFrame, spec: BoundarySet, changes: CodeChanges, data_dir: Path
) -> tuple[pd.Series, pd.Series]:
    """Each feature's code and name after vintage recodes and any dissolve lookup."""
    codes = frame[spec.code_field].astype(str).str.strip()
    names = frame[spec.name_field].astype(str).str.strip()
    if spec.valid_in is not None:
        codes = codes.map(lambda c: changes.as_of(c, spec.valid_in or 0))
    if spec.dissolve is not None:
        rule = spec.dissolve
        lookup = _lookup(data_dir / rule.lookup, rule.source, rule.target, rule.name)
        missing = sorted(set(codes) - set(lookup))
        if missing:
            raise MissingColumnError(
                f"codes not in the dissolve lookup: {', '.join(missing[:5])}",
                path=data_dir / rule.lookup,
                column=rule.source,
            )
        names = codes.map(lambda c: lookup[c][1])
        codes = codes.map(lambda c: lookup[c][0])
    return codes, names


def _of_level(codes: pd.Series, spec: BoundarySet) -> pd.Series:
    """Features whose code belongs to the set's level (a layer can hold stray areas: the
    multi-vintage file's combined-authority layer has Glasgow and North Lanarkshire)."""
    if not spec.code_pattern:
        return pd.Series(True, index=codes.index)
    return codes.str.match(spec.code_pattern)


def _valid_in(frame: pd.DataFrame, spec: BoundarySet) -> pd.DataFrame:
    year = spec.valid_in
    if year is None:
        return frame
    keep = pd.Series(True, index=frame.index)
    if spec.start_field:
        start = pd.to_numeric(frame[spec.start_field], errors="coerce")
        keep &= start.isna() | (start <= year)
    if spec.end_field:
        end = pd.to_numeric(frame[spec.end_field], errors="coerce")
        keep &= end.isna() | (end >= year)
    return frame[keep]


def load_boundaries(
    spec: BoundarySet | str,
    *,
    detail: bool = False,
    registry: Registry | None = None,
    changes: CodeChanges | None = None,
    data_dir: Path = DATA_DIR,
) -> gpd.GeoDataFrame:
    """Load one boundary set as valid EPSG:4326 polygons in the standard column shape.

    Multi-vintage files are filtered to the vintage year and dated 1:1 recodes up to that
    year are applied (e.g. Glasgow S12000046 becomes S12000049 from 2019). Features sharing
    a code are dissolved into one; the result is a clean coverage (no overlaps, shared edges
    identical). Rows are sorted by code so feature ids are stable.
    """
    registry = registry or default_registry()
    spec = registry.get(spec) if isinstance(spec, str) else spec
    changes = changes or default_changes()
    file = spec.detail.file if detail and spec.detail else spec.file
    frame = _read(data_dir / file, spec.layer, _columns(spec), spec.crs)
    for key, value in spec.where:
        frame = frame[frame[key] == value]
    frame = _valid_in(frame, spec)
    codes, names = _codes_and_names(frame, spec, changes, data_dir)
    keep = _of_level(codes, spec).to_numpy()
    out = gpd.GeoDataFrame(
        {"code": codes.to_numpy()[keep], "name": names.to_numpy()[keep]},
        geometry=frame.geometry.to_crs(WGS84).to_numpy()[keep],
        crs=WGS84,
    )
    if out["code"].duplicated().any():
        out = out.dissolve(by="code", aggfunc="first", as_index=False)
    out["geometry"] = clean_coverage(repair(out.geometry.to_numpy()))
    out["level"] = spec.level
    out["vintage"] = spec.vintage
    out["set_id"] = spec.id
    out = out.sort_values("code", ignore_index=True)
    return gpd.GeoDataFrame(out[STANDARD_COLUMNS], geometry="geometry", crs=WGS84)


@lru_cache(maxsize=64)
def _codes_cached(spec: BoundarySet, data_dir: Path) -> tuple[tuple[str, str], ...]:
    changes = default_changes()
    frame = _read_attributes(data_dir / spec.file, spec.layer, _columns(spec))
    for key, value in spec.where:
        frame = frame[frame[key] == value]
    frame = _valid_in(frame, spec)
    codes, names = _codes_and_names(frame, spec, changes, data_dir)
    keep = _of_level(codes, spec)
    pairs: dict[str, str] = {}
    for code, name in zip(codes[keep], names[keep], strict=True):
        pairs.setdefault(code, name)
    return tuple(sorted(pairs.items()))


def load_codes(spec: BoundarySet, data_dir: Path = DATA_DIR) -> dict[str, str]:
    """Codes and names of one set without reading geometry (same filtering and recodes)."""
    return dict(_codes_cached(spec, data_dir))
