"""The joined-data database (SQLite): schema, opening read-only, and the build's meta keys.

The pipeline writes it whole to a temporary file and renames it into place; the server and
the CLI only read it. Pure sqlite3 so the server can use it without pandas or geopandas.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from levelup.errors import StoreError

SCHEMA_VERSION = "6"
DB_NAME = "levelup.db"
"""The database's file name inside a data directory."""


def db_path(data_dir: Path) -> Path:
    """Where a data directory's database is."""
    return data_dir / DB_NAME


SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE themes (id TEXT PRIMARY KEY, label TEXT NOT NULL);
CREATE TABLE levels (
    id TEXT PRIMARY KEY, label TEXT NOT NULL, system TEXT NOT NULL, map INTEGER NOT NULL,
    ord INTEGER NOT NULL, note TEXT NOT NULL);
CREATE TABLE boundary_sets (
    id TEXT PRIMARY KEY, level TEXT NOT NULL, vintage TEXT NOT NULL, title TEXT NOT NULL,
    file TEXT NOT NULL, detail_file TEXT, detail_from_zoom INTEGER,
    year_from INTEGER NOT NULL, year_to INTEGER NOT NULL,
    attribution TEXT NOT NULL, licence TEXT NOT NULL, licence_url TEXT NOT NULL,
    source_title TEXT NOT NULL, origin TEXT NOT NULL, features INTEGER NOT NULL,
    west REAL, south REAL, east REAL, north REAL);
CREATE TABLE areas (
    set_id TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL, fid INTEGER NOT NULL,
    west REAL NOT NULL, south REAL NOT NULL, east REAL NOT NULL, north REAL NOT NULL,
    lon REAL NOT NULL, lat REAL NOT NULL, geometry TEXT NOT NULL,
    PRIMARY KEY (set_id, code));
CREATE INDEX areas_code ON areas (code);
CREATE TABLE indicators (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, description TEXT NOT NULL, theme TEXT NOT NULL,
    unit TEXT NOT NULL, polarity TEXT NOT NULL, decimals INTEGER NOT NULL, system TEXT NOT NULL,
    source TEXT NOT NULL, licence TEXT NOT NULL, attribution TEXT NOT NULL,
    user_supplied INTEGER NOT NULL, ord INTEGER NOT NULL,
    aggregation TEXT NOT NULL, aggregation_total TEXT, aggregation_scale REAL NOT NULL,
    aggregation_reason TEXT NOT NULL, subtopic TEXT NOT NULL, polarity_reason TEXT NOT NULL,
    caveats TEXT NOT NULL, source_url TEXT NOT NULL, metadata_note TEXT NOT NULL);
CREATE TABLE variants (
    indicator TEXT NOT NULL, id TEXT NOT NULL, label TEXT NOT NULL, unit TEXT NOT NULL,
    polarity TEXT NOT NULL, ord INTEGER NOT NULL, decimals INTEGER NOT NULL,
    derived TEXT NOT NULL, PRIMARY KEY (indicator, id));
CREATE TABLE series (
    indicator TEXT NOT NULL, variant TEXT NOT NULL, level TEXT NOT NULL, set_id TEXT NOT NULL,
    year_from INTEGER NOT NULL, year_to INTEGER NOT NULL,
    PRIMARY KEY (indicator, variant, level, set_id));
CREATE TABLE observations (
    indicator TEXT NOT NULL, variant TEXT NOT NULL, level TEXT NOT NULL, code TEXT NOT NULL,
    year INTEGER NOT NULL, period TEXT NOT NULL, value REAL, lower REAL, upper REAL,
    status TEXT NOT NULL, source_code TEXT NOT NULL, match TEXT NOT NULL,
    rank INTEGER, "of" INTEGER, percentile REAL, z REAL, band TEXT,
    prev_year INTEGER, change REAL, change_pct REAL, national REAL, national_code TEXT,
    "index" REAL, rank_low INTEGER, rank_high INTEGER,
    country_value REAL, country_code TEXT, country_index REAL,
    PRIMARY KEY (indicator, variant, level, code, year)) WITHOUT ROWID;
CREATE INDEX observations_code ON observations (code, level);
CREATE TABLE stats (
    indicator TEXT NOT NULL, variant TEXT NOT NULL, level TEXT NOT NULL, year INTEGER NOT NULL,
    n INTEGER NOT NULL, median REAL, mad REAL, p25 REAL, p75 REAL, min REAL, max REAL,
    mean REAL, PRIMARY KEY (indicator, variant, level, year));
CREATE TABLE populations (
    indicator TEXT NOT NULL, level TEXT NOT NULL, code TEXT NOT NULL, year INTEGER NOT NULL,
    population REAL NOT NULL, PRIMARY KEY (indicator, level, code, year)) WITHOUT ROWID;
