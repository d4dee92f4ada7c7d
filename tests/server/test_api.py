import sqlite3

from tests.server.conftest import LAD


def test_catalogue_lists_indicators_with_levels_and_years(client) -> None:
    body = client.get("/api/catalogue").json()
    indicators = {i["id"]: i for i in body["indicators"]}
    gdp = indicators["gdp-per-head"]
    assert gdp["polarity"] == "higher" and gdp["theme"] == "economy" and gdp["unit"] == "£"
    assert "Office for National Statistics" in gdp["source"]
    assert gdp["licence"] == "Open Government Licence v3.0"
    assert [v["id"] for v in gdp["variants"]] == [
        "current-prices",
        "chained-volume",
        "total",
        "share-of-uk",
    ]
    total = next(v for v in gdp["variants"] if v["id"] == "total")
    assert total["polarity"] == "neither" and "population" in total["derived"]
    assert gdp["polarity_reason"] and gdp["aggregation"]["kind"] == "ratio"
    pay = indicators["median-weekly-pay"]
    assert pay["aggregation"] == {"kind": "none", "reason": pay["aggregation"]["reason"]}
    assert "median" in pay["aggregation"]["reason"]
    lad = next(lv for lv in gdp["levels"] if lv["id"] == "lad")
    assert lad["set_id"] == "ltla-2023" and lad["years"][0] == 1998 and 2019 in lad["mapped_years"]
    assert indicators["claimant-count"]["polarity"] == "lower"
    assert {t["id"] for t in body["themes"]} >= {"economy", "health", "population", "housing"}
    assert body["tilesets"] > 0 and any(
        "EuroGeographics" in s["attribution"] for s in body["sources"]
    )


def test_levels_and_vintages(client) -> None:
    levels = {lv["id"]: lv for lv in client.get("/api/levels").json()["levels"]}
    assert "ltla-2023" in {s["id"] for s in levels["lad"]["boundary_sets"]}
    assert levels["lad"]["label"] == "Local authority district"


def test_tileset_links_and_legend(client) -> None:
    body = client.get(f"/api/tilesets/{LAD}").json()
    assert body["tiles"].endswith(f"/tiles/{LAD}/{{z}}/{{x}}/{{y}}.pbf")
    assert body["style"].endswith(f"/styles/{LAD}.json") and body["maxzoom"] == 10
    assert len(body["legend"]["classes"]) == 5
    listed = client.get("/api/tilesets", params={"indicator": "gdp-per-head", "year": "2019"})
    assert LAD in {t["id"] for t in listed.json()["tilesets"]}


def test_tilejson_3(client) -> None:
    body = client.get(f"/tiles/{LAD}.json").json()
    assert body["tilejson"] == "3.0.0" and body["scheme"] == "xyz"
    assert body["tiles"][0].startswith("http://testserver/tiles/")
    assert (body["minzoom"], body["maxzoom"]) == (0, 10)
    west, south, east, north = body["bounds"]
    assert -9 < west < east < 2 and 49 < south < north < 61
    layer = body["vector_layers"][0]
    assert layer["id"] == "lad" and layer["fields"]["value"] == "Number"
    assert "Open Government Licence" in body["attribution"]


def test_style_is_written_for_qgis_too(client) -> None:
    style = client.get(f"/styles/{LAD}.json").json()
    assert style["version"] == 8 and style["sources"]["levelup"]["type"] == "vector"
    fill = next(layer for layer in style["layers"] if layer["type"] == "fill")
    assert fill["source-layer"] == "lad"
    expression = fill["paint"]["fill-color"]
    assert expression[:2] == ["match", ["get", "class"]]
    labels = expression[2:-1:2]
    assert labels == [[0], [1], [2], [3], [4]]  # array labels: QGIS 3.22 reads these
    legend = style["metadata"]["levelup:legend"]
    assert [c["color"] for c in legend["classes"]] == expression[3:-1:2]
    assert legend["classes"][-1]["color"] == "#253494"  # higher is better: darkest = highest
    assert expression[-1] == legend["no_data"]["color"]
    lower = client.get("/styles/claimant-count.rate.lad.2019.json").json()
    lower_fill = next(layer for layer in lower["layers"] if layer["type"] == "fill")
    assert lower_fill["paint"]["fill-color"][3] == "#253494"  # lower is better: darkest = lowest


