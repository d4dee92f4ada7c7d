"""Every read the server makes of the joined-data database (levelup.db owns its schema),
named: a handler asks for a query by name, and a change of schema is checked here against
every one of them (tests/server/test_queries.py). The pipeline alone writes the database."""

from __future__ import annotations

AREA = (
    "SELECT a.code, a.name, b.level, a.set_id, b.vintage, b.title, a.lon, a.lat, a.west, "
    "a.south, a.east, a.north FROM areas a JOIN boundary_sets b ON b.id = a.set_id WHERE "
    "a.code = ? ORDER BY b.level, b.vintage DESC"
)
"""One area in every boundary set that has it."""

AREA_CHILDREN = (
    "SELECT p.code, p.set_id, a.name FROM area_parents p JOIN boundary_sets b ON b.id = "
    "p.set_id JOIN areas a ON a.code = p.code AND a.set_id = p.set_id WHERE p.parent = ? AND "
    "p.level = ? ORDER BY b.year_to DESC, b.year_from DESC, a.name"
)
"""The areas of a level that lie in one area, newest vintage first."""

AREA_CODE_CHANGES = (
    "SELECT old, new, kind, year, source FROM code_changes WHERE old = ? OR new = ? ORDER BY year"
)
"""The code changes an area took part in."""

AREA_KNOWN = (
    "SELECT name FROM areas WHERE code = ? UNION ALL SELECT NULL FROM observations WHERE code"
    " = ? LIMIT 1"
)
"""An area's name, or a row when it only has observations."""

AREA_LEVELS = (
    "SELECT DISTINCT level FROM observations WHERE indicator = ? AND variant = ? AND code = ?"
)
"""The levels at which an area has values of one variant."""

AREA_NAME = "SELECT name FROM areas WHERE code = ? LIMIT 1"
"""An area's name (any vintage)."""

AREA_OBSERVATIONS = (
    "SELECT o.indicator, o.variant, o.level, o.year, o.period, o.value, o.lower, o.upper, "
    'o.status, o.source_code, o.rank, o."of", o.percentile, o.z, o.band, o.change, '
    'o.change_pct, o."index", o.national, o.national_code, o.country_value, o.country_code, '
    "o.country_index, s.median, s.mad, s.p25, s.p75 FROM observations o LEFT JOIN stats s ON "
    "s.indicator = o.indicator AND s.variant = o.variant AND s.level = o.level AND s.year = "
    "o.year WHERE o.code = ? AND (? IS NULL OR o.level = ?) ORDER BY o.indicator, o.variant, "
    "o.level, o.year"
)
"""Every observation of one area."""

AREA_PARENTS = (
    "SELECT p.parent, p.parent_level, p.set_id, b.year_to, (SELECT name FROM areas a WHERE "
    "a.code = p.parent AND a.set_id = p.parent_set) AS name FROM area_parents p JOIN "
    "boundary_sets b ON b.id = p.set_id WHERE p.code = ? AND p.level = ? ORDER BY b.year_to "
    "DESC, b.year_from DESC"
)
"""The areas one area lies in, with their names."""

AREA_SEARCH = (
    "SELECT DISTINCT a.code, a.name, b.level, a.set_id, a.lon, a.lat, a.west, a.south, "
    "a.east, a.north, b.year_from, b.year_to, CASE WHEN a.name LIKE ? ESCAPE '\\' THEN 0 ELSE "
    "1 END AS rank FROM areas a JOIN boundary_sets b ON b.id = a.set_id WHERE (a.name LIKE ? "
    "ESCAPE '\\' OR a.code LIKE ? ESCAPE '\\') AND (? IS NULL OR b.level = ?) ORDER BY rank, "
    "length(a.name), a.name LIMIT ?"
)
"""Areas whose code or name matches a search."""

AREA_TYPE = (
    "SELECT o.value FROM observations o WHERE o.indicator = 'area-types' AND o.variant = ? "
    "AND o.code = ? AND o.year = ?"
)
"""An area's type in a year."""

AREA_TYPE_MEMBERS = (
    "SELECT code FROM observations WHERE indicator = 'area-types' AND variant = ? AND year = "
    "? AND value = ?"
)
"""The areas of one area type in a year."""

BOUNDARY_SETS = (
    "SELECT id, level, vintage, title, year_from, year_to, features, attribution, licence, "
    "west, south, east, north FROM boundary_sets ORDER BY id"
)
"""Every boundary set with its level, vintage, years, extent and licence."""

CLUSTER = (
    "SELECT cluster, size, description FROM clusters WHERE feature_set = ? AND year = ? AND "
    "cluster = ?"
)
"""One area type of a feature set and year."""

CLUSTERING = "SELECT k, silhouette, scores FROM clusterings WHERE feature_set = ? AND year = ?"
"""How well a feature set's areas split into types in a year."""

CLUSTERING_YEARS = "SELECT year FROM clusterings WHERE feature_set = ? ORDER BY year"
"""The years a feature set has area types."""

CLUSTERS = (
    "SELECT cluster, size, description, features FROM clusters WHERE feature_set = ? AND year"
    " = ? ORDER BY cluster"
)
"""The area types of a feature set and year."""

