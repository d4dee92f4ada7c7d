"""`levelup serve` met the way an attacker meets it: real server processes started by the CLI
(granian, the default, with 1 and 2 workers; uvicorn, the other choice, with 2), bound to
0.0.0.0 but reached only through 127.0.0.1 with forged Host and Origin headers (no traffic
leaves the loopback range).

The oracle for "refused" is the data directory itself: the database, the tiles manifest and
the user's files are byte for byte what they were before the attack. The access log (which
names the worker process) shows that every worker was asked and every worker refused.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from levelup.errors import LevelupError
from tests.conftest import clone_data_dir, levelup_serving
from tests.pipeline.byod.tables import messy_tidy, plain
from tests.pipeline.byod.test_ingest import snapshot

GUARD = {"X-Requested-With": "levelup"}
FAKE_UPLOAD = "0123456789abcdef0123456789abcdef"
RELAYED = [{"X-Forwarded-For": "203.0.113.9"}, {"Forwarded": "for=203.0.113.9"}]
RELAYED += [{"X-Real-IP": "203.0.113.9"}]
SERVERS = [("granian", 1), ("granian", 2), ("uvicorn", 2)]  # (server, workers)
ACCESS = re.compile(r'\[(\d+)\] \S+ - "(\w+) (\S+) HTTP/1\.1" (\d+)')


@dataclass
class Served:
    """A running `levelup serve`, reached through 127.0.0.1 whatever it is bound to."""

    port: int
    log: Path
    process: subprocess.Popen[bytes]

    def call(
        self, method: str, path: str, body: bytes = b"", **headers: str
    ) -> tuple[int, dict[str, Any]]:
        """One request on a new connection (so the kernel may hand it to any worker)."""
        sent = {
            "Host": f"127.0.0.1:{self.port}",
            **{k.replace("_", "-"): v for k, v in headers.items()},
        }
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        return response.status, json.loads(data) if data else {}

    def answered(self, method: str, path: str) -> list[tuple[int, int]]:
        """(worker pid, status) of every logged request for `method path`."""
        lines = self.log.read_text(errors="replace").splitlines()
        return [
            (int(m[1]), int(m[4]))
            for m in map(ACCESS.search, lines)
            if m and m[2] == method and m[3] == path
        ]

    def from_every_worker(
        self, workers: int, method: str, path: str, **headers: str
    ) -> list[tuple[int, int]]:
        """Send the same request until every worker has answered it (the kernel picks one per
        connection); the logged (pid, status) pairs."""
        earlier = len(self.answered(method, path))
        for _ in range(200):
            self.call(method, path, **headers)
            time.sleep(0.02)  # lets the access log line out
            seen = self.answered(method, path)[earlier:]
            if len({pid for pid, _ in seen}) >= workers:
                return seen
        raise AssertionError(f"only {set(self.answered(method, path))} answered {path}")


def _environment(extra: dict[str, str]) -> dict[str, str]:
    """The test's environment without any LEVELUP_* a developer may have set, plus `extra`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LEVELUP_")}
    return {**clean, **extra}


@contextlib.contextmanager
def serving(
    data_dir: Path,
    log: Path,
    *,
    host: str,
    server: str,
    workers: int,
    env: dict[str, str] | None = None,
) -> Iterator[Served]:
    """`levelup serve` bound to `host` with `server` and `workers` workers, access log on."""
    options = ["--host", host, "--workers", str(workers), "--access-log", "--server", server]
    environment = _environment(env or {})
    with levelup_serving(data_dir, *options, env=environment, output=log) as (url, process):
        yield Served(int(url.rsplit(":", 1)[1]), log, process)


@pytest.fixture(scope="module")
def folder(data_dir: Path, tmp_path_factory: pytest.TempPathFactory, registry) -> Path:
    """A writable data directory holding one user indicator (something to try to delete)."""
    target = clone_data_dir(data_dir, tmp_path_factory.mktemp("launch") / "data")
    table = messy_tidy(registry).write(target.parent)
    command = [sys.executable, "-m", "levelup_cli", "add", "--data-dir", str(target), str(table)]
    subprocess.run(
        [*command, "--id", "user-households", "--title", "Households", "--yes", "--quiet"],
        check=True,
        capture_output=True,
        env=_environment({}),
    )
    return target