def test_area_detail_has_every_indicator_over_time(client, data_dir) -> None:
    body = client.get("/api/areas/E08000035").json()
    assert body["name"] == "Leeds" and set(body["levels"]) >= {"lad", "ctyua"}
    series = {(s["indicator"], s["variant"], s["level"]): s for s in body["series"]}
    gdp = series[("gdp-per-head", "current-prices", "lad")]
    expected = (
        sqlite3.connect(data_dir / "levelup.db")
        .execute(
            "SELECT year, value FROM observations WHERE indicator='gdp-per-head' AND "
            "variant='current-prices' AND level='lad' AND code='E08000035' ORDER BY year"
        )
        .fetchall()
    )
    assert [(v["year"], v["value"]) for v in gdp["values"]] == expected
    latest = gdp["values"][-1]
    valued = (
        sqlite3.connect(data_dir / "levelup.db")
        .execute(
            "SELECT count(*) FROM observations WHERE indicator='gdp-per-head' AND variant="
            "'current-prices' AND level='lad' AND year=? AND value IS NOT NULL",
            (latest["year"],),
        )
        .fetchone()[0]
    )
    assert latest["of"] == valued and 1 <= latest["rank"] <= valued and latest["median"] > 0
    assert latest["band"] in ("better", "similar", "worse") and isinstance(latest["z"], float)
    assert ("wellbeing", "anxiety", "lad") in series and series[("wellbeing", "anxiety", "lad")][
        "polarity"
    ] == "lower"


def test_superseded_area_names_its_successor(client) -> None:
    body = client.get("/api/areas/E07000026").json()  # Allerdale, merged in 2023
    assert body["successors"][0]["code"] == "E06000063"
    assert body["successors"][0]["name"] == "Cumberland" and body["successors"][0]["year"] == 2023
    cumberland = client.get("/api/areas/E06000063").json()
    assert {"E07000026", "E07000028", "E07000029"} <= {
        p["code"] for p in cumberland["predecessors"]
    }
    glasgow = client.get("/api/areas/S12000049").json()
    assert any(r["from"] == "S12000046" for r in glasgow["recodes"])


def test_search_by_name(client) -> None:
    areas = client.get("/api/areas", params={"q": "leed"}).json()["areas"]
    assert areas[0]["name"] == "Leeds" and areas[0]["code"] == "E08000035"
    assert client.get("/api/areas", params={"q": "x"}).json() == {"areas": []}
    assert client.get("/api/areas", params={"q": "%_%"}).status_code == 200


def test_unknown_things_are_json_404(client) -> None:
    for url in (
        "/api/indicators/nope",
        "/api/areas/Z99999999",
        "/api/tilesets/a.b.c.2019",
        "/styles/nope.json",
        "/nothing-here",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["error"]["status"] == 404


def test_health(client) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["tilesets"] > 0


def test_search_by_code_and_strict_parameters(client) -> None:
    by_code = client.get("/api/areas", params={"q": "E0800003"}).json()["areas"]
    assert "E08000035" in {a["code"] for a in by_code}
    assert client.get("/api/areas", params={"q": "leeds", "level": "zz"}).status_code == 400
    assert client.get("/api/areas/E08000035", params={"level": "zz"}).status_code == 400
    assert client.get("/api/areas/E08000035", params={"lvl": "lad"}).status_code == 400
    assert client.get("/api/tilesets", params={"indicator": "nope"}).status_code == 400
    assert client.get("/api/tilesets", params={"year": "abc"}).status_code == 400
    nul = client.get("/api/areas/E08%0035")
    assert nul.status_code == 400
    long = client.get("/api/areas/" + "A" * 3000)
    assert long.status_code == 400 and len(long.json()["error"]["message"]) < 200
