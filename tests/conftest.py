"""Shared fixtures: the shipped registry and catalogue, and one real data build per session."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import socket
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

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


@pytest.fixture(scope="session")
def data_build(tmp_path_factory: pytest.TempPathFactory) -> DataBuild:
    """The test catalogue's data, built once for the whole test session."""
    return build_data(tmp_path_factory.mktemp("build"), force=True)


@pytest.fixture(scope="session")
def full_data_build(tmp_path_factory: pytest.TempPathFactory) -> DataBuild:
    """The whole shipped catalogue's data, built once (for the tests about all of it)."""
    return build_data(tmp_path_factory.mktemp("full"), force=True, catalogue=shipped_catalogue())


@pytest.fixture(scope="session")
def tile_build(data_build: DataBuild) -> TileBuild:
    """Tilesets of a few indicators for every year at a few levels, and the context tiles
    (land, borders, place names), built once per session."""
    from tiles.context import build_context

    built = build_tiles(data_build.path.parent, only=TEST_INDICATORS, levels=TEST_LEVELS)
    build_context(data_build.path.parent)
    return built


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


@pytest.fixture(scope="session")
def live_server(data_dir: Path) -> Iterator[str]:
    """The real server (uvicorn) on the session's data directory; yields its base URL."""
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
