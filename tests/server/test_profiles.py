"""Area profiles: every indicator the area API has, its standing as the API gives it, the
parents and children from the ONS lookups, the dashboard of a combined authority, and one
request each for the page and its data."""

import csv
import gzip

import pytest

from boundaries.registry import DATA_DIR

LEEDS, WEST_YORKSHIRE = "E08000035", "E47000003"


def _valued(area: dict) -> dict[str, dict]:
    """The area API's indicators with a value, each by its series (indicator -> series)."""
    out: dict[str, dict] = {}
    for s in area["series"]:
        if any(v["value"] is not None for v in s["values"]):
            out.setdefault(s["indicator"], s)
    return out


@pytest.mark.parametrize("code", [LEEDS, WEST_YORKSHIRE, "W06000015", "E12000003", "DE21"])
def test_a_profile_has_every_indicator_the_area_api_has(client, code: str) -> None:
    profile = client.get(f"/api/profiles/{code}").json()
    area = client.get(f"/api/areas/{code}").json()
    rows = [r for s in profile["sections"] for r in s["rows"]]
    listed = [r["indicator"] for r in rows]
    assert len(listed) == len(set(listed)) == profile["indicators"]  # each once
    assert set(_valued(area)) <= set(listed)
    for row in rows:  # the headline's latest figures are the API's, for the same series
        if row.get("code"):
            continue
        series = next(
            s
            for s in area["series"]
            if (s["indicator"], s["variant"], s["level"])
            == (row["indicator"], row["variant"], row["level"])
        )
        latest = [v for v in series["values"] if v["value"] is not None][-1]
        for key in ("year", "value", "rank", "of", "median", "national", "country_index"):
            assert row["latest"][key] == latest[key], (row["indicator"], key)


def test_parents_come_from_the_boundaries_and_agree_with_the_ons_lookups(full_client) -> None:
    profile = full_client.get(f"/api/profiles/{LEEDS}").json()
    parents = {p["label"]: p["code"] for p in profile["parents"]}
    with open(DATA_DIR / "lookups/lad24_itl3_itl2_itl1_2025_lookup.csv", encoding="utf-8-sig") as f:
        itl = next(r for r in csv.DictReader(f) if r["LAD24CD"] == LEEDS)
    assert parents == {
        "Combined authority": WEST_YORKSHIRE,
        "Region or nation": "E12000003",
        "ITL3 region": itl["itl3"],
        "ITL2 region": itl["itl2"],
    }
    assert profile["kind"] == "district" and profile["level"] == "lad"
    similar = full_client.get(f"/api/similar/{LEEDS}").json()
    assert [a["code"] for a in profile["similar"]["areas"]] == [
        n["code"] for n in similar["neighbours"]
    ]


def test_a_combined_authority_is_a_state_of_the_region_dashboard(full_client) -> None:
    profile = full_client.get(f"/api/profiles/{WEST_YORKSHIRE}").json()
    assert profile["dashboard"] and profile["kind"] == "combined authority"
    titles = [s["title"] for s in profile["sections"]]
    assert titles[:5] == ["Productivity", "Jobs", "Skills", "Housing", "Transport and connections"]
    districts = {c["code"] for c in profile["children"]}
    assert districts == {"E08000032", "E08000033", "E08000034", "E08000035", "E08000036"}
    gdp = next(r for r in profile["sections"][0]["rows"] if r["indicator"] == "gdp-per-head")
    assert {c["code"] for c in gdp["children"]} == districts
    for child in gdp["children"]:  # each district's figure is the area API's
        area = full_client.get(f"/api/areas/{child['code']}", params={"level": "lad"}).json()
        series = next(
            s
            for s in area["series"]
            if s["indicator"] == "gdp-per-head" and s["variant"] == gdp["variant"]
        )
        assert child["value"] == next(
            v["value"] for v in series["values"] if v["year"] == child["year"]
        )


def test_the_page_and_its_data_are_one_request_each_and_kept_per_build(client) -> None:
    page = client.get(f"/areas/{LEEDS}")
    assert page.status_code == 200 and "<title>Leeds · levelup</title>" in page.text
    assert f'content="{LEEDS}"' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    data = client.get(f"/api/profiles/{LEEDS}", headers={"Accept-Encoding": "gzip"})
    assert data.status_code == 200 and data.headers["content-encoding"] == "gzip"
    etag = data.headers["etag"]
    again = client.get(f"/api/profiles/{LEEDS}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    plain = client.get(f"/api/profiles/{LEEDS}", headers={"Accept-Encoding": "identity"})
    assert plain.json()["name"] == "Leeds" and "content-encoding" not in plain.headers
    kept = [
        body
        for key, body in client.app.state.store.current().responses._bodies.items()
        if f"/api/profiles/{LEEDS}?" in key
    ]
    assert kept and kept[0].identity == plain.content  # made once for this build
    assert gzip.decompress(kept[0].gzipped or b"") == plain.content


@pytest.mark.parametrize(
    "path, status",
    [("/areas/E99999999", 404), ("/api/profiles/E99999999", 404), ("/areas/not%20a%20code", 400)],
)
def test_unknown_and_bad_codes(client, path: str, status: int) -> None:
    assert client.get(path).status_code == status