CLUSTER_MEMBERS = (
    "SELECT o.code, o.value, (SELECT name FROM areas a WHERE a.code = o.code LIMIT 1) AS name"
    " FROM observations o WHERE o.indicator = 'area-types' AND o.variant = ? AND o.year = ? "
    "ORDER BY name"
)
"""The areas of every area type in a year."""

CODE_EQUIVALENTS = (
    "SELECT new AS other FROM code_changes WHERE old = ? AND kind = 'recode' UNION SELECT old"
    " FROM code_changes WHERE new = ? AND kind = 'recode'"
)
"""Codes an area's code was recoded from or to."""

COVERED_YEARS = "SELECT DISTINCT indicator, level, year, set_id FROM coverage WHERE with_value > 0"
"""Each indicator's levels, years and boundary sets that hold values."""

FEATURE_SETS = "SELECT id, title, description, features FROM feature_sets ORDER BY ord"
"""Every feature set, in order."""

GROUPS = "SELECT * FROM groups ORDER BY title"
"""Every group of areas, by title."""

HEX_LAYOUT = "SELECT * FROM hex_layouts WHERE id = ?"
"""One hex layout."""

HEX_LAYOUTS = "SELECT * FROM hex_layouts ORDER BY id"
"""Every hex layout."""

HEX_ROWS = (
    "SELECT h.code, a.name, h.hex, x.name AS hex_name, x.q, x.r, x.region, x.geometry, "
    'o.period, o.value, o.rank, o."of", o.percentile, o.z, o."index", o.change_pct, '
    "o.national, o.country_index FROM hex_areas h JOIN areas a ON a.set_id = h.set_id AND "
    "a.code = h.code JOIN hexes x ON x.layout = ? AND x.id = h.hex LEFT JOIN observations o "
    "ON o.code = h.code AND o.indicator = ? AND o.variant = ? AND o.level = ? AND o.year = ? "
    "WHERE h.set_id = ? ORDER BY a.fid, h.hex"
)
"""The hexes of one layout with the values of one variant and year."""

HEX_SETS = "SELECT * FROM hex_sets ORDER BY set_id"
"""Every boundary set drawn on a hex layout."""

INDEX = "SELECT * FROM indexes WHERE id = ?"
"""One index."""

INDEX_DEFINITION = "SELECT toml FROM indexes WHERE id = ?"
"""One index's definition (TOML)."""

INDEX_IDS = "SELECT id FROM indexes ORDER BY source DESC, id"
"""Every index id, shipped first."""

INDEX_INPUTS = (
    "SELECT measure, variant, value, score, from_year FROM index_inputs WHERE index_id = ? "
    "AND code = ? AND year = ?"
)
"""The measures behind one area's index score in a year."""

INDEX_MEASURES = (
    "SELECT v.indicator, v.id, v.label, v.unit, i.title, i.decimals FROM variants v JOIN "
    "indicators i ON i.id = v.indicator"
)
"""The variants an index reads, with their indicator's title."""

INDEX_SCORES = (
    'SELECT o.variant, o.code, o.year, o.value, o.lower, o.upper, o.rank, o."of", '
    "o.percentile, o.rank_low, o.rank_high, o.change, o.prev_year, s.median, s.p25, s.p75 "
    "FROM observations o LEFT JOIN stats s ON s.indicator = o.indicator AND s.variant = "
    "o.variant AND s.level = o.level AND s.year = o.year WHERE o.indicator = ? AND (? IS NULL"
    " OR o.code = ?) AND (? IS NULL OR o.year = ?) ORDER BY o.year"
)
"""One index's scores for an area or a level and year."""

INDEX_YEARS = (
    'SELECT year, set_id, areas, scored, carried, "values", measures, pillars, domains FROM '
    "index_years WHERE index_id = ? ORDER BY year"
)
"""One index's years with their coverage."""

INDICATORS = "SELECT * FROM indicators ORDER BY ord"
"""Every indicator, in catalogue order."""

INDICATOR_AGGREGATION = (
    "SELECT system, aggregation, aggregation_total, aggregation_scale, aggregation_reason "
    "FROM indicators WHERE id = ?"
)
"""How one indicator's values add up over areas."""

INDICATOR_AREAS = (
    "SELECT o.code, max(a.name) AS name, min(o.year) AS first_year, max(o.year) AS last_year "
    "FROM observations o LEFT JOIN areas a ON a.code = o.code WHERE o.indicator = ? AND "
    "o.variant = ? AND o.level = ? AND o.value IS NOT NULL GROUP BY o.code ORDER BY name"
)
"""The areas one indicator variant covers at a level, with their years."""

INDICATOR_EXTENT = (
    "SELECT min(a.west) AS w, min(a.south) AS s, max(a.east) AS e, max(a.north) AS n FROM "
    "areas a JOIN series s ON s.set_id = a.set_id AND s.indicator = ? AND s.variant = ? AND "
    "s.level = ? WHERE a.code IN (SELECT code FROM observations WHERE indicator = ? AND "
    "variant = ? AND level = ? AND value IS NOT NULL)"
)
"""The bounding box of the areas with a value of one variant at a level."""

