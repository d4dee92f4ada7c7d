import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

import psutil
import pytest
from starlette.routing import Route

from levelup.errors import StoreError
from levelup.settings import Settings
from server.app import create_app
from server.openapi import document
from tests.conftest import free_port


def test_server_imports_neither_geopandas_nor_shapely(data_dir) -> None:
    script = f"""
import sys
from pathlib import Path
from starlette.testclient import TestClient
from levelup.settings import Settings
from server.app import create_app
client = TestClient(create_app(Settings(data_dir=Path({str(data_dir)!r}))))
for url in ("/api/catalogue", "/tiles/gdp-per-head.current-prices.lad.2019/5/15/10.pbf",
            "/api/indicators/gdp-per-head/data.geojson?codes=E08000035",
            "/downloads/gdp-per-head.current-prices.lad.2019.pmtiles", "/api/areas/E08000035"):
    assert client.get(url).status_code == 200, url
heavy = {{"geopandas", "shapely", "pyogrio", "pyproj", "pandas"}}
print(sorted({{m.split(".")[0] for m in sys.modules}} & heavy))
"""
    out = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", script], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_every_route_is_in_the_openapi_document(client) -> None:
    served = client.get("/openapi.json").json()
    assert served == document() and served["openapi"].startswith("3.")
    api_prefixes = ("/api/", "/tiles/", "/styles/", "/downloads/", "/healthz", "/openapi.json")
    paths = {
        r.path
        for r in client.app.routes
        if isinstance(r, Route) and r.path.startswith(api_prefixes)
    }
    assert paths == set(served["paths"])


def test_corrupt_or_missing_store_is_a_clear_error_at_startup(data_dir, tmp_path) -> None:
    with pytest.raises(StoreError, match="run 'levelup build'"):
        create_app(Settings(data_dir=tmp_path))
    broken = tmp_path / "copy"
    (broken / "tiles").mkdir(parents=True)
    (broken / "levelup.db").write_bytes((data_dir / "levelup.db").read_bytes())
    manifest = json.loads((data_dir / "tiles" / "manifest.json").read_text())
    manifest["tilesets"] = manifest["tilesets"][:2]
    (broken / "tiles" / "manifest.json").write_text(json.dumps(manifest))
    good, truncated = (manifest["tilesets"][i]["file"] for i in (0, 1))
    (broken / "tiles" / good).write_bytes((data_dir / "tiles" / good).read_bytes())
    (broken / "tiles" / truncated).write_bytes((data_dir / "tiles" / truncated).read_bytes()[:2000])
    with pytest.raises(StoreError, match="1 tileset file"):
        create_app(Settings(data_dir=broken))


def test_preflight_and_single_cors_header(client) -> None:
    preflight = client.options(
        "/api/catalogue",
        headers={"Origin": "https://x.org", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 204
    assert preflight.headers.get_list("access-control-allow-origin") == ["*"]
    for url in (
        "/api/catalogue",
        "/tiles/gdp-per-head.current-prices.lad.2019.json",
        "/api/indicators/nope",
    ):
        assert client.get(url).headers.get_list("access-control-allow-origin") == ["*"], url


def test_uploads_and_deletions_are_not_offered_to_other_origins(client) -> None:
    for url, method in (("/api/uploads", "POST"), ("/api/indicators/gdp-per-head", "DELETE")):
        preflight = client.options(
            url, headers={"Origin": "https://x.org", "Access-Control-Request-Method": method}
        )
        assert "access-control-allow-origin" not in preflight.headers, url
        answer = client.request(method, url, headers={"Origin": "https://x.org"})
        assert answer.status_code >= 400 and "access-control-allow-origin" not in answer.headers


def test_levelup_serve_binds_localhost_answers_and_logs_requests(data_dir) -> None:
    port = free_port()
    env = {**os.environ, "LEVELUP_DATA_DIR": str(data_dir)}
    process = subprocess.Popen(
        [sys.executable, "-m", "levelup_cli", "serve", "--port", str(port), "--access-log"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert json.load(r)["status"] == "ok"
                    break
            except OSError:
                assert process.poll() is None, process.stdout.read().decode()
                assert time.monotonic() < deadline, "levelup serve did not start"
                time.sleep(0.3)
        serving = psutil.Process(process.pid)  # the command; granian answers from a worker
        pids = {p.pid for p in serving.children(recursive=True)}
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0].decode()
    logged = re.findall(r"\[(\d+)\] 127\.0\.0\.1\S* - \"GET /healthz HTTP/1\.1\" 200", output)
    assert logged and {int(pid) for pid in logged} <= pids, output  # the worker's pid, the client
    assert "uploads on" in output, output


def test_serve_refuses_a_port_in_use_and_a_name_it_cannot_bind(data_dir) -> None:
    """A second server on a port would start silently (granian shares its port with
    SO_REUSEPORT, and the kernel would split connections): the command refuses, as it does a
    host name granian cannot bind."""
    command = [sys.executable, "-m", "levelup_cli", "serve", "--data-dir", str(data_dir)]
    with socket.socket() as taken:  # a listener shaped like granian's own
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = subprocess.run(
            [*command, "--port", port], capture_output=True, text=True, timeout=60
        )
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"cannot listen on 127.0.0.1 port {port}" in result.stderr, result.stderr
    named = subprocess.run(
        [*command, "--host", "maps.example"], capture_output=True, text=True, timeout=60
    )
    assert named.returncode == 1 and "granian binds IP addresses" in named.stderr, named.stderr


def test_serve_refuses_a_missing_build(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "levelup_cli", "serve", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1 and "levelup build" in result.stderr


def test_web_page_has_a_strict_csp_and_no_cors(client) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "access-control-allow-origin" not in page.headers  # CORS only on data routes
    script = client.get("/app/main.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert client.get("/vendor/maplibre-gl/maplibre-gl-csp.js").status_code == 200
    assert client.get("/app/../levelup.db").status_code == 404
