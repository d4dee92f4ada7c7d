"""Shared fixtures: the shipped registry and catalogue, and one real data build per session."""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import traceback
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.types import ASGIApp

from boundaries.changes import CodeChanges, default_changes
from boundaries.registry import Registry, default_registry
from levelup.db import db_path
from pipeline.build import DataBuild, build_data
from pipeline.catalogue import Catalogue, default_catalogue, shipped_catalogue
from tiles.build import TileBuild, build_tiles
from tiles.entry import TilesetEntry
from tiles.manifest import MANIFEST, read_manifest, write_manifest

# The catalogue most tests run on: these shipped indicators, every measure, level and year,
# joined like the whole catalogue. Every command the tests run (in this process or another)
# sees only these, through LEVELUP_INDICATORS. Tests about the whole catalogue use
# `full_data_build`, built once per session only when one of them runs.
TEST_CATALOGUE = [
    "population",
    "gdp-per-head",
    "gdhi-per-head",
    "claimant-count",
    "employment-rate",
    "median-weekly-pay",
    "healthy-life-expectancy",
    "wellbeing",
    "housing-affordability",
    "level3-qualifications",
    "business-rd",
    "active-businesses",  # district codes of 2018-2023: every district vintage is in the build
    "eu-gdp-per-head",
    "eu-gdp",
    "eu-gdp-per-head-2017",
    "eu-gdp-2017",
]
os.environ["LEVELUP_INDICATORS"] = ",".join(TEST_CATALOGUE)

# Tilesets every server, QGIS and browser test can rely on (all years, a few levels).
TEST_INDICATORS = ["gdp-per-head", "claimant-count", "eu-gdp-per-head"]
TEST_LEVELS = ["lad", "rgn", "nuts2"]


@pytest.fixture(scope="session")
def registry() -> Registry:
    return default_registry()


@pytest.fixture(scope="session")
def changes() -> CodeChanges:
    return default_changes()


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    """Every shipped indicator (tests about the catalogue itself)."""
    return shipped_catalogue()


def _build_test_data(folder: str) -> tuple[DataBuild, TileBuild]:
    """The test catalogue's data, its test tilesets and the context tiles, in `folder`."""
    from tiles.context import build_context

    data = build_data(Path(folder), force=True)
    tiles = build_tiles(data.path.parent, only=TEST_INDICATORS, levels=TEST_LEVELS)
    build_context(data.path.parent)
    return data, tiles


def _build_full_data(folder: str) -> DataBuild:
    """The whole shipped catalogue's data, in `folder`."""
    return build_data(Path(folder), force=True, catalogue=shipped_catalogue())


def _run_in_child(job: Callable[[str], Any], folder: str, sender: Connection) -> None:
    """Run `job(folder)` in a process group of its own, warnings as errors (as pytest has
    them), and send back ("ok", result) or ("error", its traceback)."""
    os.setsid()  # stop() ends the group: this process and any workers its build starts
    warnings.simplefilter("error")
    try:
        sender.send(("ok", job(folder)))
    except BaseException:
        sender.send(("error", traceback.format_exc()))


class BackgroundBuild:
    """A build running in its own (spawned) process; `result()` waits for it."""

    def __init__(self, job: Callable[[str], Any], folder: str) -> None:
        context = multiprocessing.get_context("spawn")  # none of this process's threads
        self._receiver, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=_run_in_child, args=(job, folder, sender))
        self._process.start()
        sender.close()
        self._outcome: tuple[str, Any] | None = None

    def result(self) -> Any:
        """The job's result, or a RuntimeError carrying the child's traceback."""
        if self._outcome is None:
            try:
                self._outcome = self._receiver.recv()
            except EOFError:
                self._outcome = ("error", f"exited with {self._process.exitcode} and no result")
            self._process.join()
        kind, value = self._outcome
        if kind == "error":
            raise RuntimeError(f"the session build failed:\n{value}")
        return value

    def stop(self) -> None:
        """End the process and its workers (still building only when the session was cut
        short)."""
        if self._process.is_alive() and self._process.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGTERM)
        self._process.join()
        self._receiver.close()


