"""Index definitions: the shipped one reads, round-trips through TOML and JSON, fits the
catalogue; bad files are refused with the file and the part named."""

import json
from pathlib import Path

import pytest

from levelup.errors import InputError
from pipeline.catalogue import Catalogue
from pipeline.index.build import SHIPPED, catalogue_polarity
from pipeline.index.definition import parse_text, read_definition, to_json, to_toml
from pipeline.index.inputs import check_measures


def test_shipped_definition_round_trips_and_fits_the_catalogue(catalogue: Catalogue) -> None:
    shipped = read_definition(SHIPPED)
    assert [d.id for d in shipped.domains] == [
        "inclusive-societies",
        "open-economies",
        "empowered-people",
    ]
    assert len([p for _, p in shipped.pillars()]) == 12
    assert parse_text(to_toml(shipped), "again.toml") == shipped
    assert parse_text(json.dumps(to_json(shipped)), "again.json") == shipped
    reasons = {i.id: i.polarity_reason for i in catalogue.indicators.values()}
    check_measures(shipped, catalogue_polarity(catalogue), reasons, str(SHIPPED))
    empty = [p.id for _, p in shipped.pillars() if not p.measures]
    assert empty == ["personal-freedom", "governance", "investment-environment"]
    assert all(p.note for _, p in shipped.pillars() if not p.measures)  # says why it is empty


def _text(body: str) -> str:
    return 'id = "mine"\ntitle = "Mine"\n' + body


MEASURE = (
    '[[domain]]\nid = "d"\ntitle = "D"\n[[domain.pillar]]\nid = "p"\ntitle = "P"\n'
    "[[domain.pillar.measure]]\n"
)


@pytest.mark.parametrize(
    ("body", "column", "message"),
    [
        ("", "domain", "at least one"),
        (
            MEASURE + 'indicator = "x"\nvariant = "v"\n',
            "domain d: pillar p: measure 1: direction",
            "one of",
        ),
        (
            MEASURE + 'indicator = "x"\nvariant = "v"\ndirection = "up"\n',
            "domain d: pillar p: measure 1: direction",
            "one of",
        ),
        (
            MEASURE + 'indicator = "x"\nvariant = "v"\ndirection = "higher"\nweight = -1\n',
            "domain d: pillar p: measure 1: weight",
            "from 0",
        ),
        (
            MEASURE + 'indicator = "x"\nvariant = "v"\ndirection = "higher"\ncolour = 1\n',
            "domain d: pillar p: measure 1: colour",
            "unknown field",
        ),
        (
            '[method]\nscaling = "minmax"\n'
            + MEASURE
            + 'indicator = "x"\nvariant = "v"\ndirection = "higher"\n',
            "method.scaling",
            "robust-z, frontier",
        ),
        ('[[domain]]\nid = "Bad Id"\ntitle = "D"\n', "id", "slug"),
    ],
)
def test_bad_definitions_name_the_part(body: str, column: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_text(_text(body), "mine.toml")
    assert caught.value.path == "mine.toml" and caught.value.column == column
    assert message in caught.value.message


def test_bad_toml_and_json_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not valid TOML"):
        parse_text("id = ", "a.toml")
    with pytest.raises(InputError, match="not valid JSON") as caught:
        parse_text('{"id": }', "a.json")
    assert caught.value.line == 1
    big = tmp_path / "big.toml"
    big.write_text("#" * 300_000)
    with pytest.raises(InputError, match="larger than"):
        read_definition(big)


def test_measures_must_exist_and_point_the_catalogue_way(catalogue: Catalogue) -> None:
    polarity = catalogue_polarity(catalogue)
    reasons = {i.id: i.polarity_reason for i in catalogue.indicators.values()}

    def check(line: str) -> None:
        check_measures(parse_text(_text(MEASURE + line), "m.toml"), polarity, reasons, "m.toml")

    with pytest.raises(InputError, match="its variants: chained-volume"):
        check('indicator = "gdp-per-head"\nvariant = "nope"\ndirection = "higher"\n')
    with pytest.raises(InputError, match="no better direction"):
        check('indicator = "median-age"\nvariant = "all"\ndirection = "higher"\n')
    with pytest.raises(InputError, match="say why"):
        check('indicator = "claimant-count"\nvariant = "rate"\ndirection = "higher"\n')
    check(
        'indicator = "claimant-count"\nvariant = "rate"\ndirection = "higher"\n'
        'reason = "jobs seekers are counted"\n'
    )
