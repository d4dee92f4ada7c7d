"""Inequality and comparisons against independent computations from the raw Eurostat file."""

import csv
import io

import pytest

from pipeline.catalogue import DATA_DIR

TSV = DATA_DIR / "eurostat/nama_10r_2gdp_extract2017.tsv"


def _eurostat(unit: str, year: int) -> dict[str, float]:
    """Values of one unit and year from the raw TSV, parsed independently of the pipeline."""
    with open(TSV, encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        column = [h.strip() for h in header].index(str(year))
        out = {}
        for line in handle:
            cells = line.rstrip("\n").split("\t")
            row_unit, geo = cells[0].split(",")
            value = cells[column].strip().rstrip("bcdefinprsuz ").strip()
            if row_unit == unit and value not in ("", ":"):
                out[geo] = float(value)
        return out


def test_dispersion_of_germany_matches_an_independent_computation(client) -> None:
    per_head, totals = _eurostat("EUR_HAB", 2014), _eurostat("MIO_EUR", 2014)
    regions = [g for g in per_head if g.startswith("DE") and len(g) == 4 and "Z" not in g]
    population = {g: totals[g] * 1e6 / per_head[g] for g in regions}
    national = per_head["DE"]
    expected = (
        100
        * sum(abs(per_head[g] - national) * population[g] for g in regions)
        / sum(population.values())
        / national
    )
    body = client.get(
        "/api/inequality",
        params={
            "indicator": "eu-gdp-per-head-2017",
            "variant": "eur",
            "level": "nuts2",
            "countries": "DE",
        },
    ).json()
    row = next(r for r in body["series"]["DE"] if r["year"] == 2014)
    assert row["regions"] == len(regions) == 38 and row["weighted"] == 1
    assert row["dispersion"] == pytest.approx(expected, rel=1e-9)
    assert "boundaries" in body["comparability"]
    assert set(body["measures"]) == {"dispersion", "cv", "gini", "theil", "top_bottom"}


def test_inequality_csv_and_bad_countries(client) -> None:
    text = client.get(
        "/api/inequality.csv", params={"indicator": "eu-gdp-per-head-2017", "countries": "DE,FR"}
    ).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["country"] for r in rows} == {"DE", "FR"} and rows[0]["level"] == "nuts2"
    bad = client.get("/api/inequality", params={"countries": "XX"})
    assert bad.status_code == 400 and "available" in bad.json()["error"]["message"]


def test_north_of_england_against_the_netherlands_in_pps(client) -> None:
    body = client.get(
        "/api/indicators/eu-gdp-per-head-2017/compare",
        params={"variant": "pps", "items": "group:the-north,NL"},
    ).json()
    north, netherlands = body["items"]
    assert north["kind"] == "group" and north["level"] == "nuts1"
    assert north["members"] == ["UKC", "UKD", "UKE"]
    assert north["method"] == "total ÷ population of members"
    year = 2014
    pps_totals, eur_totals, eur_head = (
        _eurostat(u, year) for u in ("MIO_PPS", "MIO_EUR", "EUR_HAB")
    )
    people = {g: eur_totals[g] * 1e6 / eur_head[g] for g in ("UKC", "UKD", "UKE")}
    expected = sum(pps_totals[g] * 1e6 for g in people) / sum(people.values())
    value = next(s["value"] for s in north["series"] if s["year"] == year)
    assert value == pytest.approx(expected, rel=1e-9)
    dutch = next(s["value"] for s in netherlands["series"] if s["year"] == year)
    assert dutch == _eurostat("PPS_HAB", year)["NL"] and dutch > value


def test_comparisons_with_areas_and_own_groups(client) -> None:
    body = client.get(
        "/api/indicators/gdp-per-head/compare",
        params={"items": "E08000035,group:the-north,codes:E08000035+E08000032"},
    )
    assert body.status_code == 200, body.text
    leeds, north, own = body.json()["items"]
    assert leeds["kind"] == "area" and leeds["label"] == "Leeds"
    assert "median of members" in north["method"]  # ONS gives no populations to weight by
    assert own["members"] == ["E08000035", "E08000032"]
    for items in ("group:nope", "E99999999", "codes:E08000035+TLC", "bad item!"):
        response = client.get("/api/indicators/gdp-per-head/compare", params={"items": items})
        assert response.status_code in (400, 404), items


def test_extracts_carry_standing_change_and_index(client) -> None:
    props = client.get(
        "/api/indicators/gdp-per-head/data.geojson", params={"codes": "E08000035", "year": "2019"}
    ).json()["features"][0]["properties"]
    assert props["rank"] >= 1 and props["of"] == 361 and props["band"] in ("better", "similar")
    assert props["national_code"] == "K02000001" and props["index"] == pytest.approx(
        100 * props["value"] / props["national"]
    )
    assert props["prev_year"] == 2018 and props["change"] == pytest.approx(848.0)
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    "/api/indicators/gdp-per-head/data.csv",
                    params={"codes": "E08000035", "base": "2010"},
                ).text
            )
        )
    )
    by_year = {int(r["year"]): r for r in rows}
    assert float(by_year[2019]["change_base"]) == pytest.approx(
        float(by_year[2019]["value"]) - float(by_year[2010]["value"])
    )
    assert by_year[2010]["change_base"] in ("0.0", "0")


def test_user_groups_from_a_file_are_compared_like_shipped_ones(data_dir, tmp_path) -> None:
    import shutil

    from click.testing import CliRunner
    from starlette.testclient import TestClient

    from levelup.cli import main
    from levelup.settings import Settings
    from server.app import create_app

    own = tmp_path / "data"
    shutil.copytree(data_dir, own, ignore=shutil.ignore_patterns("cache"))
    groups = tmp_path / "groups.csv"
    groups.write_text(
        "Group,Title,Code,Level\nwest-yorks,West Yorkshire core,E08000035,lad\n"
        "west-yorks,West Yorkshire core,E08000032,lad\n"
    )
    runner = CliRunner()
    added = runner.invoke(main, ["groups", "add", str(groups), "--data-dir", str(own)])
    assert added.exit_code == 0, added.output
    assert "group:west-yorks" in added.output
    client = TestClient(create_app(Settings(data_dir=own)))
    listed = {g["id"]: g for g in client.get("/api/groups").json()["groups"]}
    assert listed["west-yorks"]["source"] == "user" and "the-north" in listed
    body = client.get(
        "/api/indicators/gdp-per-head/compare", params={"items": "group:west-yorks"}
    ).json()
    assert body["items"][0]["members"] == ["E08000035", "E08000032"]
    bad = tmp_path / "bad.csv"
    bad.write_text("group,title,code,level\nx,X,E99999999,lad\n")
    refused = runner.invoke(main, ["groups", "add", str(bad), "--data-dir", str(own)])
    assert refused.exit_code == 1 and "E99999999 is not a lad area" in refused.output
    assert (
        runner.invoke(main, ["groups", "remove", "west-yorks", "--data-dir", str(own)]).exit_code
        == 0
    )
