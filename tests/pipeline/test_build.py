import json
import sqlite3

import pytest
from click.testing import CliRunner

from levelup import db
from levelup.errors import BadValueError
from levelup.locking import LOCK_NAME
from levelup_cli.main import main
from pipeline.build import DataBuild, build_data
from pipeline.catalogue import load_catalogue
from tests.conftest import write_catalogue


@pytest.mark.slow
def test_full_build_writes_every_indicator(full_data_build: DataBuild, catalogue) -> None:
    connection = db.open_readonly(full_data_build.path)
    indicators = {r[0] for r in connection.execute("SELECT id FROM indicators")}
    computed = {"prosperity", "area-types"}  # made by the build from the others
    assert indicators - computed == set(catalogue.indicators) and computed <= indicators
    observed = {r[0] for r in connection.execute("SELECT DISTINCT indicator FROM observations")}
    assert observed == indicators
    value = connection.execute(
        "SELECT value, period FROM observations WHERE indicator='gdp-per-head' "
        "AND variant='current-prices' AND level='lad' AND code='E08000035' AND year=2019"
    ).fetchone()
    assert isinstance(value[0], float) and value[1] == "2019"
    geometry = json.loads(
        connection.execute(
            "SELECT geometry FROM areas WHERE set_id='ltla-2023' AND code='E08000035'"
        ).fetchone()[0]
    )
    assert geometry["type"] in ("Polygon", "MultiPolygon")
    attribution = " ".join(r[0] for r in connection.execute("SELECT attribution FROM sources"))
    assert "EuroGeographics" in attribution and "Open Government Licence" in attribution


def test_rebuild_with_unchanged_inputs_is_skipped(data_build: DataBuild) -> None:
    again = build_data(data_build.path.parent)
    assert again.skipped and again.seconds < 2


INDICATOR = """
[[indicator]]
id = "test"
title = "Test"
theme = "economy"
unit = "£"
polarity = "higher"
  [[indicator.variant]]
  id = "v"
  file = "t.csv"
  reader = "ons"
"""


def test_failed_build_leaves_the_previous_output_untouched(tmp_path) -> None:
    good = load_catalogue(
        write_catalogue(
            tmp_path / "good",
            {"t.csv": "AREACD,Period,Observation\nE08000035,2019,1.5\n"},
            INDICATOR,
        ),
        tmp_path / "good" / "data",
    )
    out = tmp_path / "out"
    build_data(out, catalogue=good)
    before = (out / "levelup.db").read_bytes()
    bad = load_catalogue(
        write_catalogue(
            tmp_path / "bad",
            {"t.csv": "AREACD,Period,Observation\nE08000035,2019,1.5\nE08000036,2019,n/a!\n"},
            INDICATOR,
        ),
        tmp_path / "bad" / "data",
    )
    with pytest.raises(BadValueError, match="line 3"):
        build_data(out, catalogue=bad)
    assert (out / "levelup.db").read_bytes() == before
    # No temp files left (the writers' lock file stays, by design).
    assert sorted(p.name for p in out.iterdir() if p.name != LOCK_NAME) == ["levelup.db"]
    connection = sqlite3.connect(out / "levelup.db")
    rows = connection.execute("SELECT level, value FROM observations ORDER BY level").fetchall()
    assert rows == [("ctyua", 1.5), ("lad", 1.5)]  # a metropolitan district is both


def test_report_command_prints_table_and_json(data_build: DataBuild) -> None:
    runner = CliRunner()
    text = runner.invoke(main, ["report", "--data-dir", str(data_build.path.parent)])
    assert text.exit_code == 0, text.output
    assert "gdp-per-head/current-prices" in text.output and "ltla-2023" in text.output
    # every ELS dataset the build reads is listed with its match rate per level
    els = text.output.split("ONS Explore Local Statistics datasets")[1]
    claimant = next(line for line in els.splitlines() if line.startswith("claimant-count "))
    assert "claimant-count/rate" in claimant and "100.0%" in claimant
    as_json = runner.invoke(main, ["report", "--json", "--data-dir", str(data_build.path.parent)])
    report = json.loads(as_json.output)
    lad_2019 = [
        r
        for r in report["coverage"]
        if r["indicator"] == "gdp-per-head" and r["level"] == "lad" and r["year"] == 2019
    ]
    assert lad_2019 and all(r["match_rate"] == 1.0 for r in lad_2019)


def test_cli_errors_are_one_line_with_exit_code_1(tmp_path) -> None:
    result = CliRunner().invoke(main, ["report", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.strip().startswith("levelup: error:") and "levelup build" in result.output
    unknown = CliRunner().invoke(main, ["build", "--only", "no-such", "--data-dir", str(tmp_path)])
    assert unknown.exit_code == 1 and "unknown indicator 'no-such'" in unknown.output


def test_cli_refuses_filters_that_match_nothing(data_build: DataBuild) -> None:
    runner = CliRunner()
    out = str(data_build.path.parent)
    report = runner.invoke(main, ["report", "--indicator", "nope", "--data-dir", out])
    assert report.exit_code == 1 and "unknown indicator 'nope'" in report.output
    empty = runner.invoke(
        main, ["build", "--only", "gdp-per-head", "--level", "nuts3", "--data-dir", out, "-q"]
    )
    assert empty.exit_code == 1 and "no tilesets match" in empty.output
    backwards = runner.invoke(main, ["build", "--years", "2020-2010", "--data-dir", out])
    assert backwards.exit_code == 2 and "ends before it starts" in backwards.output