INDICATOR_IDS = "SELECT id FROM indicators ORDER BY ord"
"""Every indicator id, in catalogue order."""

INDICATOR_LABELS = "SELECT id, title, unit, polarity, decimals, theme FROM indicators"
"""Every indicator's title, unit, polarity, decimals and theme."""

INEQUALITY_ROWS = (
    "SELECT * FROM inequality WHERE indicator = ? AND variant = ? AND level = ? ORDER BY "
    "country, year"
)
"""One inequality series, by country and year."""

INEQUALITY_SERIES = "SELECT DISTINCT indicator, variant, level FROM inequality"
"""Indicator, variant and level of every inequality series."""

LEVELS = "SELECT id, label, system, map, note FROM levels ORDER BY ord"
"""Every level with its label, system, map flag and note, in order."""

LEVEL_IDS = "SELECT id FROM levels ORDER BY ord"
"""Every level id, in order."""

LEVEL_LABELS = "SELECT id, label, ord FROM levels"
"""Every level's label and order."""

NEIGHBOURS = (
    "SELECT n.rank, n.neighbour AS code, n.distance, (SELECT name FROM areas a WHERE a.code ="
    ' n.neighbour LIMIT 1) AS name FROM neighbours n WHERE n."set" = ? AND n.year = ? AND '
    "n.code = ? AND n.rank <= ? ORDER BY n.rank"
)
"""An area's most similar areas in a feature set and year."""

NEIGHBOURS_LATEST_YEAR = 'SELECT max(year) AS year FROM neighbours WHERE "set" = ? AND code = ?'
"""The latest year an area has similar areas in a feature set."""

NEIGHBOUR_SETS = 'SELECT DISTINCT "set", year FROM neighbours ORDER BY year'
"""Every feature set and year with similar areas."""

NEIGHBOUR_YEARS = 'SELECT DISTINCT year FROM neighbours WHERE "set" = ? AND code = ? ORDER BY year'
"""The years an area has similar areas in a feature set."""

PROFILE_VARIANTS = (
    "SELECT v.indicator, v.id, v.ord, v.derived, i.aggregation FROM variants v JOIN "
    "indicators i ON i.id = v.indicator"
)
"""Every variant with its order, derivation and aggregation."""

SOURCES = (
    "SELECT path, title, publisher, licence, licence_url, attribution, url FROM sources ORDER"
    " BY path"
)
"""Every source file with its publisher, licence and attribution."""

THEMES = "SELECT id, label FROM themes ORDER BY rowid"
"""Every theme, in catalogue order."""

VALUED_AREAS = (
    "SELECT DISTINCT indicator, variant, level, code FROM observations WHERE value IS NOT NULL"
)
"""Every indicator, variant, level and area with a value."""

VARIANTS = (
    "SELECT indicator, id, label, unit, polarity, decimals, derived FROM variants ORDER BY "
    "indicator, ord"
)
"""Every indicator's variants (label, unit, polarity, decimals, derived)."""

VARIANT_LABELS = "SELECT indicator, id, label, unit, polarity FROM variants"
"""Every variant's label, unit and polarity."""


def _marks(count: int) -> str:
    """`count` placeholders for an IN list."""
    return ",".join("?" * count)


def area_names(count: int) -> str:
    """The names of `count` areas (any vintage)."""
    return f"SELECT code, name FROM areas WHERE code IN ({_marks(count)})"


def distinct_area_names(count: int) -> str:
    """The distinct (code, name) pairs of `count` areas."""
    return f"SELECT DISTINCT code, name FROM areas WHERE code IN ({_marks(count)})"


def variant_values(count: int) -> str:
    """One variant's values and periods at a level for `count` areas."""
    return (
        "SELECT code, year, value, period FROM observations WHERE indicator = ? AND "
        f"variant = ? AND level = ? AND code IN ({_marks(count)})"
    )


def populations(count: int) -> str:
    """An indicator's own populations at a level for `count` areas."""
    return (
        "SELECT code, year, population FROM populations WHERE indicator = ? AND level = ? "
        f"AND code IN ({_marks(count)})"
    )


def area_populations(count: int) -> str:
    """ONS mid-year populations under any of `count` codes."""
    return f"SELECT code, year, population FROM area_populations WHERE code IN ({_marks(count)})"


def areas_in_sets(count: int) -> str:
    """Every area of `count` boundary sets, with its level and extent, by name."""
    return (
        "SELECT a.code, a.name, b.level, a.set_id, a.lon, a.lat, a.west, a.south, a.east, "
        f"a.north FROM areas a JOIN boundary_sets b ON b.id = a.set_id WHERE a.set_id IN "
        f"({_marks(count)}) ORDER BY a.name"
    )


def latest_values(count: int) -> str:
    """Every value of `count` areas at a level, oldest year first (so the latest wins)."""
    return (
        "SELECT indicator, variant, code, year, value FROM observations "
        f"WHERE level = ? AND code IN ({_marks(count)}) AND value IS NOT NULL ORDER BY year"
    )