CREATE TABLE area_populations (
    code TEXT NOT NULL, year INTEGER NOT NULL, population REAL NOT NULL,
    PRIMARY KEY (code, year)) WITHOUT ROWID;
CREATE TABLE inequality (
    indicator TEXT NOT NULL, variant TEXT NOT NULL, level TEXT NOT NULL, country TEXT NOT NULL,
    year INTEGER NOT NULL, regions INTEGER NOT NULL, weighted INTEGER NOT NULL,
    national REAL, national_source TEXT NOT NULL, dispersion REAL, cv REAL, gini REAL,
    theil REAL, top_bottom REAL, PRIMARY KEY (indicator, variant, level, country, year));
CREATE TABLE groups (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, description TEXT NOT NULL, source TEXT NOT NULL,
    members TEXT NOT NULL);
CREATE TABLE coverage (
    indicator TEXT NOT NULL, variant TEXT NOT NULL, level TEXT NOT NULL, year INTEGER NOT NULL,
    set_id TEXT NOT NULL, codes INTEGER NOT NULL, matched INTEGER NOT NULL,
    recoded INTEGER NOT NULL, with_value INTEGER NOT NULL, superseded INTEGER NOT NULL,
    newer INTEGER NOT NULL, no_polygon INTEGER NOT NULL, other_vintage INTEGER NOT NULL,
    unknown INTEGER NOT NULL, covered INTEGER NOT NULL, match_rate REAL NOT NULL,
    polygon_match_rate REAL NOT NULL,
    polygons INTEGER NOT NULL, polygon_share REAL NOT NULL, mapped INTEGER NOT NULL,
    PRIMARY KEY (indicator, variant, level, year));
CREATE TABLE unmatched (
    indicator TEXT NOT NULL, variant TEXT NOT NULL, level TEXT NOT NULL, set_id TEXT NOT NULL,
    code TEXT NOT NULL, name TEXT NOT NULL, first_year INTEGER NOT NULL,
    last_year INTEGER NOT NULL, years INTEGER NOT NULL, reason TEXT NOT NULL,
    detail TEXT NOT NULL);
CREATE TABLE unclassified (indicator TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL);
CREATE TABLE set_choices (
    indicator TEXT NOT NULL, level TEXT NOT NULL, set_id TEXT NOT NULL, scores TEXT NOT NULL);
CREATE TABLE code_changes (
    old TEXT NOT NULL, new TEXT NOT NULL, kind TEXT NOT NULL, year INTEGER, source TEXT NOT NULL);
CREATE INDEX code_changes_old ON code_changes (old);
CREATE INDEX code_changes_new ON code_changes (new);
CREATE TABLE els_datasets (
    file TEXT NOT NULL, status TEXT NOT NULL, indicator TEXT NOT NULL, variant TEXT NOT NULL,
    reason TEXT NOT NULL);
CREATE TABLE indexes (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, description TEXT NOT NULL, level TEXT NOT NULL,
    source TEXT NOT NULL, definition TEXT NOT NULL, toml TEXT NOT NULL, status TEXT NOT NULL);
CREATE TABLE index_years (
    index_id TEXT NOT NULL, year INTEGER NOT NULL, set_id TEXT NOT NULL, areas INTEGER NOT NULL,
    scored INTEGER NOT NULL, carried INTEGER NOT NULL, "values" INTEGER NOT NULL,
    measures TEXT NOT NULL, pillars TEXT NOT NULL, domains TEXT NOT NULL,
    PRIMARY KEY (index_id, year));
CREATE TABLE index_inputs (
    index_id TEXT NOT NULL, code TEXT NOT NULL, year INTEGER NOT NULL, measure TEXT NOT NULL,
    variant TEXT NOT NULL, value REAL NOT NULL, score REAL NOT NULL, from_year INTEGER NOT NULL,
    PRIMARY KEY (index_id, code, year, measure)) WITHOUT ROWID;
CREATE TABLE feature_sets (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, description TEXT NOT NULL, features TEXT NOT NULL,
    ord INTEGER NOT NULL);
CREATE TABLE neighbours (
    "set" TEXT NOT NULL, year INTEGER NOT NULL, code TEXT NOT NULL, rank INTEGER NOT NULL,
    neighbour TEXT NOT NULL, distance REAL NOT NULL,
    PRIMARY KEY ("set", year, code, rank)) WITHOUT ROWID;
CREATE TABLE clusterings (
    feature_set TEXT NOT NULL, year INTEGER NOT NULL, k INTEGER NOT NULL,
    silhouette REAL NOT NULL, scores TEXT NOT NULL, PRIMARY KEY (feature_set, year));
