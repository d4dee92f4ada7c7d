"""The index, similar-area and area-type API against the database it reads, and user
indexes added and removed over HTTP (gated like uploads) and from the command line."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from levelup.protocol import Message
from levelup.settings import Settings
from levelup_cli.main import main
from server.app import create_app
from tests.conftest import clone_data_dir

GUARD = {"X-Requested-With": "levelup"}
LEEDS, BLACKPOOL = "E08000035", "E06000009"
LOCAL = ("127.0.0.1", 50000)  # the peer address a browser on this machine connects from


pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("whole_catalogue")]


@pytest.fixture(scope="module")
def folder(full_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole catalogue (the index reads measures from most of it), writable."""
    return clone_data_dir(full_data_dir, tmp_path_factory.mktemp("indexes") / "data")


@pytest.fixture(scope="module")
def client(folder: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=folder, reload_interval=0)
    app = create_app(settings)
    with TestClient(app, base_url="http://127.0.0.1", client=LOCAL) as test_client:
        yield test_client


def _db(folder: Path) -> sqlite3.Connection:
    return sqlite3.connect(folder / "levelup.db")


def test_index_list_and_definition(client: TestClient) -> None:
    body = client.get("/api/indexes").json()
    [index] = body["indexes"]
    assert index["id"] == "prosperity" and index["years"][0] == 2011
    assert index["status"]["governance"]["status"] == "empty"
    assert index["status"]["economic-quality"]["status"] == "ok"
    assert any("carried" in line or "replaced" in line for line in index["rules"])
    toml = client.get("/api/indexes/prosperity/definition.toml")
    assert toml.status_code == 200 and toml.text.startswith('id = "prosperity"')
    assert client.get("/api/indexes/nope").status_code == 404


def test_area_breakdown_equals_the_stored_scores(client: TestClient, folder: Path) -> None:
    body = client.get(f"/api/indexes/prosperity/areas/{LEEDS}").json()
    year = body["year"]
    with _db(folder) as connection:
        rows = {
            r[0]: r[1:]
            for r in connection.execute(
                'SELECT variant, value, rank, "of", rank_low, rank_high FROM observations '
                "WHERE indicator = 'prosperity' AND code = ? AND year = ?",
                (LEEDS, year),
            )
        }
        medians = dict(
            connection.execute(
                "SELECT variant, median FROM stats WHERE indicator = 'prosperity' AND year = ?",
                (year,),
            ).fetchall()
        )
    o = body["overall"]
    assert (o["score"], o["rank"], o["of"], o["rank_low"], o["rank_high"]) == rows["overall"]
    assert o["rank_low"] <= o["rank"] <= o["rank_high"]
    for pillar in body["pillars"]:
        if pillar["id"] in rows:
            assert pillar["score"] == rows[pillar["id"]][0]
            assert pillar["median"] == medians[pillar["id"]]
        else:
            assert pillar["score"] is None
    scored = [p for p in body["pillars"] if p["score"] is not None]
    weakest = sorted(scored, key=lambda p: p["percentile"])[:3]
    assert body["weakest"] == [p["id"] for p in weakest]
    assert [h["year"] for h in body["history"]] == body["years"]
    measures = [m for m in body["measures"] if m["value"] is not None]
    assert measures and all(m["from_year"] <= year for m in measures)
    older = client.get(f"/api/indexes/prosperity/areas/{LEEDS}?year=2015").json()
    assert older["year"] == 2015
    assert client.get(f"/api/indexes/prosperity/areas/{LEEDS}?year=1990").status_code == 400


def test_similar_areas_and_area_types(client: TestClient, folder: Path) -> None:
    sets = client.get("/api/similar").json()["sets"]
    assert [s["id"] for s in sets] == ["global", "economic", "demographic"]
    body = client.get(f"/api/similar/{BLACKPOOL}?set=economic&count=5").json()
    assert len(body["neighbours"]) == 5
    distances = [n["distance"] for n in body["neighbours"]]
    assert distances == sorted(distances)
    first = body["neighbours"][0]["code"]
    back = client.get(f"/api/similar/{first}?set=economic&count=10&year={body['year']}").json()
    mine = [n for n in back["neighbours"] if n["code"] == BLACKPOOL]
    if mine:  # symmetric: the same distance both ways
        assert mine[0]["distance"] == pytest.approx(distances[0])
    clusters = client.get(f"/api/clusters?set=economic&year={body['year']}").json()
    assert sum(c["size"] for c in clusters["clusters"]) == sum(
        len(c["members"]) for c in clusters["clusters"]
    )
    assert clusters["k"] == len(clusters["clusters"]) and 3 <= clusters["k"] <= 10
    assert max(clusters["silhouette_by_k"].values()) >= clusters["silhouette"] - 1e-9
    mine_type = body["cluster"]["cluster"]
    members = next(c for c in clusters["clusters"] if c["cluster"] == mine_type)["members"]
    assert BLACKPOOL in {m["code"] for m in members}


