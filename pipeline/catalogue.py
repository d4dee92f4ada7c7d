"""The indicator catalogue (indicators.toml) as small immutable value types."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from levelup.errors import CatalogueError, UnknownIndicatorError
from levelup.ids import SLUG
from levelup.provenance import SourceCatalogue, SourceFile, load_sources, merge_attributions
from levelup.settings import Settings
from pipeline.els_metadata import ElsMetadata, els_metadata

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
POLARITIES = ("higher", "lower", "neither")
AGGREGATIONS = ("ratio", "total", "none")
DERIVATION_BASES = ("population", "uk")
READERS = ("ons", "subnational", "eurostat", "els", "user")
USER_THEME = ("user", "Your data")
INDEX_THEME = ("index", "Levelling-up index and area types")


@dataclass(frozen=True, slots=True)
class Source:
    """One file feeding a variant, with the rows to keep."""

    file: str
    reader: str
    filter: tuple[tuple[str, tuple[str, ...]], ...] = ()
    code_pattern: str | None = None
    provenance: SourceFile | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Derivation:
    """A variant computed from variant `of` of the same indicator, for each area and year:
    value(of) ÷ `per` (or × `times`) × scale, where the other series is "population" (ONS
    mid-year estimates), "uk" (the same variant's UK figure) or "indicator/variant"."""

    of: str
    per: str | None = None
    times: str | None = None
    scale: float = 1.0

    @property
    def needs(self) -> str | None:
        """The indicator whose series this derivation reads (None: its own)."""
        ref = self.per or self.times or ""
        if ref == "population":
            return "population"
        return ref.partition("/")[0] if "/" in ref else None


@dataclass(frozen=True, slots=True)
class Variant:
    """A measure of an indicator (e.g. current prices vs chained volume)."""

    id: str
    label: str
    unit: str
    polarity: str
    sources: tuple[Source, ...]
    derive: Derivation | None = None
    decimals: int | None = None


@dataclass(frozen=True, slots=True)
class Aggregation:
    """How areas of an indicator add up into groups, and where populations come from.

    kind "total": values are totals and groups sum them. kind "ratio": values are per head
    or rates, weighted by population in groups. kind "none": medians and the like, which no
    sum of parts gives (groups are refused with `reason`). With `total` (an indicator with
    the matching totals, same variants, in units of `scale`) populations are derived as
    total(v) × scale ÷ value(v) for variant `population_from`, and groups get Σ totals ÷
    Σ populations.
    """

    kind: str = "ratio"
    total: str | None = None
    scale: float = 1.0
    population_from: str | None = None
    reason: str = ""  # kind "none": why a group's figure cannot be built from its areas


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
    subtopic: str = ""
    polarity_reason: str = ""
    caveats: str = ""
    source_url: str = ""
    metadata_note: str = ""  # where metadata were derived rather than published

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
class ElsDataset:
    """A shipped ELS dataset no variant reads, with why: a duplicate, superseded, not shown."""

    file: str
    status: str
    of: str = ""  # "indicator/variant" it duplicates or was superseded by
    reason: str = ""
    tolerance: float = 0.0


@dataclass(frozen=True, slots=True)
class Catalogue:
    """All indicators and themes, looked up by id."""

    indicators: dict[str, Indicator]
    themes: dict[str, str]
    sources: SourceCatalogue
    els_datasets: tuple[ElsDataset, ...] = ()

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
    reader = raw.get("reader", "els" if str(raw.get("file", "")).endswith(".json") else "")
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


def _derivation(raw: dict[str, Any] | None, where: str) -> Derivation | None:
    if raw is None:
        return None
    if "of" not in raw:
        raise CatalogueError(f"{where}: derive needs 'of' (the variant it is computed from)")
    if ("per" in raw) == ("times" in raw):
        raise CatalogueError(f"{where}: derive needs one of 'per' or 'times'")
    ref = str(raw.get("per") or raw.get("times"))
    if ref not in DERIVATION_BASES and not re.fullmatch(r"[a-z0-9-]+/[a-z0-9-]+", ref):
        raise CatalogueError(
            f"{where}: derive from {ref!r}: give 'population', 'uk' or 'indicator/variant'"
        )
    return Derivation(
        of=str(raw["of"]),
        per=raw.get("per"),
        times=raw.get("times"),
        scale=float(raw.get("scale", 1.0)),
    )


def _variant(
    raw: dict[str, Any], parent: dict[str, Any], where: str, sources: SourceCatalogue | None
) -> Variant:
    slug = raw.get("id", "")
    if not SLUG.match(slug):
        raise CatalogueError(f"{where}: variant id {slug!r} is not a lower-case slug")
    polarity = raw.get("polarity", parent["polarity"])
    if polarity not in POLARITIES:
        raise CatalogueError(
            f"{where}: polarity must be one of {', '.join(POLARITIES)}, not {polarity!r}"
        )
    derive = _derivation(raw.get("derive"), f"{where}/{slug}")
    raw_sources = [] if derive else raw.get("sources") or [raw]
    return Variant(
        id=slug,
        label=raw.get("label", slug),
        unit=raw.get("unit", parent["unit"]),
        polarity=polarity,
        sources=tuple(_source(s, f"{where}/{slug}", sources) for s in raw_sources),
        derive=derive,
        decimals=int(raw["decimals"]) if "decimals" in raw else None,
    )


def _aggregation(raw: dict[str, Any], where: str) -> Aggregation:
    kind = raw.get("kind", "ratio")
    if kind not in AGGREGATIONS:
        raise CatalogueError(f"{where}: aggregation kind must be one of {', '.join(AGGREGATIONS)}")
    if kind == "none" and not raw.get("reason"):
        raise CatalogueError(f"{where}: aggregation kind 'none' needs a reason")
    return Aggregation(
        kind=kind,
        total=raw.get("total"),
        scale=float(raw.get("scale", 1.0)),
        population_from=raw.get("population_from"),
        reason=str(raw.get("reason", "")),
    )


def _with_els(raw: dict[str, Any], where: str, data_dir: Path | None) -> dict[str, Any]:
    """Fill title, unit, decimals, description, caveats and source URL from ELS's metadata
    where the entry names an ELS dataset (`els = slug`) and does not give them itself."""
    slug = raw.get("els")
    if not slug or data_dir is None:
        return raw
    meta: ElsMetadata | None = els_metadata(data_dir).get(slug)
    if meta is None:
        raise CatalogueError(f"{where}: {raw.get('id')}: ELS has no metadata for {slug!r}")
    description = meta.description or meta.subtitle
    filled = {
        "title": meta.label,
        "unit": meta.unit,
        "decimals": meta.decimals,
        "description": description,
        "caveats": meta.caveats,
        "source_url": meta.source_url,
    }
    return {**{k: v for k, v in filled.items() if v not in ("", None)}, **raw}


def parse_indicator(
    raw: dict[str, Any],
    where: str,
    sources: SourceCatalogue | None,
    themes: dict[str, str],
    user_supplied: bool = False,
    data_dir: Path | None = None,
) -> Indicator:
    """Build one Indicator from its TOML/JSON table, checking every field."""
    raw = _with_els(raw, where, data_dir)
    try:
        slug = raw["id"]
        if not SLUG.match(slug):
            raise CatalogueError(f"{where}: indicator id {slug!r} is not a lower-case slug")
        if raw["polarity"] not in POLARITIES:
            raise CatalogueError(
                f"{where}: {slug}: polarity must be one of {', '.join(POLARITIES)}"
            )
        if raw["theme"] not in themes:
            raise CatalogueError(f"{where}: {slug}: unknown theme {raw['theme']!r}")
        variants = tuple(_variant(v, raw, f"{where}: {slug}", sources) for v in raw["variant"])
        ids = [v.id for v in variants]
        if len(set(ids)) != len(ids):
            raise CatalogueError(f"{where}: {slug}: duplicate variant ids")
        for variant in variants:
            if variant.derive and variant.derive.of not in ids:
                raise CatalogueError(
                    f"{where}: {slug}/{variant.id}: derived from unknown variant "
                    f"{variant.derive.of!r}"
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
            aggregation=_aggregation(raw.get("aggregation", {}), f"{where}: {slug}"),
            source=raw.get("source", "") if user_supplied else "",
            levels=tuple(str(v) for v in raw.get("levels", ())),
            licence=raw.get("licence", "") if user_supplied else "",
            subtopic=raw.get("subtopic", ""),
            polarity_reason=raw.get("polarity_reason", ""),
            caveats=raw.get("caveats", ""),
            source_url=raw.get("source_url", ""),
            metadata_note=raw.get("metadata_note", ""),
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
        indicator = parse_indicator(entry, str(path), sources, themes, data_dir=data_dir)
        if indicator.id in indicators:
            raise CatalogueError(f"{path}: duplicate indicator id {indicator.id!r}")
        indicators[indicator.id] = indicator
    unread = tuple(_els_dataset(e, str(path), indicators) for e in raw.get("els_dataset", []))
    return Catalogue(indicators=indicators, themes=themes, sources=sources, els_datasets=unread)


ELS_STATUSES = ("duplicate", "superseded", "not-shown")


def _els_dataset(raw: dict[str, Any], where: str, indicators: dict[str, Indicator]) -> ElsDataset:
    entry = ElsDataset(
        file=str(raw.get("file", "")),
        status=str(raw.get("status", "")),
        of=str(raw.get("of", "")),
        reason=str(raw.get("reason", "")),
        tolerance=float(raw.get("tolerance", 0.0)),
    )
    if entry.status not in ELS_STATUSES:
        raise CatalogueError(f"{where}: {entry.file}: status must be one of {ELS_STATUSES}")
    if entry.status == "not-shown" and not entry.reason:
        raise CatalogueError(f"{where}: {entry.file}: say why it is not shown")
    if entry.status != "not-shown":
        owner, _, variant = entry.of.partition("/")
        if owner not in indicators or variant not in {v.id for v in indicators[owner].variants}:
            raise CatalogueError(f"{where}: {entry.file}: unknown variant {entry.of!r}")
    return entry


def selected(catalogue: Catalogue, ids: Iterable[str]) -> Catalogue:
    """The catalogue narrowed to these indicators (an unknown id is an error naming it)."""
    keep = [catalogue.get(i).id for i in ids]
    return replace(catalogue, indicators={k: catalogue.indicators[k] for k in keep})


@cache
def shipped_catalogue() -> Catalogue:
    """Every shipped indicator (read once per process)."""
    return load_catalogue()


@cache
def default_catalogue() -> Catalogue:
    """The shipped catalogue, narrowed to the indicators listed in LEVELUP_INDICATORS when
    that is set (a lean deployment, the test suite)."""
    wanted = Settings().indicators
    return selected(shipped_catalogue(), wanted) if wanted else shipped_catalogue()