CREATE TABLE clusters (
    feature_set TEXT NOT NULL, year INTEGER NOT NULL, cluster INTEGER NOT NULL,
    size INTEGER NOT NULL, description TEXT NOT NULL, features TEXT NOT NULL,
    PRIMARY KEY (feature_set, year, cluster));
CREATE TABLE area_parents (
    code TEXT NOT NULL, level TEXT NOT NULL, set_id TEXT NOT NULL, parent TEXT NOT NULL,
    parent_level TEXT NOT NULL, parent_set TEXT NOT NULL,
    PRIMARY KEY (set_id, code, parent_set)) WITHOUT ROWID;
CREATE INDEX area_parents_code ON area_parents (code);
CREATE INDEX area_parents_parent ON area_parents (parent);
CREATE TABLE hex_layouts (
    id TEXT PRIMARY KEY, level TEXT NOT NULL, title TEXT NOT NULL, file TEXT NOT NULL,
    layout TEXT NOT NULL, hexes INTEGER NOT NULL, west REAL NOT NULL, south REAL NOT NULL,
    east REAL NOT NULL, north REAL NOT NULL, attribution TEXT NOT NULL, licence TEXT NOT NULL,
    licence_url TEXT NOT NULL, origin TEXT NOT NULL);
CREATE TABLE hexes (
    layout TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, short TEXT NOT NULL,
    q INTEGER NOT NULL, r INTEGER NOT NULL, region TEXT NOT NULL, lon REAL NOT NULL,
    lat REAL NOT NULL, geometry TEXT NOT NULL, PRIMARY KEY (layout, id));
CREATE TABLE hex_sets (
    set_id TEXT PRIMARY KEY, layout TEXT NOT NULL, areas INTEGER NOT NULL,
    placed INTEGER NOT NULL, offered INTEGER NOT NULL);
CREATE TABLE hex_areas (
    set_id TEXT NOT NULL, code TEXT NOT NULL, hex TEXT, how TEXT NOT NULL);
CREATE INDEX hex_areas_set ON hex_areas (set_id, code);
CREATE TABLE sources (
    path TEXT PRIMARY KEY, title TEXT NOT NULL, publisher TEXT NOT NULL, licence TEXT NOT NULL,
    licence_url TEXT NOT NULL, attribution TEXT NOT NULL, origin TEXT NOT NULL, url TEXT NOT NULL,
    sha256 TEXT NOT NULL);
"""


# Columns of `observations` after the value: standing, change and the national index carried
# with every value (definitions in pipeline/standing.py and pipeline/derived.py), and for a
# composite index the likely range of the rank (pipeline/index/uncertainty.py).
STANDING_COLUMNS = (
    "rank",
    "of",
    "percentile",
    "z",
    "band",
    "prev_year",
    "change",
    "change_pct",
    "national",
    "national_code",
    "index",
    "rank_low",
    "rank_high",
    "country_value",
    "country_code",
    "country_index",
)

# Tables of the composite indexes, similar areas and area types (pipeline/index), with their
# columns in insertion order.
INDEX_TABLES = {
    "indexes": ("id", "title", "description", "level", "source", "definition", "toml", "status"),
    "index_years": (
        "index_id",
        "year",
        "set_id",
        "areas",
        "scored",
        "carried",
        "values",
        "measures",
        "pillars",
        "domains",
    ),
    "index_inputs": (
        "index_id",
        "code",
        "year",
        "measure",
        "variant",
        "value",
        "score",
        "from_year",
    ),
    "feature_sets": ("id", "title", "description", "features", "ord"),
    "neighbours": ("set", "year", "code", "rank", "neighbour", "distance"),
    "clusterings": ("feature_set", "year", "k", "silhouette", "scores"),
    "clusters": ("feature_set", "year", "cluster", "size", "description", "features"),
}


def create(path: Path) -> sqlite3.Connection:
    """Create an empty database with the current schema at `path` (must not exist)."""
    connection = sqlite3.connect(path)
    connection.executescript(SCHEMA)
    connection.execute("INSERT INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
    return connection


def open_readonly(path: Path) -> sqlite3.Connection:
    """Open a built database read-only; StoreError if it is missing, corrupt or too old."""
    if not path.is_file():
        raise StoreError(f"{path}: no built data here; run 'levelup build' first")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        row = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a readable levelup database ({exc})") from exc
    if row is None or row[0] != SCHEMA_VERSION:
        connection.close()
        raise StoreError(f"{path}: built by another levelup version; run 'levelup build' again")
    return connection


def read_meta(connection: sqlite3.Connection) -> dict[str, str]:
    """All meta keys of a database."""
    return dict(connection.execute("SELECT key, value FROM meta"))