# name: (the job, the fixture that reads it, the folder it builds in)
SESSION_BUILDS: dict[str, tuple[Callable[[str], Any], str, str]] = {
    "test": (_build_test_data, "data_build", "build"),
    "full": (_build_full_data, "full_data_build", "full"),
}


@pytest.fixture(scope="session", autouse=True)
def session_builds(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, BackgroundBuild]]:
    """The session's shared builds, started in their own processes as the session starts and
    only when a selected test needs them: the first tests (which need neither) and the two
    builds run side by side. `data_build` and `tile_build` wait for the test catalogue's
    whole build (data, tilesets, context tiles), `full_data_build` for the whole catalogue's
    data."""
    wanted: set[str] = set()
    for item in request.session.items:
        wanted.update(getattr(item, "fixturenames", ()))
    builds = {
        name: BackgroundBuild(job, str(tmp_path_factory.mktemp(folder)))
        for name, (job, fixture, folder) in SESSION_BUILDS.items()
        if fixture in wanted
    }
    try:
        yield builds
    finally:
        for build in builds.values():
            build.stop()


def _built(builds: dict[str, BackgroundBuild], name: str, tmp: pytest.TempPathFactory) -> Any:
    """A session build's result, waiting for its process (started now if a fixture was asked
    for in a way the session could not see coming)."""
    if name not in builds:
        job, _, folder = SESSION_BUILDS[name]
        builds[name] = BackgroundBuild(job, str(tmp.mktemp(folder)))
    return builds[name].result()


@pytest.fixture(scope="session")
def data_build(
    session_builds: dict[str, BackgroundBuild], tmp_path_factory: pytest.TempPathFactory
) -> DataBuild:
    """The test catalogue's data, built once for the whole test session."""
    built: tuple[DataBuild, TileBuild] = _built(session_builds, "test", tmp_path_factory)
    return built[0]


@pytest.fixture(scope="session")
def full_data_build(
    session_builds: dict[str, BackgroundBuild], tmp_path_factory: pytest.TempPathFactory
) -> DataBuild:
    """The whole shipped catalogue's data, built once (for the tests about all of it)."""
    built: DataBuild = _built(session_builds, "full", tmp_path_factory)
    return built


@pytest.fixture(scope="session")
def tile_build(
    data_build: DataBuild,
    session_builds: dict[str, BackgroundBuild],
    tmp_path_factory: pytest.TempPathFactory,
) -> TileBuild:
    """Tilesets of a few indicators for every year at a few levels, and the context tiles
    (land, borders, place names), built once per session with `data_build`."""
    built: tuple[DataBuild, TileBuild] = _built(session_builds, "test", tmp_path_factory)
    return built[1]


@pytest.fixture(scope="session")
def data_dir(tile_build: TileBuild) -> Path:
    """A data directory holding joined data, tiles and the context tiles."""
    return tile_build.manifest.parent.parent


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running_server(app: ASGIApp) -> Iterator[str]:
    """Serve `app` with uvicorn on 127.0.0.1 in a thread; yield its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextlib.contextmanager
def levelup_serving(
    data_dir: Path,
    *options: str,
    env: dict[str, str] | None = None,
    output: Path | None = None,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`levelup serve` (granian unless `options` say otherwise) on a free port of 127.0.0.1
    in its own process, its output to `output` (or nowhere); yield its base URL and process
    once /healthz answers."""
    port = free_port()
    command = [sys.executable, "-m", "levelup_cli", "serve", "--data-dir", str(data_dir)]
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(output.open("wb")) if output else subprocess.DEVNULL
        process = subprocess.Popen(
            [*command, "--port", str(port), *options],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=os.environ if env is None else env,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/healthz") as up:
                if up.status == 200:
                    break
            said = output.read_text()[-3000:] if output else ""
            assert process.poll() is None, f"levelup serve ended: {said}"
            assert time.monotonic() < deadline, f"levelup serve did not start: {said}"
            time.sleep(0.2)
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="session")
def live_server(data_dir: Path) -> Iterator[str]:
    """The app served over HTTP (uvicorn in a thread; `levelup serve` runs granian, tested in
    tests/server/test_launch.py) on the session's data directory; yields its base URL."""
    from levelup.settings import Settings
    from server.app import create_app

    with running_server(create_app(Settings(data_dir=data_dir))) as url:
        yield url


