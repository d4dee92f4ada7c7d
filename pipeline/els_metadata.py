"""ONS Explore Local Statistics metadata for a dataset: label, unit, decimals, description,
caveats and source, from ELS's compiled `core-metadata.json`, else its older
`els_indicators-metadata.csv` (blank cells there count as missing).
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CORE = "ons_els_datasets/core-metadata.json"
OLDER = "ons_els/els_indicators-metadata.csv"


@dataclass(frozen=True, slots=True)
class ElsMetadata:
    """What ELS says about one dataset (empty strings where it says nothing)."""

    slug: str
    label: str
    unit: str
    decimals: int | None
    subtitle: str
    description: str
    caveats: str
    source_org: str
    source_url: str
    source_date: str
    topic: str = ""
    subtopic: str = ""


def unit_of(prefix: str, suffix: str, sub_text: str) -> str:
    """Our unit from ELS's prefix, suffix and sub-text ('in £ millions' -> '£ million')."""
    money = re.fullmatch(r"in £ millions(?:, (.+))?", sub_text.strip())
    if money:
        return f"£ million ({money[1]})" if money[1] else "£ million"
    if prefix.strip() or suffix.strip():
        return (prefix + suffix).strip()
    text = sub_text.strip()
    return "" if text.lower() == "none" else text


def _cell(row: dict[str, object], key: str) -> str:
    value = row.get(key)
    return "" if value is None else str(value).strip()


def _decimals(text: str) -> int | None:
    return int(float(text)) if re.fullmatch(r"\d+(?:\.0)?", text) else None


def _from_row(row: dict[str, object], topic: str = "", subtopic: str = "") -> ElsMetadata:
    return ElsMetadata(
        slug=_cell(row, "slug"),
        label=_cell(row, "label"),
        unit=unit_of(_cell(row, "prefix"), _cell(row, "suffix"), _cell(row, "subText")),
        decimals=_decimals(_cell(row, "decimalPlaces")),
        subtitle=_cell(row, "subtitle"),
        description=_cell(row, "longDescription"),
        caveats=_cell(row, "caveats"),
        source_org=_cell(row, "sourceOrg"),
        source_url=_cell(row, "sourceURL"),
        source_date=_cell(row, "sourceDate"),
        topic=topic,
        subtopic=subtopic,
    )


@cache
def els_metadata(data_dir: Path) -> dict[str, ElsMetadata]:
    """Every dataset ELS describes, keyed by its slug and by its ELS code."""
    found: dict[str, ElsMetadata] = {}
    older = data_dir / OLDER
    if older.is_file():
        with older.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                meta = _from_row(dict(row))
                if meta.label:
                    found[meta.slug] = found[_cell(dict(row), "code")] = meta
    core = data_dir / CORE
    if core.is_file():
        entries = json.loads(core.read_text(encoding="utf-8"))["indicatorsObject"]
        for code, entry in entries.items():
            meta = _from_row(entry["metadata"], entry.get("topic", ""), entry.get("subTopic", ""))
            found[meta.slug] = found[code] = meta
    return found
