"""Every named read of the database agrees with the schema levelup.db owns: each query is
prepared against an empty database of the current schema and run on a real build."""

from __future__ import annotations

import inspect
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from levelup import db
from server import queries


def named_queries() -> Iterator[tuple[str, str]]:
    """(name, SQL) of every query in server.queries (the functions with two IN items)."""
    for name, value in sorted(vars(queries).items()):
        if name.isupper() and isinstance(value, str):
            yield name, value
        elif inspect.isfunction(value) and not name.startswith("_"):
            yield name, value(2)


def _prepare(connection: sqlite3.Connection, sql: str) -> None:
    connection.execute(f"EXPLAIN {sql}", [None] * sql.count("?")).fetchall()


@pytest.fixture(scope="module")
def empty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    connection = db.create(tmp_path_factory.mktemp("schema") / db.DB_NAME)
    yield connection
    connection.close()


def test_the_module_names_every_read() -> None:
    found = dict(named_queries())
    assert len(found) > 50 and "THEMES" in found and "latest_values" in found


@pytest.mark.parametrize(("name", "sql"), list(named_queries()))
def test_every_query_fits_the_schema(name: str, sql: str, empty: sqlite3.Connection) -> None:
    _prepare(empty, sql)


def test_a_query_the_schema_does_not_fit_is_caught(empty: sqlite3.Connection) -> None:
    with pytest.raises(sqlite3.OperationalError, match="no such column"):
        _prepare(empty, queries.THEMES.replace("label", "caption"))


def test_every_query_runs_on_a_real_build(data_dir: Path) -> None:
    connection = db.open_readonly(db.db_path(data_dir))
    try:
        for _, sql in named_queries():
            connection.execute(sql, [1] * sql.count("?")).fetchall()  # LIMIT ? takes a number
    finally:
        connection.close()