@pytest.fixture
def whole_catalogue(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Commands in this test see every shipped indicator (not the test catalogue)."""
    monkeypatch.delenv("LEVELUP_INDICATORS")
    default_catalogue.cache_clear()
    yield
    monkeypatch.undo()
    default_catalogue.cache_clear()


@pytest.fixture(scope="session")
def full_data_dir(full_data_build: DataBuild) -> Path:
    """The whole catalogue's data (with the prosperity index, similar areas and area types)
    and the opening map's district tiles for 2019."""
    folder = full_data_build.path.parent
    build_tiles(folder, only=["gdp-per-head"], levels=["lad"], years=(2019, 2019))
    return folder


@pytest.fixture(scope="session")
def full_live_server(full_data_dir: Path) -> Iterator[str]:
    """The real server on the whole catalogue's data directory."""
    from levelup.settings import Settings
    from server.app import create_app

    with running_server(create_app(Settings(data_dir=full_data_dir))) as url:
        yield url


def clone_data_dir(source: Path, target: Path) -> Path:
    """A writable copy of a built data directory: the database copied, tiles and caches
    hard-linked (every writer replaces files by renaming, so the originals stay intact)."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source / "levelup.db", target / "levelup.db")
    for folder in ("tiles", "cache"):
        if (source / folder).is_dir():
            shutil.copytree(source / folder, target / folder, copy_function=os.link)
    return target


def publish_manifest(data_dir: Path, entries: dict[str, TilesetEntry] | None = None) -> None:
    """Write the manifest anew (these entries, or the ones it lists) as a build does: a new
    file renamed into place (the old one may be a hard link shared with other tests' copies,
    whose dates must not move), dated 5 s after both it and the database, so a catalogue
    loaded from now on is a newer build."""
    manifest = data_dir / "tiles" / MANIFEST
    newest = max(manifest.stat().st_mtime_ns, db_path(data_dir).stat().st_mtime_ns)
    write_manifest(manifest, read_manifest(manifest) if entries is None else entries)
    later = newest + 5_000_000_000
    os.utime(manifest, ns=(later, later))


@pytest.fixture
def own_data_dir(data_dir: Path, tmp_path: Path) -> Path:
    """A data directory a test may change (adding and removing user indicators)."""
    return clone_data_dir(data_dir, tmp_path / "data")


def write_catalogue(root: Path, files: dict[str, str], indicators: str) -> Path:
    """Write a tiny catalogue (TOML + data files + sources.toml) under `root`; return the TOML."""
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    entries = []
    for name, text in files.items():
        path = data / name
        path.write_text(text, encoding="utf-8")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        entries.append(
            f'[[file]]\npath = "{name}"\ntitle = "t"\npublisher = "Test publisher"\n'
            f'licence = "OGL-3"\nattribution = "ons"\norigin = "tests"\nsha256 = "{digest}"\n'
        )
    (data / "sources.toml").write_text(
        '[licences.OGL-3]\ntitle = "Open Government Licence v3.0"\nurl = "https://x"\n'
        '[attributions]\nons = "Source: Office for National Statistics"\n\n' + "\n".join(entries),
        encoding="utf-8",
    )
    toml = root / "indicators.toml"
    toml.write_text('[themes]\neconomy = "Economy"\n\n' + textwrap.dedent(indicators), "utf-8")
    return toml
