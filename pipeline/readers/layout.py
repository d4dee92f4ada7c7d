"""Where things are in a user's table: the layout detected (or given) and saved with it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

FORMATS = ("tidy", "wide-years", "wide-indicators")


@dataclass(frozen=True)
class Layout:
    """Which column holds codes, which the period, which the values, and in what shape.

    tidy             one row per area and period: a code column, a period column (or one
                     fixed `period`), one value column
    wide-years       one row per area, one column per period (headers are periods)
    wide-indicators  one row per area and period, one column per measure (each a variant)
    """

    format: str
    code_column: str
    value_columns: tuple[str, ...]
    period_column: str | None = None
    period: str | None = None
    name_column: str | None = None
    sheet: str = ""  # the XLSX worksheet read (a workbook may open with a cover sheet)

    def save(self, path: Path) -> None:
        """Write as JSON."""
        path.write_text(
            json.dumps({**asdict(self), "value_columns": list(self.value_columns)}, indent=1),
            encoding="utf-8",
        )

    @staticmethod
    def load(path: Path) -> Layout:
        """Read a layout saved by `save`."""
        raw = json.loads(path.read_text(encoding="utf-8"))
        raw.pop("units", None)  # written by earlier versions, never used
        return Layout(**{**raw, "value_columns": tuple(raw["value_columns"])})
