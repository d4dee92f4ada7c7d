"""What an index reads: its measures' observations at one level (from a build in memory or a
built database), each boundary set's area codes and names, and checks of the measures
against the catalogue's variants."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping

import pandas as pd

from levelup.errors import InputError
from pipeline.index.definition import IndexDefinition

OBSERVATION_COLUMNS = ["indicator", "variant", "code", "year", "value", "set_id"]


def wanted_pairs(definitions: Iterable[IndexDefinition]) -> set[tuple[str, str]]:
    """Every (indicator, variant) the definitions read."""
    return {(m.indicator, v) for d in definitions for m in d.measures() for v in m.variants}


def from_joined(
    joined: Iterable[pd.DataFrame], level: str, pairs: set[tuple[str, str]]
) -> pd.DataFrame:
    """The observations of `pairs` at `level` from joined frames of a build in progress."""
    frames = []
    for frame in joined:
        if frame.empty:
            continue
        keep = (frame["level"] == level) & pd.Series(
            [(i, v) in pairs for i, v in zip(frame["indicator"], frame["variant"], strict=True)],
            index=frame.index,
        )
        if keep.any():
            frames.append(frame.loc[keep, OBSERVATION_COLUMNS])
    return (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=OBSERVATION_COLUMNS)
    )


def from_database(
    connection: sqlite3.Connection, level: str, pairs: set[tuple[str, str]]
) -> pd.DataFrame:
    """The observations of `pairs` at `level` from a built database (with each row's set)."""
    rows = []
    for indicator, variant in sorted(pairs):
        rows += connection.execute(
            "SELECT o.indicator, o.variant, o.code, o.year, o.value, s.set_id "
            "FROM observations o JOIN series s ON s.indicator = o.indicator AND "
            "s.variant = o.variant AND s.level = o.level AND o.year BETWEEN s.year_from AND "
            "s.year_to WHERE o.indicator = ? AND o.variant = ? AND o.level = ? "
            "AND o.value IS NOT NULL",
            (indicator, variant, level),
        ).fetchall()
    return pd.DataFrame(rows, columns=OBSERVATION_COLUMNS)


def set_areas(connection: sqlite3.Connection, level: str) -> dict[str, dict[str, str]]:
    """Each boundary set of a level: its area codes and names (from a built database)."""
    out: dict[str, dict[str, str]] = {}
    for set_id, code, name in connection.execute(
        "SELECT a.set_id, a.code, a.name FROM areas a JOIN boundary_sets b ON b.id = a.set_id "
        "WHERE b.level = ?",
        (level,),
    ):
        out.setdefault(set_id, {})[code] = name
    return out


def check_measures(
    definition: IndexDefinition,
    polarity: Mapping[tuple[str, str], str],
    reasons: Mapping[str, str],
    path: str,
) -> None:
    """Each measure names a known variant, and its direction is the variant's polarity (or
    says why not). A variant whose polarity is "neither" is never scored as better or worse."""
    for domain, pillar in definition.pillars():
        for i, measure in enumerate(pillar.measures, start=1):
            where = f"domain {domain.id}: pillar {pillar.id}: measure {i}: "
            for variant in measure.variants:
                known = polarity.get((measure.indicator, variant))
                if known is None:
                    variants = sorted(v for (ind, v) in polarity if ind == measure.indicator)
                    hint = (
                        f"its variants: {', '.join(variants)}"
                        if variants
                        else "no such indicator in the data"
                    )
                    raise InputError(
                        f"unknown variant {measure.indicator}/{variant} ({hint})",
                        path=path,
                        column=f"{where}variant",
                    )
                if known == "neither":
                    why = reasons.get(measure.indicator, "")
                    raise InputError(
                        f"{measure.indicator}/{variant} has no better direction"
                        + (f" ({why})" if why else "")
                        + "; it cannot be scored",
                        path=path,
                        column=f"{where}indicator",
                    )
                if measure.direction != known and not measure.reason:
                    raise InputError(
                        f"direction {measure.direction!r} differs from the catalogue's "
                        f"({known!r} is better for {measure.indicator}/{variant}); say why "
                        "in 'reason' to use it",
                        path=path,
                        column=f"{where}direction",
                    )
