"""Parents, hex placements, each area against its own country, and the EU-wide inequality
line, checked against the shipped lookup files and the published national figures."""

import csv
import sqlite3

import numpy as np
import pytest

from boundaries.registry import DATA_DIR
from levelup import db
from pipeline.build import DataBuild
from pipeline.derived import EU27


@pytest.fixture(scope="module")
def connection(data_build: DataBuild) -> sqlite3.Connection:
    return db.open_readonly(data_build.path)


@pytest.fixture(scope="module")
def full_connection(full_data_build: DataBuild) -> sqlite3.Connection:
    """The whole catalogue's database: every district vintage has its parents there."""
    return db.open_readonly(full_data_build.path)


def test_parents_agree_with_the_ons_lookup(full_connection: sqlite3.Connection) -> None:
    connection = full_connection
    # oracle: ONS's LTLA 2014 lookup (county and region of every 2014 district)
    with open(DATA_DIR / "lookups/ons_ltla14_parent_lookup.csv", encoding="utf-8-sig") as f:
        lookup = {row["ltlacd"]: row for row in csv.DictReader(f)}
    found: dict[tuple[str, str], str] = {
        (code, level): parent
        for code, level, parent in connection.execute(
            "SELECT p.code, p.parent_level, p.parent FROM area_parents p "
            "WHERE p.set_id = 'ltla-2014' AND p.parent NOT LIKE 'TL%'"
        )
    }
    assert len(lookup) == 391
    for code, row in lookup.items():
        assert found.get((code, "rgn")) == row["rgncd"], code
        if row["ctycd"]:  # a two-tier district's county
            assert found.get((code, "ctyua")) == row["ctycd"], code
        else:
            assert (code, "ctyua") not in found, code  # a unitary authority is its own
    # West Yorkshire's districts, and Leeds's ITL parents in the 2025 ITL lookup
    west_yorkshire = {
        r[0]
        for r in connection.execute(
            "SELECT code FROM area_parents WHERE parent = 'E47000003' AND set_id = 'ltla-2023'"
        )
    }
    assert west_yorkshire == {"E08000032", "E08000033", "E08000034", "E08000035", "E08000036"}
    with open(DATA_DIR / "lookups/lad24_itl3_itl2_itl1_2025_lookup.csv", encoding="utf-8-sig") as f:
        itl = {row["LAD24CD"]: row for row in csv.DictReader(f)}
    rows = connection.execute(
        "SELECT code, parent_level, parent FROM area_parents WHERE set_id = 'ltla-2025' "
        "AND parent_level IN ('itl3', 'itl2')"
    ).fetchall()
    assert len(rows) == 2 * 361
    recoded = {"E08000038": "E08000016", "E08000039": "E08000019"}  # Barnsley, Sheffield 2025
    for code, level, parent in rows:
        assert parent == itl[recoded.get(code, code)][level], (code, level)


def test_nuts_parents_follow_the_codes(connection: sqlite3.Connection) -> None:
    rows = connection.execute(
        "SELECT code, parent, parent_level FROM area_parents WHERE set_id = 'nuts3-2021'"
    ).fetchall()
    assert rows and all(p == c[: len(p)] for c, p, _ in rows)
    assert {lv for _, _, lv in rows} == {"nuts2", "nuts1", "nuts0"}


