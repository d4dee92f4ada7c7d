"""One indicator × variant × level on one boundary set, read from the joined data for the
tile build: per-year property columns aligned to the set's feature ids, and class breaks."""

from __future__ import annotations

import sqlite3

import numpy as np

from tiles.classes import classify, country_breaks, quantile_breaks


def _rows(connection: sqlite3.Connection, sql: str, *params: object) -> list[sqlite3.Row]:
    connection.row_factory = sqlite3.Row
    return connection.execute(sql, params).fetchall()


def _rounded(values: np.ndarray, decimals: int) -> np.ndarray:
    out = np.full(len(values), None, dtype=object)
    present = np.isfinite(values)
    out[present] = [round(float(v), decimals) for v in values[present]]
    return out


class SeriesData:
    """One indicator × variant × level on one boundary set, for the years joined to that set,
    aligned to area ids (feature ids)."""

    COLUMNS = (
        "value",
        "rank",
        "percentile",
        "z",
        "index",
        "change_pct",
        "rank_low",
        "rank_high",
        "country_index",
    )

    def __init__(
        self,
        connection: sqlite3.Connection,
        indicator: str,
        variant: str,
        level: str,
        set_id: str,
        years: list[int],
    ) -> None:
        self.codes = [
            r["code"]
            for r in _rows(
                connection, "SELECT code FROM areas WHERE set_id = ? ORDER BY fid", set_id
            )
        ]
        index = {code: i for i, code in enumerate(self.codes)}
        self.arrays: dict[int, dict[str, np.ndarray]] = {}
        self.periods: dict[int, str] = {}
        self.counts: dict[int, int] = {}
        for row in _rows(
            connection,
            'SELECT code, year, period, value, rank, percentile, z, "index", change_pct, '
            "rank_low, rank_high, country_index FROM observations WHERE indicator=? "
            "AND variant=? AND level=? "
            f"AND year IN ({','.join('?' * len(years))})",
            indicator,
            variant,
            level,
            *years,
        ):
            year = row["year"]
            if year not in self.arrays:
                self.arrays[year] = {c: np.full(len(self.codes), np.nan) for c in self.COLUMNS}
            at = index.get(row["code"])
            if at is not None:
                for column in self.COLUMNS:
                    if row[column] is not None:
                        self.arrays[year][column][at] = row[column]
            self.periods[year] = row["period"]
        self.breaks: dict[int, tuple[float, ...]] = {}
        self.country_breaks: dict[int, tuple[float, ...]] = {}
        for year, arrays in self.arrays.items():
            self.counts[year] = int(np.isfinite(arrays["value"]).sum())
            self.breaks[year] = quantile_breaks(arrays["value"])
            self.country_breaks[year] = country_breaks(arrays["country_index"])

    def columns(self, year: int) -> dict[str, np.ndarray]:
        """Per-area property columns for one year (None where there is no value)."""
        arrays = self.arrays[year]
        classes = classify(arrays["value"], self.breaks[year])
        ranks = arrays["rank"]
        likely = {  # a composite index's likely range of ranks (only where it has one)
            k: np.array([int(r) if np.isfinite(r) else None for r in arrays[k]], dtype=object)
            for k in ("rank_low", "rank_high")
            if np.isfinite(arrays[k]).any()
        }
        return {
            "value": arrays["value"],
            "class": np.array([int(c) if c >= 0 else None for c in classes], dtype=object),
            "rank": np.array([int(r) if np.isfinite(r) else None for r in ranks], dtype=object),
            "percentile": _rounded(arrays["percentile"], 1),
            "z": _rounded(arrays["z"], 2),
            "index": _rounded(arrays["index"], 1),
            "change_pct": _rounded(arrays["change_pct"], 1),
            "country_index": _rounded(arrays["country_index"], 1),
            **likely,
        }
