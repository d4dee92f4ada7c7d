"""The indicator catalogue (indicators.toml) as small immutable value types."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from levelup.errors import CatalogueError, UnknownIndicatorError
from levelup.provenance import SourceCatalogue, SourceFile, load_sources, merge_attributions

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
POLARITIES = ("higher", "lower")
READERS = ("ons", "subnational", "eurostat", "user")
USER_THEME = ("user", "Your data")


@dataclass(frozen=True, slots=True)
class Source:
    """One file feeding a variant, with the rows to keep."""

    file: str
    reader: str
    filter: tuple[tuple[str, tuple[str, ...]], ...] = ()
    code_pattern: str | None = None
    provenance: SourceFile | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Variant:
    """A measure of an indicator (e.g. current prices vs chained volume)."""

    id: str
    label: str
    unit: str
    polarity: str
    sources: tuple[Source, ...]


@dataclass(frozen=True, slots=True)
class Aggregation:
    """How areas of an indicator add up into groups, and where populations come from.

    kind "total": values are totals and groups sum them. kind "per-head": values are per
    resident, so a group is the population-weighted mean of its members (ONS mid-year
    populations of the same year), which is Σ totals ÷ Σ population. kind "ratio": values
    are per head or rates; with `total` (an indicator with the matching totals, same
    variants, in units of `scale`) populations are derived as total(v) × scale ÷ value(v)
    for variant `population_from`, and groups get Σ totals ÷ Σ populations.
    """

    kind: str = "ratio"
    total: str | None = None
    scale: float = 1.0
    population_from: str | None = None


@dataclass(frozen=True, slots=True)
class Indicator:
    """A catalogue entry: what is measured, which way is better, where it comes from."""

    id: str
    title: str
    description: str
    theme: str
    unit: str
    polarity: str
    decimals: int
    system: str
    variants: tuple[Variant, ...]
    user_supplied: bool = False
    source: str = ""
    licence: str = ""
    aggregation: Aggregation = field(default_factory=Aggregation)
    levels: tuple[str, ...] = ()  # join only at these levels (a user's table); () = every level

    def variant(self, variant_id: str) -> Variant:
        """Return one variant or raise UnknownIndicatorError."""
        for variant in self.variants:
            if variant.id == variant_id:
                return variant
        raise UnknownIndicatorError(f"indicator {self.id!r} has no variant {variant_id!r}")

    @property
    def provenance(self) -> tuple[SourceFile, ...]:
        """Every distinct source file behind this indicator."""
        seen: dict[str, SourceFile] = {}
        for variant in self.variants:
            for source in variant.sources:
                if source.provenance is not None:
                    seen.setdefault(source.file, source.provenance)
        return tuple(seen.values())

    @property
    def source_text(self) -> str:
        """Publishers of the source files, joined (or the source a user gave)."""
        return self.source or "; ".join(dict.fromkeys(p.publisher for p in self.provenance))

    @property
    def licence_text(self) -> str:
        """Licences of the source files, joined (or the licence a user gave)."""
        return self.licence or "; ".join(dict.fromkeys(p.licence.title for p in self.provenance))

    @property
    def attribution(self) -> str:
        """Attribution required by the source files' licences (a user's own source)."""
        if self.user_supplied:
            return f"Source: {self.source.rstrip('.')}." if self.source else "Supplied by the user."
        return merge_attributions([p.attribution for p in self.provenance])


@dataclass(frozen=True, slots=True)
class Catalogue:
    """All indicators and themes, looked up by id."""

    indicators: dict[str, Indicator]
    themes: dict[str, str]
    sources: SourceCatalogue

    def get(self, indicator_id: str) -> Indicator:
        """Return an indicator or raise UnknownIndicatorError."""
        try:
            return self.indicators[indicator_id]
        except KeyError:
            known = ", ".join(sorted(self.indicators))
            raise UnknownIndicatorError(
                f"unknown indicator {indicator_id!r}; known indicators: {known}"
            ) from None


def _filter(raw: dict[str, Any]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    pairs = []
    for column, allowed in raw.items():
        values = allowed if isinstance(allowed, list) else [allowed]
        pairs.append((column.lower(), tuple(str(v).strip() for v in values)))
    return tuple(sorted(pairs))


def _source(raw: dict[str, Any], where: str, sources: SourceCatalogue | None) -> Source:
    reader = raw.get("reader", "")
    if reader not in READERS:
        raise CatalogueError(f"{where}: unknown reader {reader!r} (one of {', '.join(READERS)})")
    pattern = raw.get("code_pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise CatalogueError(f"{where}: bad code_pattern: {exc}") from exc
    return Source(
        file=raw["file"],
        reader=reader,
        filter=_filter(raw.get("filter", {})),
        code_pattern=pattern,
        provenance=sources.get(raw["file"]) if sources is not None else None,
    )


def _variant(
    raw: dict[str, Any], parent: dict[str, Any], where: str, sources: SourceCatalogue | None
) -> Variant:
    slug = raw.get("id", "")
    if not SLUG.match(slug):
        raise CatalogueError(f"{where}: variant id {slug!r} is not a lower-case slug")
    polarity = raw.get("polarity", parent["polarity"])
    if polarity not in POLARITIES:
        raise CatalogueError(f"{where}: polarity must be 'higher' or 'lower', not {polarity!r}")
    raw_sources = raw.get("sources") or [raw]
    return Variant(
        id=slug,
        label=raw.get("label", slug),
        unit=raw.get("unit", parent["unit"]),
        polarity=polarity,
        sources=tuple(_source(s, f"{where}/{slug}", sources) for s in raw_sources),
    )


def parse_indicator(
    raw: dict[str, Any],
    where: str,
    sources: SourceCatalogue | None,
    themes: dict[str, str],
    user_supplied: bool = False,
) -> Indicator:
    """Build one Indicator from its TOML/JSON table, checking every field."""
    try:
        slug = raw["id"]
        if not SLUG.match(slug):
            raise CatalogueError(f"{where}: indicator id {slug!r} is not a lower-case slug")
        if raw["polarity"] not in POLARITIES:
            raise CatalogueError(f"{where}: {slug}: polarity must be 'higher' or 'lower'")
        if raw["theme"] not in themes:
            raise CatalogueError(f"{where}: {slug}: unknown theme {raw['theme']!r}")
        variants = tuple(_variant(v, raw, f"{where}: {slug}", sources) for v in raw["variant"])
        if len({v.id for v in variants}) != len(variants):
            raise CatalogueError(f"{where}: {slug}: duplicate variant ids")
        raw_aggregation = raw.get("aggregation", {})
        if raw_aggregation.get("kind", "ratio") not in ("ratio", "per-head", "total"):
            raise CatalogueError(
                f"{where}: {slug}: aggregation kind must be 'ratio', 'per-head' or 'total'"
            )
        aggregation = Aggregation(
            kind=raw_aggregation.get("kind", "ratio"),
            total=raw_aggregation.get("total"),
            scale=float(raw_aggregation.get("scale", 1.0)),
            population_from=raw_aggregation.get("population_from"),
        )
        return Indicator(
            id=slug,
            title=raw["title"],
            description=raw.get("description", ""),
            theme=raw["theme"],
            unit=raw["unit"],
            polarity=raw["polarity"],
            decimals=int(raw.get("decimals", 1)),
            system=raw.get("system", "ons"),
            variants=variants,
            user_supplied=user_supplied,
            aggregation=aggregation,
            source=raw.get("source", "") if user_supplied else "",
            levels=tuple(str(v) for v in raw.get("levels", ())),
            licence=raw.get("licence", "") if user_supplied else "",
        )
    except KeyError as exc:
        raise CatalogueError(f"{where}: indicator {raw.get('id')!r} lacks {exc}") from exc


def load_catalogue(
    path: Path = PACKAGE_DIR / "indicators.toml", data_dir: Path = DATA_DIR
) -> Catalogue:
    """Read the indicator catalogue and resolve each file's provenance."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogueError(f"{path}: {exc}") from exc
    sources = load_sources(data_dir)
    themes: dict[str, str] = raw.get("themes", {})
    indicators: dict[str, Indicator] = {}
    for entry in raw.get("indicator", []):
        indicator = parse_indicator(entry, str(path), sources, themes)
        if indicator.id in indicators:
            raise CatalogueError(f"{path}: duplicate indicator id {indicator.id!r}")
        indicators[indicator.id] = indicator
    return Catalogue(indicators=indicators, themes=themes, sources=sources)


@cache
def default_catalogue() -> Catalogue:
    """The shipped indicator catalogue (read once per process)."""
    return load_catalogue()