def _forged(port: int) -> list[dict[str, str]]:
    """Host and Origin headers an attacker may send (every one of them names us somehow)."""
    hosts = [f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", f"0.0.0.0:{port}", ""]
    hosts += ["evil.example"]
    forged = [{"Host": h} for h in hosts]
    forged += [{"Host": h, "Origin": f"http://{h}"} for h in hosts[:4]]
    return forged


def _changes(table: bytes) -> list[tuple[str, str, bytes]]:
    index = json.dumps({"id": "my-index", "title": "Mine"}).encode()
    return [
        ("POST", "/api/uploads?name=t.csv", table),
        ("POST", f"/api/uploads/{FAKE_UPLOAD}/preview", b"{}"),
        ("POST", f"/api/uploads/{FAKE_UPLOAD}/build", b"{}"),
        ("DELETE", f"/api/uploads/{FAKE_UPLOAD}", b""),
        ("DELETE", "/api/indicators/user-households", b""),
        ("POST", "/api/indexes", index),  # user indexes are gated the same way
        ("DELETE", "/api/indexes/prosperity", b""),
    ]


@pytest.mark.slow
@pytest.mark.parametrize(("server", "workers"), SERVERS)
def test_a_public_bind_refuses_every_change_whatever_the_headers(
    folder: Path, tmp_path: Path, registry, server: str, workers: int
) -> None:
    table = messy_tidy(registry).data
    before = snapshot(folder)
    log = tmp_path / "serve.log"
    with serving(folder, log, host="0.0.0.0", server=server, workers=workers) as served:
        for headers in _forged(served.port):
            for method, path, body in _changes(table):
                status, answer = served.call(method, path, body, **GUARD, **headers)
                assert status == 403, (method, path, headers, status, answer)
                message = answer["error"]["message"]
                assert "switched off" in message and "0.0.0.0" in message, message
        for pid_status in served.from_every_worker(
            workers, "DELETE", f"/api/uploads/{FAKE_UPLOAD}", **GUARD
        ):
            assert pid_status[1] == 403, served.answered("DELETE", f"/api/uploads/{FAKE_UPLOAD}")
        catalogue = served.call("GET", "/api/catalogue")[1]
        assert catalogue["uploads"]["enabled"] is False
        assert "user-households" in {i["id"] for i in catalogue["indicators"]}
    assert snapshot(folder) == before  # nothing written, nothing deleted


@pytest.mark.slow
@pytest.mark.parametrize(("server", "workers"), SERVERS)
def test_a_loopback_bind_still_takes_uploads_builds_and_deletes(
    folder: Path, tmp_path: Path, registry, server: str, workers: int
) -> None:
    data = plain(
        "code,year,value", *[f"{c},2022,{i}" for i, (c, _) in enumerate(_districts(registry))]
    ).data
    log = tmp_path / "serve.log"
    with serving(folder, log, host="127.0.0.1", server=server, workers=workers) as served:
        seen = served.from_every_worker(workers, "DELETE", f"/api/uploads/{FAKE_UPLOAD}", **GUARD)
        assert {status for _, status in seen} == {404}  # past the guard on every worker
        before = snapshot(folder)
        for relayed in RELAYED:  # a local reverse proxy passing on someone else's request
            status, answer = served.call("POST", "/api/uploads?name=r", data, **relayed, **GUARD)
            assert status == 403 and "proxy" in answer["error"]["message"], (relayed, answer)
        assert snapshot(folder) == before
        status, created = served.call("POST", "/api/uploads?name=mine.csv", data, **GUARD)
        assert status == 201, created
        form = json.dumps({"title": f"Mine {workers}", "id": f"user-mine-{workers}"}).encode()
        status, built = served.call(
            "POST", f"/api/uploads/{created['upload']}/build", form, **GUARD
        )
        assert status == 201, built
        indicator = built["indicator"]
        assert (folder / "user" / "indicators" / indicator).is_dir()
        status, _ = served.call("DELETE", f"/api/indicators/{indicator}", **GUARD)
        assert status == 204
        assert not (folder / "user" / "indicators" / indicator).exists()


@pytest.mark.slow
@pytest.mark.parametrize(("server", "workers"), SERVERS)
def test_uploads_switched_on_for_a_public_bind_answer_only_the_allowed_hosts(
    folder: Path, tmp_path: Path, registry, server: str, workers: int
) -> None:
    table = messy_tidy(registry).data
    env = {"LEVELUP_UPLOADS": "true", "LEVELUP_PUBLIC_URL": "https://levelup.example.org"}
    before = snapshot(folder)
    log = tmp_path / "serve.log"
    with serving(folder, log, host="0.0.0.0", server=server, workers=workers, env=env) as served:
        for host in ("evil.example", f"0.0.0.0:{served.port}", f"192.0.2.7:{served.port}"):
            for method, path, body in _changes(table):
                status, answer = served.call(method, path, body, **GUARD, Host=host)
                assert status == 403, (host, method, path, answer)
                assert "not accepted for host" in answer["error"]["message"]
        assert snapshot(folder) == before
        named = {"Host": "levelup.example.org", "Origin": "https://levelup.example.org"}
        cross = {"Host": "levelup.example.org", "Origin": "https://evil.example"}
        assert served.call("POST", "/api/uploads?name=t.csv", table, **GUARD, **cross)[0] == 403
        seen = served.from_every_worker(
            workers, "DELETE", f"/api/uploads/{FAKE_UPLOAD}", **GUARD, **named
        )
        assert {status for _, status in seen} == {404}  # past the guard on every worker
        status, created = served.call("POST", "/api/uploads?name=t.csv", table, **GUARD, **named)
        assert status == 201, created
        assert (
            served.call("DELETE", f"/api/uploads/{created['upload']}", **GUARD, **named)[0] == 204
        )


def _districts(registry) -> list[tuple[str, str]]:
    from tests.pipeline.byod.tables import districts

    return districts(registry, 12)


def test_the_workers_get_exactly_the_settings_the_command_resolved(monkeypatch, tmp_path) -> None:
    """One path for 1 or N workers: whatever the worker's own environment says."""
    from levelup.settings import Settings
    from server import launch

    monkeypatch.setenv("LEVELUP_UPLOADS", "true")  # in the environment, overridden below
    monkeypatch.setenv("LEVELUP_PUBLIC_URL", "https://maps.example.org")
    chosen = launch.resolve(
        Settings(data_dir=tmp_path / "d", uploads=None), host="0.0.0.0", port=8123, workers=3
    )
    assert (chosen.host, chosen.port, chosen.workers) == ("0.0.0.0", 8123, 3)
    assert chosen.data_dir.is_absolute()
    monkeypatch.setenv(launch.HANDOVER, chosen.model_dump_json())
    monkeypatch.setenv("LEVELUP_HOST", "127.0.0.1")  # a stale variable a worker might see
    assert launch.settings_from_environment() == chosen  # uploads stay unset: off on 0.0.0.0
    monkeypatch.delenv(launch.HANDOVER)
    fallback = launch.settings_from_environment()  # uvicorn run by hand: the environment's
    assert (fallback.host, fallback.uploads) == ("127.0.0.1", True)
    config = launch.log_config(access_log=True)
    assert config["loggers"]["uvicorn.access"]["level"] == "INFO"
    assert launch.log_config(access_log=False)["loggers"]["uvicorn.access"]["level"] == "WARNING"
    granian = launch.granian_log_config()["formatters"]["access"]["fmt"]
    assert "[%(process)d]" in granian  # the worker that answered, as ACCESS reads it
    assert (launch.bind_address("localhost"), launch.bind_address("::1")) == ("127.0.0.1", "::1")
    with pytest.raises(LevelupError, match="granian binds IP addresses"):
        launch.bind_address("maps.example")
