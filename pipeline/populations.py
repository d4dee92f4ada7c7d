"""ONS mid-year population estimates per area and year: the weights for UK groups.

The shipped file (pipeline/data/ons_population/) is the ONS Explore Local Statistics JSON:
parallel arrays `areacd`, `xDomainNumb` (the year) and `value` (persons, all ages), one
entry per area and year, for every UK district (LAD 2023 codes), county, combined authority,
region and nation and the UK, 1991-2024 (Northern Ireland from 2001).
"""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path

from levelup.errors import InputError

POPULATION_FILE = "ons_population/els_population-count_1991-2024.json"
ARRAYS = ("areacd", "xDomainNumb", "value")


def read_populations(path: Path) -> list[tuple[str, int, float]]:
    """(code, year, population) rows of the file; InputError naming the entry if one is bad."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"not a readable population file ({exc})", path=path) from exc
    if not isinstance(raw, dict) or any(not isinstance(raw.get(k), list) for k in ARRAYS):
        raise InputError(f"expected a JSON object with the arrays {', '.join(ARRAYS)}", path=path)
    codes, years, values = (raw[k] for k in ARRAYS)
    if not len(codes) == len(years) == len(values):
        raise InputError(
            f"the arrays differ in length ({len(codes)}, {len(years)}, {len(values)})", path=path
        )
    rows, seen = [], set()
    for i, (code, year, value) in enumerate(zip(codes, years, values, strict=True)):
        where = f"entry {i}"
        if not isinstance(code, str) or not code:
            raise InputError(f"{where}: {code!r} is not an area code", path=path, column="areacd")
        if not isinstance(year, int | float) or year != int(year):
            raise InputError(f"{where}: {year!r} is not a year", path=path, column="xDomainNumb")
        if not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
            raise InputError(f"{where}: {value!r} is not a population", path=path, column="value")
        if (code, int(year)) in seen:
            raise InputError(f"{where}: {code} {int(year)} appears twice", path=path)
        seen.add((code, int(year)))
        rows.append((code, int(year), float(value)))
    return rows


def write_populations(connection: sqlite3.Connection, data_root: Path) -> int:
    """Fill `area_populations` from the shipped file (nothing when it is not shipped)."""
    path = data_root / POPULATION_FILE
    if not path.is_file():
        return 0
    rows = read_populations(path)
    connection.executemany("INSERT INTO area_populations VALUES (?, ?, ?)", rows)
    return len(rows)
