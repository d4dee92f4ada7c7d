"""Tiny index definitions and observation tables built in code."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pipeline.index.definition import IndexDefinition, parse_definition


def definition(domains: list[dict[str, Any]], **top: Any) -> IndexDefinition:
    """A definition from plain dicts (the shape a TOML file has)."""
    raw = {"id": "test-index", "title": "Test", "level": "lad", "first_year": 2019, **top}
    return parse_definition({**raw, "domain": domains}, "test.toml")


def measure(
    indicator: str, direction: str = "higher", weight: float = 1.0, variant: Any = "v"
) -> dict[str, Any]:
    return {"indicator": indicator, "variant": variant, "direction": direction, "weight": weight}


def observations(
    values: dict[str, dict[str, float]], year: int = 2020, variant: str = "v"
) -> pd.DataFrame:
    """{indicator: {code: value}} as an observations table on one set "s"."""
    rows = [
        {"indicator": i, "variant": variant, "code": c, "year": year, "value": v, "set_id": "s"}
        for i, by_code in values.items()
        for c, v in by_code.items()
        if v is not None and np.isfinite(v)
    ]
    return pd.DataFrame(rows)
