"""Kill `levelup build` at random points of its two phases, while it writes the new database
and while it writes tilesets: what was served stays complete, and a rerun finishes."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from levelup.settings import Settings
from server.app import create_app
from tests.conftest import clone_data_dir
from tests.fingerprints import tile_fingerprints
from tiles.manifest import read_progress

SEED = 20261130
INDICATOR = "claimant-count"


def _build(data_dir: Path, log: Path, *, data: bool) -> subprocess.Popen[bytes]:
    """`levelup build` redoing one indicator's tilesets (and, with `data`, the join), in its
    own session; the manifest and progress are rewritten every half second."""
    command = [sys.executable, "-m", "levelup_cli", "build", "--data-dir", str(data_dir)]
    command += ["--only", INDICATOR, "--force", "--workers", "2", "-q", "--flush-every", "0.5"]
    command += ["--force-data"] if data else []
    with open(log, "wb") as output:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


def _wait_for(seen: Callable[[], bool], process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until `seen()` holds while the build still runs (it must not finish first)."""
    deadline = time.monotonic() + 600
    while not seen():
        assert process.poll() is None, f"the build ended first: {log.read_text()}"
        assert time.monotonic() < deadline, "the build never got there"
        time.sleep(0.02)


def _assert_served_complete(data_dir: Path) -> dict[str, str]:
    """The server starts on `data_dir` and every tileset in the manifest answers."""
    manifest = json.loads((data_dir / "tiles" / "manifest.json").read_text(encoding="utf-8"))
    files = {e["id"]: e["file"] for e in manifest["tilesets"]}
    assert all((data_dir / "tiles" / f).is_file() for f in files.values())
    with TestClient(create_app(Settings(data_dir=data_dir))) as client:
        catalogue = client.get("/api/catalogue")
        assert catalogue.status_code == 200
        for tileset_id, entry in zip(files, manifest["tilesets"], strict=True):
            tilejson = client.get(f"/tiles/{tileset_id}.json")
            assert tilejson.status_code == 200, tilejson.text
            z = entry["minzoom"]
            tile = client.get(f"/tiles/{tileset_id}/{z}/0/0.pbf")
            assert tile.status_code in (200, 204), tile.text
        extract = client.get(f"/api/indicators/{INDICATOR}/data.csv?level=lad")
        assert extract.status_code == 200, extract.text
        assert extract.text.count("\n") > 300  # every district, read from the database
    return files


@pytest.mark.slow
def test_killed_builds_leave_the_previous_build_served(data_dir: Path, tmp_path: Path) -> None:
    own = clone_data_dir(data_dir, tmp_path / "data")
    reference = tile_fingerprints(own)
    rng = random.Random(SEED)

    # 1. while the new database is being written (its temporary file is there)
    process = _build(own, log := tmp_path / "build-data.log", data=True)
    _wait_for(lambda: any(own.glob(".levelup.db.*")), process, log)
    time.sleep(rng.uniform(0.0, 1.0))
    os.killpg(process.pid, signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL, log.read_text()
    files = _assert_served_complete(own)
    assert files.keys() >= reference.keys()

    # 2. twice while tilesets are being written, after a random number of them
    for attempt in range(2):
        started = time.time()
        process = _build(own, log := tmp_path / f"build-tiles-{attempt}.log", data=False)

        def written(since: float = started, least: int = rng.randint(1, 20)) -> bool:
            progress = read_progress(own / "tiles") or {}
            return progress.get("started", 0) >= since - 1 and progress["done"] >= least

        _wait_for(written, process, log)
        os.killpg(process.pid, signal.SIGKILL)
        assert process.wait() == -signal.SIGKILL, log.read_text()
        files = _assert_served_complete(own)
        assert files.keys() >= reference.keys(), f"attempt {attempt}"

    rerun = _build(own, log := tmp_path / "rerun.log", data=False)
    assert rerun.wait(timeout=600) == 0, log.read_text()
    files = _assert_served_complete(own)
    leftovers = [p.name for p in (own / "tiles").iterdir() if p.name not in files.values()]
    # no temporary or orphaned tileset files; the progress file says the build finished
    assert sorted(leftovers) == ["manifest.json", "progress.json"]
    assert json.loads((own / "tiles" / "progress.json").read_text())["finished"] is True
    assert not list(own.glob(".levelup.db.*"))
    after = tile_fingerprints(own)
    assert {k: after[k] for k in reference} == reference  # the rerun rebuilt the same tiles
