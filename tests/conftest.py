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
from pipeline.build import DataBuild, build_data
from pipeline.catalogue import Catalogue, default_catalogue
from tiles.build import TileBuild, build_tiles

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
    return default_catalogue()


@pytest.fixture(scope="session")
def data_build(tmp_path_factory: pytest.TempPathFactory) -> DataBuild:
    """The full shipped data, built once for the whole test session."""
    return build_data(tmp_path_factory.mktemp("build"), force=True)


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


def clone_data_dir(source: Path, target: Path) -> Path:
    """A writable copy of a built data directory: the database copied, tiles and caches
    hard-linked (every writer replaces files by renaming, so the originals stay intact)."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source / "levelup.db", target / "levelup.db")
    for folder in ("tiles", "cache"):
        if (source / folder).is_dir():
            shutil.copytree(source / folder, target / folder, copy_function=os.link)
    return target


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
