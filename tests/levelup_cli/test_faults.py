"""Kill `levelup build` at random points: what was served stays complete, a rerun finishes."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from levelup.settings import Settings
from server.app import create_app
from tests.conftest import clone_data_dir
from tests.fingerprints import tile_fingerprints

SEEDS = [7, 19, 42]
INDICATOR = "claimant-count"


def _build(data_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    """`levelup build` redoing the join and one indicator's tilesets, in its own session."""
    command = [sys.executable, "-m", "levelup_cli", "build", "--data-dir", str(data_dir)]
    command += ["--only", INDICATOR, "--force", "--force-data", "--workers", "2", "-q"]
    with open(log, "wb") as output:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


def _kill_after(process: subprocess.Popen[bytes], seconds: float) -> bool:
    """SIGKILL the build and every worker it started after `seconds`; False if it finished."""
    try:
        process.wait(timeout=seconds)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return True


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
    killed = 0
    for seed in SEEDS:
        delay = random.Random(seed).uniform(0.5, 40.0)
        started = time.monotonic()
        process = _build(own, log := tmp_path / f"build-{seed}.log")
        killed += _kill_after(process, delay)
        before_kill = time.monotonic() - started
        assert process.returncode in (0, -signal.SIGKILL), log.read_text()
        files = _assert_served_complete(own)
        assert files.keys() >= reference.keys(), f"seed {seed}, killed after {before_kill:.1f}s"
    assert killed >= 2  # most seeds really cut a build short

    rerun = _build(own, log := tmp_path / "rerun.log")
    assert rerun.wait(timeout=600) == 0, log.read_text()
    files = _assert_served_complete(own)
    leftovers = [p.name for p in (own / "tiles").iterdir() if p.name not in files.values()]
    # no temporary or orphaned tileset files; the progress file says the build finished
    assert sorted(leftovers) == ["manifest.json", "progress.json"]
    assert json.loads((own / "tiles" / "progress.json").read_text())["finished"] is True
    assert not list(own.glob(".levelup.db.*"))
    after = tile_fingerprints(own)
    assert {k: after[k] for k in reference} == reference  # the rerun rebuilt the same tiles
