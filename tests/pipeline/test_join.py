import pandas as pd
import pytest

from boundaries.load import load_codes
from pipeline.catalogue import Catalogue
from pipeline.join import JoinResult, join_indicator, join_to_set
from pipeline.readers import read_table
from pipeline.tidy import tidy_indicator


@pytest.fixture(scope="module")
def tidy_of(catalogue: Catalogue):
    cache: dict[str, pd.DataFrame] = {}

    def get(indicator_id: str) -> pd.DataFrame:
        if indicator_id not in cache:
            indicator = catalogue.get(indicator_id)
            cache[indicator_id] = tidy_indicator(
                indicator, lambda s: read_table(catalogue.sources.root / s.file, s.reader)
            )
        return cache[indicator_id]

    return get


def _join(catalogue, registry, changes, tidy_of, indicator_id: str) -> JoinResult:
    return join_indicator(
        catalogue.get(indicator_id), tidy_of(indicator_id), registry, changes, load_codes
    )


def _choice(result: JoinResult, level: str) -> str:
    return next(c.set_id for c in result.choices if c.level == level)


def test_vintage_follows_the_codes(catalogue, registry, changes, tidy_of) -> None:
    """GDP carries 2023 LAD codes for every year back to 1998; ELS's business counts carry
    each year's own codes, so each year meets the boundaries of its year."""
    gdp = _join(catalogue, registry, changes, tidy_of, "gdp-per-head")
    assert _choice(gdp, "lad") == "ltla-2023"
    lad = gdp.coverage[gdp.coverage["level"] == "lad"]
    assert (lad["match_rate"] == 1.0).all() and set(lad["year"]) == set(range(1998, 2024))
    businesses = _join(catalogue, registry, changes, tidy_of, "active-businesses")
    lad = businesses.coverage.query("level == 'lad' and variant == 'count'")
    sets = dict(zip(lad["year"], lad["set_id"], strict=True))
    assert (sets[2017], sets[2019], sets[2020], sets[2024]) == (
        "ltla-2018",
        "ltla-2019",
        "ltla-2020",
        "ltla-2023",
    )
    assert (lad["polygon_match_rate"] == 1.0).all()


def test_glasgow_is_matched_through_its_recode(catalogue, registry, changes, tidy_of) -> None:
    smoking = _join(catalogue, registry, changes, tidy_of, "smoking-prevalence")
    lad = smoking.joined[smoking.joined["level"] == "lad"]
    recoded = lad[lad["match"] == "recode"]
    assert len(recoded) > 0
    assert (recoded["source_code"] != recoded["code"]).all()


@pytest.mark.parametrize(
    "indicator_id",
    [
        "gdp-per-head",
        "gdhi-per-head",
        "gva-per-hour",
        "median-weekly-pay",
        "employment-rate",
        "economic-inactivity",
        "claimant-count",
        "modelled-unemployment",
        "level3-qualifications",
        "wellbeing",
        "gigabit-broadband",
        "smoking-prevalence",
    ],
)
def test_lad_match_rate_is_at_least_99_percent(
    catalogue, registry, changes, tidy_of, indicator_id: str
) -> None:
    result = _join(catalogue, registry, changes, tidy_of, indicator_id)
    lad = result.coverage[result.coverage["level"] == "lad"]
    assert lad["matched"].sum() / lad["codes"].sum() >= 0.99


def test_mergers_are_reported_with_successors_never_dropped(
    catalogue, registry, changes, tidy_of
) -> None:
    """Business counts of 2021 (2021 codes) joined to the 2023 set: Cumbria's districts are
    superseded."""
    rows = tidy_of("active-businesses")
    rows = rows[rows["code"].str.match(registry.level("lad").pattern.pattern)]
    rows = rows[(rows["year"] == 2021) & (rows["variant"] == "count")]
    result = join_to_set(
        rows, registry.get("ltla-2023"), registry.level("lad"), registry, changes, load_codes
    )
    allerdale = result.unmatched.query("code == 'E07000026'").iloc[0]
    assert allerdale["reason"] == "superseded"
    assert "E06000063 Cumberland" in allerdale["detail"] and "2023" in allerdale["detail"]
    assert set(result.unmatched["code"]) | set(result.joined["source_code"]) == set(rows["code"])


