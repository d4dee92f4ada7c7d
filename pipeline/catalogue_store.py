"""Write what the catalogue says (themes, indicators and their measures, source files, the
ELS dataset list) into the SQLite database, and the row insert every writer uses."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping

import pandas as pd

from levelup.provenance import SourceCatalogue
from pipeline.catalogue import INDEX_THEME, USER_THEME, Catalogue, Indicator, Variant


def insert_rows(
    connection: sqlite3.Connection,
    table: str,
    rows: Iterable[Mapping[str, object]] | pd.DataFrame,
    columns: list[str],
) -> None:
    """Insert rows (mappings or a DataFrame, whose missing columns become NULL) into `table`."""
    if isinstance(rows, pd.DataFrame):
        if rows.empty:
            return
        rows = rows.reindex(columns=columns)  # columns a frame lacks are written as NULL
        frame = rows.astype(object).where(rows.notna(), None)
        values: Iterable[tuple[object, ...]] = frame.itertuples(index=False, name=None)
    elif not columns:
        return
    else:
        values = (tuple(row[c] for c in columns) for row in rows)
    marks = ", ".join("?" for _ in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    connection.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", values)


def write_themes(connection: sqlite3.Connection, themes: Mapping[str, str]) -> None:
    """Insert theme rows (the user and index themes always exist, so uploads and user
    indexes can join them later)."""
    every = {**themes, INDEX_THEME[0]: INDEX_THEME[1], USER_THEME[0]: USER_THEME[1]}
    insert_rows(
        connection,
        "themes",
        ({"id": k, "label": v} for k, v in every.items()),
        ["id", "label"],
    )


def write_indicators(
    connection: sqlite3.Connection, indicators: list[Indicator], first_order: int = 0
) -> None:
    """Insert indicator and variant rows, ordered from `first_order`."""
    rows, variants = [], []
    for order, indicator in enumerate(indicators, start=first_order):
        rows.append(
            {
                "id": indicator.id,
                "title": indicator.title,
                "description": indicator.description,
                "theme": indicator.theme,
                "unit": indicator.unit,
                "polarity": indicator.polarity,
                "decimals": indicator.decimals,
                "system": indicator.system,
                "source": indicator.source_text,
                "licence": indicator.licence_text,
                "attribution": indicator.attribution,
                "user_supplied": int(indicator.user_supplied),
                "aggregation": indicator.aggregation.kind,
                "aggregation_total": indicator.aggregation.total,
                "aggregation_scale": indicator.aggregation.scale,
                "aggregation_reason": indicator.aggregation.reason,
                "subtopic": indicator.subtopic,
                "polarity_reason": indicator.polarity_reason,
                "caveats": indicator.caveats,
                "source_url": indicator.source_url,
                "metadata_note": indicator.metadata_note,
                "ord": order,
            }
        )
        for v_order, variant in enumerate(indicator.variants):
            variants.append(
                {
                    "indicator": indicator.id,
                    "id": variant.id,
                    "label": variant.label,
                    "unit": variant.unit,
                    "polarity": variant.polarity,
                    "ord": v_order,
                    "decimals": indicator.decimals
                    if variant.decimals is None
                    else variant.decimals,
                    "derived": describe_derivation(variant),
                }
            )
    insert_rows(connection, "indicators", rows, list(rows[0]) if rows else [])
    insert_rows(connection, "variants", variants, list(variants[0]) if variants else [])


def describe_derivation(variant: Variant) -> str:
    """How a derived variant is computed, in words ('' for a published one)."""
    rule = variant.derive
    if rule is None:
        return ""
    other = {
        "population": "the ONS mid-year population of the same year",
        "uk": "the UK's figure for the same year",
    }.get(rule.per or rule.times or "", f"{rule.per or rule.times} (same area and year)")
    how = "divided by" if rule.per else "multiplied by"
    scale = f", × {rule.scale:g}" if rule.scale != 1 else ""
    return f"{rule.of} {how} {other}{scale}"


def write_sources(connection: sqlite3.Connection, catalogues: Iterable[SourceCatalogue]) -> None:
    """Insert a row per shipped source file, with its licence and attribution."""
    rows = []
    for catalogue in catalogues:
        prefix = catalogue.root.parent.name
        for source in catalogue.files.values():
            rows.append(
                {
                    "path": f"{prefix}/data/{source.path}",
                    "title": source.title,
                    "publisher": source.publisher,
                    "licence": source.licence.title,
                    "licence_url": source.licence.url,
                    "attribution": source.attribution,
                    "origin": source.origin,
                    "url": source.url,
                    "sha256": source.sha256,
                }
            )
    insert_rows(connection, "sources", rows, list(rows[0]) if rows else [])


ELS_FOLDERS = ("ons_els_datasets/", "ons_population/")


def els_datasets(catalogue: Catalogue) -> list[dict[str, str]]:
    """Every ELS dataset the catalogue knows: read by which variants, or why not."""
    rows = [
        {"file": s.file, "status": "read", "indicator": i.id, "variant": v.id, "reason": ""}
        for i in catalogue.indicators.values()
        if not i.user_supplied
        for v in i.variants
        for s in v.sources
        if s.file.startswith(ELS_FOLDERS)
    ]
    for entry in catalogue.els_datasets:
        indicator, _, variant = entry.of.partition("/")
        rows.append(
            {
                "file": entry.file,
                "status": entry.status,
                "indicator": indicator,
                "variant": variant,
                "reason": entry.reason,
            }
        )
    return sorted(rows, key=lambda r: (r["file"], r["indicator"], r["variant"]))


def write_els_datasets(connection: sqlite3.Connection, catalogue: Catalogue) -> None:
    """Insert the ELS dataset list (what `levelup report` shows per file)."""
    insert_rows(
        connection,
        "els_datasets",
        els_datasets(catalogue),
        ["file", "status", "indicator", "variant", "reason"],
    )
