"""Replace or remove one indicator in a built database without rebuilding anything else.

The database is copied, changed in one transaction, then renamed over the original, so the
server (and any reader) sees either the old or the new state, never a mix.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd

from boundaries.registry import Registry
from levelup import db
from levelup.atomic import atomic_path
from levelup.errors import StoreError
from pipeline.catalogue import USER_THEME, Indicator
from pipeline.catalogue_store import write_indicators
from pipeline.datastore import write_inequality, write_results, write_sets
from pipeline.geography import write_hex_areas, write_parents
from pipeline.join import JoinResult

# Every table keyed by indicator id.
INDICATOR_TABLES = (
    "indicators",
    "variants",
    "series",
    "observations",
    "stats",
    "populations",
    "inequality",
    "coverage",
    "unmatched",
    "unclassified",
    "set_choices",
)


def _delete(connection: sqlite3.Connection, indicator_id: str) -> int:
    """Delete an indicator's rows everywhere; return how many indicator rows went."""
    gone = 0
    for table in INDICATOR_TABLES:
        column = "id" if table == "indicators" else "indicator"
        cursor = connection.execute(f"DELETE FROM {table} WHERE {column} = ?", (indicator_id,))
        gone += cursor.rowcount if table == "indicators" else 0
    return gone


def _order(connection: sqlite3.Connection, indicator_id: str) -> int:
    row = connection.execute("SELECT ord FROM indicators WHERE id = ?", (indicator_id,)).fetchone()
    if row is not None:
        return int(row[0])
    last = connection.execute("SELECT MAX(ord) FROM indicators").fetchone()[0]
    return 0 if last is None else int(last) + 1


def _present_sets(connection: sqlite3.Connection) -> set[str]:
    return {r[0] for r in connection.execute("SELECT id FROM boundary_sets")}


@contextlib.contextmanager
def _editing(db_path: Path, input_hash: str | None) -> Iterator[sqlite3.Connection]:
    """One transaction on a copy of the database, renamed over it only if all of it worked."""
    if not db_path.is_file():
        raise StoreError(f"{db_path}: no database; run 'levelup build' first")
    db.open_readonly(db_path).close()  # refuses a corrupt or incompatible database
    with atomic_path(db_path) as tmp:
        shutil.copyfile(db_path, tmp)
        with contextlib.closing(sqlite3.connect(tmp)) as connection, connection:
            yield connection
            if input_hash is not None:
                _set_meta(connection, "input_hash", input_hash)


def replace_indicator(
    db_path: Path,
    indicator: Indicator,
    result: JoinResult,
    inequality: pd.DataFrame,
    registry: Registry,
    boundaries: Mapping[str, gpd.GeoDataFrame],
    input_hash: str | None = None,
) -> None:
    """Swap in one indicator's rows (and any boundary sets it needs that are not there yet)."""
    with _editing(db_path, input_hash) as connection:
        connection.execute("INSERT OR IGNORE INTO themes (id, label) VALUES (?, ?)", USER_THEME)
        order = _order(connection, indicator.id)
        _delete(connection, indicator.id)
        write_indicators(connection, [indicator], first_order=order)
        present = _present_sets(connection)
        added = {k: v for k, v in boundaries.items() if k not in present}
        write_sets(connection, registry, added)
        if added:  # new boundary sets: their hexes, and every area's parents again
            write_hex_areas(connection, sorted(added))
            write_parents(connection)
        write_results(connection, [result])
        write_inequality(connection, pd.DataFrame(), inequality)


def remove_indicator(db_path: Path, indicator_id: str, input_hash: str | None = None) -> bool:
    """Delete one indicator's rows; False when it was not in the database."""
    with _editing(db_path, input_hash) as connection:
        gone = _delete(connection, indicator_id)
    return gone > 0


def _set_meta(connection: sqlite3.Connection, key: str, value: str) -> None:
    connection.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))


def sets_in(db_path: Path) -> set[str]:
    """Boundary sets a database already holds."""
    with contextlib.closing(db.open_readonly(db_path)) as connection:
        return _present_sets(connection)


def is_user_indicator(db_path: Path, indicator_id: str) -> bool | None:
    """True for a user indicator, False for a shipped one, None when absent."""
    with contextlib.closing(db.open_readonly(db_path)) as connection:
        row = connection.execute(
            "SELECT user_supplied FROM indicators WHERE id = ?", (indicator_id,)
        ).fetchone()
    return None if row is None else bool(row[0])
