"""Readers for the shipped table formats; each returns a RawTable of text cells."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from levelup.errors import CatalogueError
from pipeline.readers.els import read_els
from pipeline.readers.eurostat import read_eurostat
from pipeline.readers.ons import read_ons
from pipeline.readers.subnational import read_subnational
from pipeline.readers.table import RawTable
from pipeline.readers.user import read_user

READERS: dict[str, Callable[[Path], RawTable]] = {
    "ons": read_ons,
    "subnational": read_subnational,
    "eurostat": read_eurostat,
    "els": read_els,
    "user": read_user,
}


def read_table(path: Path, reader: str) -> RawTable:
    """Read `path` with the named reader."""
    try:
        return READERS[reader](path)
    except KeyError:
        raise CatalogueError(f"unknown reader {reader!r}") from None


__all__ = ["READERS", "RawTable", "read_table"]