def test_a_group_against_the_rest(client: TestClient, folder: Path) -> None:
    year = client.get("/api/indexes/prosperity").json()["years"][-1]["year"]
    body = client.get(f"/api/indexes/prosperity/compare?items=cluster:economic:2&year={year}")
    assert body.status_code == 200
    data = body.json()
    with _db(folder) as connection:
        members = {
            r[0]
            for r in connection.execute(
                "SELECT code FROM observations WHERE indicator = 'area-types' "
                "AND variant = 'economic' AND year = ? AND value = 2",
                (year,),
            )
        }
        ranks = connection.execute(
            "SELECT code, rank, \"of\" FROM observations WHERE indicator = 'prosperity' AND "
            "variant = 'overall' AND year = ?",
            (year,),
        ).fetchall()
    inside = [(r, n) for c, r, n in ranks if c in members]
    assert data["overall"]["areas"] == len(inside)
    assert data["overall"]["bottom_half"] == sum(1 for r, n in inside if r > n / 2)
    gaps = [p["gap"] for p in data["pillars"]]
    assert gaps == sorted(gaps)
    codes = client.get(f"/api/indexes/prosperity/compare?items=codes:{LEEDS}+{BLACKPOOL}").json()
    assert codes["overall"]["areas"] == 2
    assert client.get("/api/indexes/prosperity/compare?items=bogus").status_code == 400


def _mine(client: TestClient, weight: float) -> dict:
    definition = client.get("/api/indexes/prosperity").json()["definition"]
    definition["id"], definition["title"] = "my-weights", "My weights"
    definition["domain"][2]["weight"] = weight  # empowered people counts more
    definition["uncertainty"]["draws"] = 50
    return definition


def test_user_index_over_http_is_gated_built_and_removed(client: TestClient, folder: Path) -> None:
    body = json.dumps(_mine(client, 3.0))
    assert client.post("/api/indexes", content=body).status_code == 403  # no custom header
    forged = client.post("/api/indexes", content=body, headers={**GUARD, "Host": "evil.example"})
    assert forged.status_code == 403
    off = TestClient(
        create_app(Settings(data_dir=folder, uploads=False)), base_url="http://127.0.0.1"
    )
    assert off.post("/api/indexes", content=body, headers=GUARD).status_code == 403
    made = client.post("/api/indexes", content=body, headers=GUARD)
    assert made.status_code == 201, made.text
    assert made.json()["index"] == "my-weights" and made.json()["tilesets"] > 0
    tilesets = client.get("/api/tilesets?indicator=my-weights&variant=overall").json()["tilesets"]
    assert tilesets
    mine = client.get(f"/api/indexes/my-weights/areas/{LEEDS}").json()
    theirs = client.get(f"/api/indexes/prosperity/areas/{LEEDS}?year={mine['year']}").json()
    assert (
        mine["pillars"] == theirs["pillars"]
        or mine["overall"]["score"] != theirs["overall"]["score"]
    )
    assert (folder / "user" / "indexes" / "my-weights.toml").is_file()
    again = client.post("/api/indexes", content=body, headers=GUARD)
    assert again.status_code == 409
    bad = json.loads(body)
    bad["domain"][0]["pillar"][0]["measure"][0]["variant"] = "nope"
    refused = client.post("/api/indexes?replace=true", content=json.dumps(bad), headers=GUARD)
    assert refused.status_code == 422 and "nope" in refused.json()["error"]["message"]
    assert client.delete("/api/indexes/prosperity", headers=GUARD).status_code == 409
    assert client.delete("/api/indexes/my-weights", headers=GUARD).status_code == 200
    assert client.get("/api/indexes/my-weights").status_code == 404
    assert not (folder / "user" / "indexes" / "my-weights.toml").exists()


def test_user_index_from_the_command_line(client: TestClient, folder: Path, tmp_path: Path) -> None:
    toml = client.get("/api/indexes/prosperity/definition.toml").text
    path = tmp_path / "mine.toml"
    path.write_text(
        toml.replace('id = "prosperity"', 'id = "cli-index"').replace("draws = 1000", "draws = 20")
    )
    runner = CliRunner()
    dry = runner.invoke(main, ["index", "add", "--data-dir", str(folder), "--dry-run", str(path)])
    assert dry.exit_code == 0 and "fine" in dry.output
    added = runner.invoke(main, ["index", "add", "--data-dir", str(folder), "--json", str(path)])
    assert added.exit_code == 0, added.output
    report = Message.decode(added.output.strip().splitlines()[-1])
    assert report.result["added"]["years"][0] == 2011
    listed = runner.invoke(main, ["index", "list", "--data-dir", str(folder)])
    assert "cli-index" in listed.output and "prosperity" in listed.output
    # the same definition gives the same scores as the shipped index (only the draws differ)
    sql = (
        "SELECT code, year, value, rank FROM observations WHERE indicator = ? "
        "AND variant = 'overall' ORDER BY code, year"
    )
    with _db(folder) as connection:
        a = connection.execute(sql, ("cli-index",)).fetchall()
        b = connection.execute(sql, ("prosperity",)).fetchall()
    assert a == b
    removed = runner.invoke(main, ["index", "remove", "--data-dir", str(folder), "cli-index"])
    assert removed.exit_code == 0 and "removed" in removed.output
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('id = "x"\ntitle = "X"\n')
    failed = runner.invoke(main, ["index", "add", "--data-dir", str(folder), str(wrong)])
    assert failed.exit_code == 1 and "wrong.toml" in failed.output
