"""`levelup run` (the README's main command): the data and the opening map are built in their
own processes, the map is served, the rest builds in the background and stops with it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port


def _get(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return bytes(response.read())
    except OSError:
        return None


def _builders(data_dir: Path) -> list[int]:
    """Processes building tiles in the background for `data_dir`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--first" in command and str(data_dir).encode() in command:
            found.append(int(entry.name))
    return found


@pytest.mark.slow
def test_run_serves_the_first_map_and_stops_the_build_with_the_server(
    own_data_dir: Path,
) -> None:
    port = free_port()
    command = [sys.executable, "-m", "levelup_cli", "run", "--data-dir", str(own_data_dir)]
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while _get(f"{base}/healthz") is None:
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
            assert time.monotonic() < deadline, "levelup run did not serve"
            time.sleep(0.5)
        catalogue = json.loads(_get(f"{base}/api/catalogue") or b"{}")
        gdp = next(i for i in catalogue["indicators"] if i["id"] == "gdp-per-head")
        lad = next(level for level in gdp["levels"] if level["id"] == "lad")
        tileset = f"gdp-per-head.{gdp['variants'][0]['id']}.lad.{lad['mapped_years'][-1]}"
        assert _get(f"{base}/tiles/{tileset}/0/0/0.pbf")  # the opening map is served
        health = json.loads(_get(f"{base}/healthz") or b"{}")
        assert health["build"] is not None and health["build"]["planned"] > 0
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        output = process.communicate(timeout=60)[0].decode()
    assert "first map: gdp-per-head" in output, output
    deadline = time.monotonic() + 30
    while _builders(own_data_dir) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not _builders(own_data_dir)  # stopping the server stopped the background build