def test_every_district_set_has_a_hex_map_of_its_own_vintage(
    connection: sqlite3.Connection,
) -> None:
    chosen = dict(connection.execute("SELECT set_id, layout FROM hex_sets WHERE offered = 1"))
    assert chosen["ltla-2023"] == "lad-2023"
    assert chosen["lad-2022"] == "lad-2021"  # 2022 districts have the 2021 codes
    assert chosen["ltla-2019"] == chosen["ltla-2020"] == "lad-2019"
    placed = {
        (s, c): sorted(h for h in hexes.split(","))
        for s, c, hexes in connection.execute(
            "SELECT set_id, code, group_concat(hex) FROM hex_areas WHERE hex IS NOT NULL "
            "GROUP BY set_id, code"
        )
    }
    # Buckinghamshire (2020) on the hexes of the four districts it was formed from
    assert placed[("ltla-2020", "E06000060")] == [
        "E07000004",
        "E07000005",
        "E07000006",
        "E07000007",
    ]
    assert placed[("ltla-2025", "E08000038")] == ["E08000016"]  # Barnsley, recoded in 2025
    # Bournemouth (2018) has no hex in any layout (merged into BCP in 2019): listed
    why = connection.execute(
        "SELECT how FROM hex_areas WHERE set_id = 'ltla-2018' AND code = 'E06000028' "
        "AND hex IS NULL"
    ).fetchone()
    assert why and "no hex" in why[0]
    # ITL3 2025 codes match too few UK NUTS 3 (2013) hexes to be drawn on them
    assert not connection.execute(
        "SELECT 1 FROM hex_sets WHERE set_id = 'itl3-2025' AND offered = 1"
    ).fetchone()


def test_each_area_against_its_own_country(connection: sqlite3.Connection) -> None:
    # oracle: the nation's own published figure (level ctry) and the NUTS 0 country's
    rows = connection.execute(
        "SELECT o.code, o.value, o.country_code, o.country_index, n.value FROM observations o "
        "JOIN observations n ON n.indicator = o.indicator AND n.variant = o.variant "
        "AND n.year = o.year AND n.level = 'ctry' AND n.code = o.country_code "
        "WHERE o.indicator = 'gdp-per-head' AND o.variant = 'current-prices' "
        "AND o.level = 'lad' AND o.year = 2022 AND o.value IS NOT NULL"
    ).fetchall()
    assert len(rows) > 300
    nations = {"E": "E92000001", "W": "W92000004", "S": "S92000003", "N": "N92000002"}
    for code, value, country, index, national in rows:
        assert country == nations[code[0]]
        assert index == pytest.approx(100 * value / national)
    eu = connection.execute(
        "SELECT o.code, o.value, o.country_index, n.value FROM observations o "
        "JOIN observations n ON n.indicator = o.indicator AND n.variant = o.variant "
        "AND n.year = o.year AND n.level = 'nuts0' AND n.code = substr(o.code, 1, 2) "
        "WHERE o.indicator = 'eu-gdp-per-head' AND o.variant = 'pps' AND o.level = 'nuts2' "
        "AND o.year = 2021 AND o.value IS NOT NULL"
    ).fetchall()
    assert len(eu) > 200
    for _, value, index, national in eu:
        assert index == pytest.approx(100 * value / national)


def test_eu_wide_inequality_takes_every_region_of_the_union(
    connection: sqlite3.Connection,
) -> None:
    row = connection.execute(
        "SELECT regions, weighted, national, national_source, dispersion FROM inequality "
        "WHERE indicator = 'eu-gdp-per-head' AND variant = 'pps' AND level = 'nuts2' "
        "AND country = 'EU27_2020' AND year = 2019"
    ).fetchone()
    assert row is not None
    regions, weighted, national, source, dispersion = row
    values = connection.execute(
        "SELECT o.value, p.population FROM observations o JOIN populations p "
        "ON p.indicator = o.indicator AND p.level = o.level AND p.code = o.code "
        "AND p.year = o.year WHERE o.indicator = 'eu-gdp-per-head' AND o.variant = 'pps' "
        "AND o.level = 'nuts2' AND o.year = 2019 AND o.value IS NOT NULL "
        f"AND substr(o.code, 1, 2) IN ({','.join('?' * len(EU27))})",
        EU27,
    ).fetchall()
    assert regions == len(values) > 200 and weighted == 1 and source == "EU27_2020"
    value, population = np.array(values, dtype=float).T
    # Eurostat's dispersion, written out again: Σ|yᵢ − Y|·pᵢ / P, as % of Y (Y: EU27 figure)
    expected = 100 * np.sum(np.abs(value - national) * population) / population.sum() / national
    assert dispersion == pytest.approx(expected)
