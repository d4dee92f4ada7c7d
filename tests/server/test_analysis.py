"""Inequality and comparisons against independent computations from the raw Eurostat file."""

import csv
import io
import json

import pytest

from pipeline.catalogue import DATA_DIR

POPULATION_FILE = "ons_population/els_population-count_1991-2024.json"

GDP_CURRENT = "Gross domestic product per head at current market price"

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


def test_the_eu_line_takes_every_region_of_the_union_from_the_raw_file(client) -> None:
    per_head, totals = _eurostat("EUR_HAB", 2014), _eurostat("MIO_EUR", 2014)
    members = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR",
               "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI",
               "SK", "UK"}  # fmt: skip
    regions = [
        g
        for g in per_head
        if g[:2] in members and len(g) == 4 and not g.endswith("ZZ") and g in totals
    ]
    population = {g: totals[g] * 1e6 / per_head[g] for g in regions}
    union = per_head["EU28"]
    expected = (
        100
        * sum(abs(per_head[g] - union) * population[g] for g in regions)
        / sum(population.values())
        / union
    )
    body = client.get(
        "/api/inequality",
        params={"indicator": "eu-gdp-per-head-2017", "variant": "eur", "level": "nuts2"},
    ).json()
    assert body["countries"]["EU28"] == "European Union (28 countries), all regions"
    row = next(r for r in body["series"]["EU28"] if r["year"] == 2014)
    assert row["regions"] == len(regions) and row["national_source"] == "EU28"
    assert row["national"] == union
    assert row["dispersion"] == pytest.approx(expected, rel=1e-6)


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


def _ons(path: str, indicator: str, code: str) -> dict[int, float]:
    """An area's values by year from a raw ONS ELS CSV (parsed apart from the pipeline)."""
    out = {}
    with open(DATA_DIR / path, encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            if row["AREACD"] == code and row["Indicator"] == indicator and row["Observation"]:
                out[int(row["Period"][:4])] = float(row["Observation"])
    return out


def _people(year: int) -> dict[str, float]:
    """ONS mid-year populations of one year, straight from the shipped JSON."""
    raw = json.loads((DATA_DIR / POPULATION_FILE).read_text(encoding="utf-8"))
    return {
        c: v
        for c, y, v in zip(raw["areacd"], raw["xDomainNumb"], raw["value"], strict=True)
        if y == year
    }


def test_a_uk_group_is_population_weighted_with_the_same_years_populations(client) -> None:
    body = client.get(
        "/api/indicators/gdp-per-head/compare",
        params={"items": "group:the-north,group:greater-south-east,E08000035,K02000001"},
    )
    assert body.status_code == 200, body.text
    north, south_east, leeds, uk = body.json()["items"]
    assert "population-weighted" in north["method"] and "median" not in north["method"]
    assert north["members"] == ["TLC", "TLD", "TLE"]
    for year in (2005, 2019):
        people = _people(year)
        pairs = [("TLC", "E12000001"), ("TLD", "E12000002"), ("TLE", "E12000003")]
        values = {t: _ons("ons_els/gdp-per-head.csv", GDP_CURRENT, t)[year] for t, _ in pairs}
        expected = sum(values[t] * people[e] for t, e in pairs) / sum(people[e] for _, e in pairs)
        got = next(s["value"] for s in north["series"] if s["year"] == year)
        assert got == pytest.approx(expected, rel=1e-9), year
    at = {i["label"]: {s["year"]: s["value"] for s in i["series"]} for i in (south_east, leeds)}
    assert at["Greater South East"][2019] > at["Leeds"][2019]  # not a median of regions
    assert uk["label"] == "United Kingdom" and uk["kind"] == "country"


def test_groups_that_cannot_be_added_up_are_refused_with_the_reason(client) -> None:
    """A median (pay) has no group figure: refused with the catalogue's reason."""
    body = client.get(
        "/api/indicators/median-weekly-pay/compare",
        params={"items": "E08000035,group:the-north,NL,group:nope,E99999999"},
    ).json()
    assert [i["item"] for i in body["items"]] == ["E08000035"]
    reasons = {r["item"]: (r["label"], r["reason"]) for r in body["refused"]}
    label, reason = reasons["group:the-north"]
    assert label == "The North of England" and "cannot be added up" in reason
    assert "a median cannot be built from the areas' medians" in reason
    assert reasons["NL"] == ("Nederland", "Nederland has no Median weekly pay values")
    assert "no group" in reasons["group:nope"][1] and "E99999999" in reasons
    for items in ("bad item!", ",".join(["E08000035"] * 9)):
        response = client.get("/api/indicators/claimant-count/compare", params={"items": items})
        assert response.status_code == 400, items


def test_a_rate_group_is_weighted_by_the_same_years_population(client) -> None:
    """Claimant count: the North is its regions weighted by their mid-year populations."""
    body = client.get(
        "/api/indicators/claimant-count/compare", params={"items": "group:the-north"}
    ).json()
    north = body["items"][0]
    people = _people(2019)
    regions = ["E12000001", "E12000002", "E12000003"]
    raw = json.loads((DATA_DIR / "ons_els_datasets/claimant-count.json").read_text())
    rate = {
        c: v
        for c, v, x in zip(raw["areacd"], raw["value"], raw["xDomainNumb"], strict=True)
        if x == 2019 and c in regions
    }
    expected = sum(rate[c] * people[c] for c in regions) / sum(people[c] for c in regions)
    got = next(s["value"] for s in north["series"] if s["year"] == 2019)
    assert got == pytest.approx(expected, rel=1e-9)


def test_own_groups_of_districts_are_weighted_too(client) -> None:
    body = client.get(
        "/api/indicators/gdp-per-head/compare", params={"items": "codes:E08000035+E08000032"}
    ).json()
    own = body["items"][0]
    assert own["members"] == ["E08000035", "E08000032"]
    assert own["label"] == "Your group of Leeds, Bradford"
    people = _people(2019)
    values = {c: _ons("ons_els/gdp-per-head.csv", GDP_CURRENT, c)[2019] for c in own["members"]}
    expected = sum(values[c] * people[c] for c in values) / sum(people[c] for c in values)
    got = next(s["value"] for s in own["series"] if s["year"] == 2019)
    assert got == pytest.approx(expected, rel=1e-9)


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

    from levelup.settings import Settings
    from levelup_cli.main import main
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
