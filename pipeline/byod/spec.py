"""What a user's table becomes in the catalogue: title, unit, decimals, levels, variants.

Everything the user did not say is filled in from the table itself: a title from the file
name, a unit from a Unit column or from the signs in the cells, decimals from the values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from boundaries.registry import Registry
from pipeline.byod.detect import COMPARATORS, Detection
from pipeline.readers.sheet import Sheet
from pipeline.user_data import slugify


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


def decimals_for(values: pd.Series) -> int:
    """The fewest decimal places (up to 3) that show every value exactly."""
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


def _unit_column(sheet: Sheet) -> str:
    """The unit a 'Unit' column gives, when it gives just one."""
    named = [h for h in sheet.header if h.strip().lower() in ("unit", "units")]
    found = {c.strip() for c in sheet.column(named[0]) if c.strip()} if named else set()
    return found.pop()[:20] if len(found) == 1 else ""


def title_from(name: str) -> str:
    """A title from a file name: "gross-median_pay 2021-22.csv" -> "Gross median pay 2021-22"."""
    stem = Path(name).stem
    words = re.sub(r"[_.]+|(?<!\d)-+|-+(?!\d)", " ", stem).strip()  # keeps 2021-22
    return (words[:1].upper() + words[1:])[:80] if words else "My data"


def kept_levels(registry: Registry, detection: Detection) -> list[str]:
    """The detected level, and the national levels its index is computed against."""
    national = [c for c in COMPARATORS if registry.level(c).system == detection.system]
    return [detection.level, *national]


def code_pattern(registry: Registry, levels: list[str]) -> str:
    """A regular expression for codes of any of `levels`."""
    return "|".join(f"(?:{registry.level(k).pattern.pattern})" for k in levels)


def indicator_spec(
    detection: Detection,
    details: Details,
    indicator_id: str,
    title: str,
    levels: list[str],
    pattern: str,
    sheet: Sheet,
) -> dict[str, Any]:
    """The indicator.json of a user's table: what the catalogue needs to read it."""
    layout = detection.layout

    def cells(*columns: str) -> list[str]:
        return [cell for column in columns for cell in sheet.column(column)]

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
        else _unit_column(sheet) or _guess_unit(layout.value_columns, cells(*layout.value_columns)),
        "polarity": details.polarity,
        "decimals": details.decimals if details.decimals is not None else 2,
        "system": detection.system,
        "levels": levels,
        "source": details.source,
        "licence": details.licence,
        "variant": variants,
    }
