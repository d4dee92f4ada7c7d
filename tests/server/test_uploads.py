"""Uploads over HTTP: preview, build, delete, and a clear 4xx for every kind of bad table."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import mapbox_vector_tile
import pytest
from starlette.testclient import TestClient

from levelup.settings import Settings
from server.app import create_app
from server.uploads import uploads_enabled
from tests.conftest import clone_data_dir
from tests.pipeline.byod.tables import districts, messy_tidy, nuts_semicolon, plain
from tests.pipeline.byod.test_ingest import snapshot

GUARD = {"X-Requested-With": "levelup"}
LOCAL = ("127.0.0.1", 50000)  # the peer address a browser on this machine connects from


@pytest.fixture(scope="module")
def folder(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return clone_data_dir(data_dir, tmp_path_factory.mktemp("uploads") / "data")


@pytest.fixture(scope="module")
def client(folder: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=folder, reload_interval=0)
    app = create_app(settings)
    with TestClient(app, base_url="http://127.0.0.1", client=LOCAL) as test_client:
        yield test_client


def upload(client: TestClient, data: bytes, name: str = "table.csv", **headers: str):
    return client.post(f"/api/uploads?name={name}", content=data, headers={**GUARD, **headers})


def test_preview_build_and_delete(client: TestClient, folder: Path, registry) -> None:
    table = messy_tidy(registry)
    created = upload(client, table.data, "Households 2021-22.csv")
    assert created.status_code == 201, created.text
    body = created.json()
    preview = body["preview"]
    assert (preview["code_column"], preview["period_column"]) == ("Area Code", "Year")
    assert (preview["level"], preview["boundary_set"], preview["match_rate"]) == (
        "lad",
        "lad-2022",
        1.0,
    )
    assert preview["title"] == "Households 2021-22" and body["name"] == "Households 2021-22.csv"
    stored = list((folder / "user" / "uploads").iterdir())
    assert {p.suffix for p in stored} == {".upload", ".json"}  # the name is never a path
    form = {"title": "Households", "source": "District councils", "polarity": "lower"}
    built = client.post(f"/api/uploads/{body['upload']}/build", json=form, headers=GUARD)
    assert built.status_code == 201, built.text
    indicator = built.json()["indicator"]
    assert indicator.startswith("user-households-")  # a slug of the title given
    assert not list((folder / "user" / "uploads").iterdir())
    entry = next(
        i for i in client.get("/api/catalogue").json()["indicators"] if i["id"] == indicator
    )
    assert entry["user_supplied"] and entry["source"] == "District councils"
    assert entry["polarity"] == "lower" and entry["levels"][0]["mapped_years"] == [2021, 2022]
    tile = client.get(f"/tiles/{indicator}.value.lad.2022/4/7/5.pbf")
    assert tile.status_code == 200
    codes = {
        f["properties"]["code"]
        for f in mapbox_vector_tile.decode(tile.content)["lad"]["features"]
        if "value" in f["properties"]
    }
    assert codes and codes <= {c for c, _ in districts(registry)}
    gone = client.delete(f"/api/indicators/{indicator}", headers=GUARD)
    assert gone.status_code == 204, gone.text
    assert client.get(f"/api/indicators/{indicator}").status_code == 404
    assert client.get(f"/tiles/{indicator}.value.lad.2022/4/7/5.pbf").status_code == 404


def test_a_table_not_understood_can_be_explained(client: TestClient, registry) -> None:
    created = upload(client, nuts_semicolon(registry).data, "germany.csv")
    assert created.status_code == 422
    body = created.json()
    assert "no period found" in body["error"]["message"]
    assert body["error"]["file"] == "germany.csv" and body["columns"] == ["NUTS_ID", "share"]
    again = client.post(
        f"/api/uploads/{body['upload']}/preview", json={"period": "2021"}, headers=GUARD
    )
    assert again.status_code == 200, again.text
    assert again.json()["preview"]["boundary_set"] == "nuts2-2021"
    built = client.post(
        f"/api/uploads/{body['upload']}/build",
        json={"period": "2021", "title": "German share"},
        headers=GUARD,
    )
    assert built.status_code == 201, built.text
    assert (
        client.get(f"/api/indicators/{built.json()['indicator']}").json()["levels"][0]["id"]
        == "nuts2"
    )


def _bad(registry) -> dict[str, tuple[bytes, str, int, str]]:
    (a, _), (b, _) = districts(registry, 10)[:2]
    lads = [f"{c},2022,{i}" for i, (c, _) in enumerate(districts(registry, 10)[:4])]
    return {
        "empty": (b"", "empty.csv", 422, "the file is empty"),
        "header only": (plain("code,year,value").data, "h.csv", 422, "header but no rows"),
        "no codes": (
            plain("place,year,value", "Leeds,2022,3").data,
            "p.csv",
            422,
            "no column looks like area codes",
        ),
        "mixed levels": (
            plain("code,year,value", *[f"E1200000{i},2022,1" for i in range(1, 9)], *lads).data,
            "m.csv",
            422,
            "codes from mixed levels",
        ),
        "duplicates": (
            plain("code,year,value", f"{a},2022,1", f"{b},2022,2", f"{a},2022,3").data,
            "d.csv",
            422,
            "has two values for 2022",
        ),
        "non-numeric": (
            plain("code,year,value", f"{a},2022,1", f"{b},2022,lots", *lads[2:]).data,
            "n.csv",
            422,
            "'lots' is neither a number",
        ),
        "formula": (
            plain("code,year,value", f"{a},2022,1", f"{b},2022,=cmd|' /C calc'!A0").data,
            "f.csv",
            422,
            "looks like a spreadsheet formula",
        ),
        "200 MB": (b"\0" * (200 * 1024 * 1024), "big.csv", 413, "over the 20 MB upload limit"),
        "../ in the name": (
            plain("code,year,value", f"{a},2022,1").data,
            "../../etc/x.csv",
            400,
            "must be a plain name",
        ),
    }


def _saved_indicators(folder: Path) -> set[str]:
    root = folder / "user" / "indicators"
    return {p.name for p in root.iterdir()} if root.exists() else set()


def test_a_size_is_uploaded_as_neither_and_ranked_by_size(client: TestClient, registry) -> None:
    table = messy_tidy(registry)
    body = upload(client, table.data, "Households.csv").json()
    form = {"title": "Households by size", "polarity": "neither"}
    built = client.post(f"/api/uploads/{body['upload']}/build", json=form, headers=GUARD)
    assert built.status_code == 201, built.text
    indicator = built.json()["indicator"]
    tileset = client.get(f"/api/tilesets/{indicator}.value.lad.2022").json()
    assert tileset["polarity"] == "neither"
    tile = client.get(f"/tiles/{indicator}.value.lad.2022/0/0/0.pbf")  # every district
    features = mapbox_vector_tile.decode(tile.content)["lad"]["features"]
    first = next(f["properties"]["code"] for f in features if f["properties"].get("rank") == 1)
    largest = max((v, c) for (c, y), v in table.values.items() if y == 2022 and v is not None)
    assert first == largest[1]  # rank 1 = the largest, from the source table
    assert client.delete(f"/api/indicators/{indicator}", headers=GUARD).status_code == 204


@pytest.mark.parametrize(
    "case",
    [
        "empty",
        "header only",
        "no codes",
        "mixed levels",
        "duplicates",
        "non-numeric",
        "formula",
        "200 MB",
        "../ in the name",
    ],
)
def test_bad_uploads_get_a_reason(case: str, client: TestClient, folder: Path, registry) -> None:
    data, name, status, reason = _bad(registry)[case]
    before = snapshot(folder)[:2]
    saved = _saved_indicators(folder)
    response = upload(client, data, name)
    assert response.status_code == status, response.text
    assert reason in response.json()["error"]["message"]
    assert snapshot(folder)[:2] == before  # the database and the tiles are untouched
    assert _saved_indicators(folder) == saved  # and no indicator was saved
    assert not list(folder.parent.rglob("x.csv"))


def test_guards(client: TestClient, folder: Path, registry) -> None:
    data = messy_tidy(registry).data
    assert client.post("/api/uploads", content=data).status_code == 403  # no guard header
    cross = upload(client, data, Origin="https://evil.example")
    assert cross.status_code == 403 and "own pages" in cross.json()["error"]["message"]
    shipped = client.delete("/api/indicators/gdp-per-head", headers=GUARD)
    assert shipped.status_code == 409 and "shipped" in shipped.json()["error"]["message"]
    missing = client.post("/api/uploads/" + "0" * 32 + "/build", json={}, headers=GUARD)
    assert missing.status_code == 404
    traversal = client.post("/api/uploads/..%2F..%2Flevelup.db/build", json={}, headers=GUARD)
    assert traversal.status_code == 404
    created = upload(client, data).json()["upload"]
    for form, message in [
        ({"colour": "red"}, "unknown field"),
        ({"decimals": "two"}, "decimals"),
        ({"polarity": "up"}, "polarity"),
        ([1, 2], "JSON object"),
    ]:
        bad = client.post(f"/api/uploads/{created}/build", json=form, headers=GUARD)
        assert bad.status_code == 400 and message in bad.json()["error"]["message"]
    assert client.delete(f"/api/uploads/{created}", headers=GUARD).status_code == 204
    off = TestClient(create_app(Settings(data_dir=folder, uploads=False)))
    refused = off.post("/api/uploads", content=data, headers=GUARD)
    assert refused.status_code == 403 and "switched off" in refused.json()["error"]["message"]
    assert off.get("/api/catalogue").json()["uploads"]["enabled"] is False


def test_catalogue_says_what_uploads_accept(client: TestClient) -> None:
    assert client.get("/api/catalogue").json()["uploads"] == {"enabled": True, "max_mb": 20.0}
    assert json.loads(client.get("/openapi.json").text)["paths"]["/api/uploads"]["post"]


def test_a_streamed_body_is_cut_off_at_the_limit(client: TestClient, folder: Path) -> None:
    """No Content-Length: the server counts as it reads and stops at 20 MB."""
    sent = 0

    def chunks():
        nonlocal sent
        for _ in range(200):
            sent += 1
            yield b"\0" * (1024 * 1024)

    before = set((folder / "user" / "uploads").glob("*"))
    response = client.post("/api/uploads?name=big.csv", content=chunks(), headers=GUARD)
    assert response.status_code == 413
    assert set((folder / "user" / "uploads").glob("*")) == before  # nothing kept


def test_hosts_ids_and_unexpected_failures(client: TestClient, folder: Path, registry) -> None:
    data = messy_tidy(registry).data
    rebound = upload(client, data, Host="evil.example:8000", Origin="http://evil.example:8000")
    assert rebound.status_code == 403 and "host" in rebound.json()["error"]["message"]
    for bad in ("--help", "..", "GDP"):
        assert client.delete(f"/api/indicators/{bad}", headers=GUARD).status_code == 404
    created = upload(client, data).json()["upload"]
    missing = client.post(
        f"/api/uploads/{created}/preview", json={"value_columns": ["nope"]}, headers=GUARD
    )
    assert missing.status_code == 422 and "no column 'nope'" in missing.json()["error"]["message"]
    assert "Traceback" not in missing.text and "/work/" not in missing.text
    client.delete(f"/api/uploads/{created}", headers=GUARD)


def test_uploads_default_to_loopback_only(folder: Path) -> None:
    public = TestClient(create_app(Settings(data_dir=folder, host="0.0.0.0")), client=LOCAL)
    assert public.get("/api/catalogue").json()["uploads"]["enabled"] is False
    refused = public.post("/api/uploads", content=b"x", headers=GUARD)
    assert refused.status_code == 403 and "listens on 0.0.0.0" in refused.text
    for host in ("localhost", "::1", "127.0.0.2"):
        assert uploads_enabled(Settings(data_dir=folder, host=host)), host
    for host in ("0.0.0.0", "::", "192.0.2.7", "example.org"):
        assert not uploads_enabled(Settings(data_dir=folder, host=host)), host


def test_uploads_on_by_default_are_for_this_machine_only(folder: Path) -> None:
    """Even if the app was told it listens on loopback (uvicorn run by hand with --host
    0.0.0.0), a peer from elsewhere is refused unless the operator switched uploads on."""
    app = create_app(Settings(data_dir=folder))
    for peer, status in ((("192.0.2.7", 4000), 403), (("::1", 4000), 404), (LOCAL, 404)):
        remote = TestClient(app, base_url="http://127.0.0.1", client=peer)
        answer = remote.delete("/api/uploads/" + "0" * 32, headers=GUARD)
        assert answer.status_code == status, (peer, answer.text)
    switched_on = create_app(Settings(data_dir=folder, uploads=True))
    remote = TestClient(switched_on, base_url="http://127.0.0.1", client=("192.0.2.7", 4000))
    assert remote.delete("/api/uploads/" + "0" * 32, headers=GUARD).status_code == 404
