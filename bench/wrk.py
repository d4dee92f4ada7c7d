"""Drive wrk with a list of URL paths and parse what it prints."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("paths.lua")
STATUS_SCRIPT = Path(__file__).with_name("paths_statuses.lua")
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


@dataclass(frozen=True)
class Load:
    """One wrk run: throughput, latency percentiles (ms) and errors."""

    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    breakdown: str = ""
    max_ms: float = 0.0


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"unexpected latency {text!r}")
    return float(match[1]) * UNITS[match[2]]


def parse(output: str) -> Load:
    """Parse `wrk --latency` output."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])  # type: ignore[index]
    requests = int(re.search(r"(\d+) requests in", output)[1])  # type: ignore[index]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", output)[1])  # type: ignore[index]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", output)[1])  # type: ignore[index]
    errors, kinds = 0, []
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(match[1])
        kinds.append(match[0])
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        errors += sum(int(g) for g in match.groups())
        kinds.append(match[0])
    if match := re.search(r"Statuses: .*", output):
        kinds.append(match[0])
    slowest = _ms(re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", output)[1])  # type: ignore[index]
    return Load(requests, rps, p50, p99, errors, "; ".join(kinds), slowest)


def run(
    base_url: str,
    paths_file: Path,
    *,
    seconds: int = 20,
    connections: int = 50,
    threads: int = 2,
    count_statuses: bool = False,
) -> Load:
    """Run wrk against `base_url`, cycling through the paths in `paths_file`.

    With `count_statuses` wrk also tallies every response's status (a little slower).
    """
    output = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "-s",
            str(STATUS_SCRIPT if count_statuses else SCRIPT),
            "--latency",
            base_url,
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PATHS_FILE": str(paths_file), "PATHS_SCRIPT": str(SCRIPT)},
    ).stdout
    return parse(output)