def test_new_areas_name_their_predecessors(catalogue, registry, changes, tidy_of) -> None:
    rows = tidy_of("gdp-per-head")
    rows = rows[rows["code"].str.match(registry.level("lad").pattern.pattern)]
    result = join_to_set(
        rows, registry.get("lad-2022"), registry.level("lad"), registry, changes, load_codes
    )
    somerset = result.unmatched.query("code == 'E06000066'").iloc[0]
    assert somerset["reason"] == "newer"
    assert "E07000187 Mendip" in somerset["detail"] and "E10000027" not in somerset["detail"]


def test_2013_coded_eurostat_region_maps_to_its_2016_code(
    catalogue, registry, changes, tidy_of
) -> None:
    rows = tidy_of("eu-gdp-per-head-2017")
    rows = rows[rows["code"].str.match(registry.level("nuts2").pattern.pattern)]
    result = join_to_set(
        rows, registry.get("nuts2-2016"), registry.level("nuts2"), registry, changes, load_codes
    )
    centre = result.joined[(result.joined["source_code"] == "FR24")]
    assert set(centre["code"]) == {"FRB0"} and set(centre["match"]) == {"recode"}
    original = rows[(rows["code"] == "FR24") & (rows["year"] == 2010) & (rows["variant"] == "pps")]
    joined = centre[(centre["year"] == 2010) & (centre["variant"] == "pps")]
    assert joined["value"].iloc[0] == original["value"].iloc[0]
    # Splits have no 1:1 recode and are reported, not guessed.
    assert result.unmatched.query("code == 'UKM3'")["reason"].iloc[0] == "other_vintage"


def test_extra_regio_and_itl_2025_codes_are_explained(
    catalogue, registry, changes, tidy_of
) -> None:
    eu = _join(catalogue, registry, changes, tidy_of, "eu-gdp")
    assert set(eu.unmatched.query("code == 'ATZZ'")["reason"]) == {"no_polygon"}
    gdp = _join(catalogue, registry, changes, tidy_of, "gdp-per-head")
    assert _choice(gdp, "itl3") == "itl3-2025"
    assert "TLC31" in set(gdp.joined.query("level == 'itl3'")["code"])


def test_partial_levels_are_joined_but_not_mapped(catalogue, registry, changes, tidy_of) -> None:
    """Healthy life expectancy is upper-tier data: at district level only unitaries have values
    (more than half of all districts, yet a map of them would leave the shire districts grey);
    its counties and unitaries are mapped."""
    hle = _join(catalogue, registry, changes, tidy_of, "healthy-life-expectancy")
    assert not hle.coverage.query("level == 'lad'")["mapped"].any()
    assert hle.coverage.query("level == 'ctyua'")["mapped"].all()


def test_itl_renames_follow_the_nuts_recodes_and_reused_codes_are_not_joined(
    catalogue, registry, changes, tidy_of
) -> None:
    """ITL 2025 codes met with the 2021 polygons (the NUTS3 2018 file): renames follow the
    recodes, and a reused code is never joined, only hinted."""
    rows = tidy_of("gdp-per-head")
    rows = rows[rows["code"].str.match(registry.level("itl3").pattern.pattern)]
    result = join_to_set(
        rows, registry.get("itl3-2021"), registry.level("itl3"), registry, changes, load_codes
    )
    derry = result.joined[result.joined["source_code"] == "TLN0A"]
    assert set(derry["code"]) == {"TLN10"} and set(derry["match"]) == {"recode"}
    glasgow = result.unmatched.query("code == 'TLM32'").iloc[0]
    assert glasgow["reason"] == "other_vintage" and "itl3-2025" in glasgow["detail"]
    assert "TLM32" not in set(result.joined["source_code"])
