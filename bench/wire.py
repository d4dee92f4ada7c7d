"""Bytes on the wire and time for the heavy JSON and extract URLs, and tile req/s: this code
against a peer — the same server at another git revision (default `main`) — in the same run.

Both servers read the same build. Each heavy URL is asked as a browser asks (Accept-Encoding
gzip), cold (first request after start) and warm (median of five), then revalidated with its
ETag when it has one. Tiles are replayed with wrk against each server in turn, alternating,
so a busy machine slows both alike.

    python -m bench.wire --data-dir build [--base REV] [--seconds 10] [--rounds 3]

The peer must read the same build: give the revision this branch started from (its merge
base with main) when main has moved on to a newer database schema.
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

from bench import wrk
from bench.serve_vs_tileserver import TILESET, free_port, tile_paths, wait_until_up
from tiles.manifest import tileset_file

URLS = {
    "national district GeoJSON": "/api/indicators/gdp-per-head/data.geojson?level=lad&year=2019",
    "national district CSV": "/api/indicators/gdp-per-head/data.csv?level=lad",
    "/api/tilesets": "/api/tilesets",
}
BROWSER = {"Accept-Encoding": "gzip, deflate, br"}
REPO = Path(__file__).resolve().parents[1]


def checkout(revision: str, work: Path) -> Path:
    """The code of `revision` (git archive, no worktree), unpacked under `work`."""
    target = work / f"code-{revision.replace('/', '-')}"
    if not target.exists():
        archive = subprocess.run(
            ["git", "archive", revision], cwd=REPO, capture_output=True, check=True
        ).stdout
        target.mkdir(parents=True)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(target, filter="data")
    return target


def fetch(port: int, path: str, headers: dict[str, str]) -> dict[str, Any]:
    """One GET on a new connection: status, bytes on the wire (head + body), seconds."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()  # as sent (http.client undoes chunking, never gzip)
    finally:
        connection.close()
    seconds = time.perf_counter() - started
    head = sum(len(k) + len(v) + 4 for k, v in response.getheaders()) + 17
    return {
        "status": response.status,
        "wire": head + len(body),
        "body": len(body),
        "seconds": seconds,
        "etag": response.getheader("etag"),
        "encoding": response.getheader("content-encoding") or "identity",
    }


class Server:
    """`levelup serve` from a code folder (this checkout or a peer's) on the shared build."""

    def __init__(self, code: Path, data_dir: Path, workers: int = 1) -> None:
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEVELUP_")}
        env["PYTHONPATH"] = str(code)
        command = [sys.executable, "-m", "levelup_cli", "serve", "--data-dir", str(data_dir)]
        command += ["--port", str(self.port), "--workers", str(workers)]
        self.process = subprocess.Popen(
            command, cwd=code, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        wait_until_up(f"http://127.0.0.1:{self.port}/healthz", self.process)

    def stop(self) -> None:
        """Stop the server."""
        self.process.terminate()
        self.process.wait(timeout=20)


def heavy(server: Server) -> dict[str, Any]:
    """Per heavy URL: cold and warm wire bytes and times, and a revalidation."""
    out = {}
    for name, path in URLS.items():
        cold = fetch(server.port, path, BROWSER)
        warm = [fetch(server.port, path, BROWSER) for _ in range(5)]
        plain = fetch(server.port, path, {})
        again = (
            fetch(server.port, path, {**BROWSER, "If-None-Match": cold["etag"]})
            if cold["etag"]
            else None
        )
        out[name] = {
            "cold": cold,
            "warm_seconds": statistics.median(w["seconds"] for w in warm),
            "warm_wire": warm[-1]["wire"],
            "identity_body": plain["body"],
            "revalidated": again,
        }
    return out


def run(data_dir: Path, work: Path, base: str = "main", seconds: int = 10, rounds: int = 3) -> dict:
    """Measure this code and `base` on `data_dir`; the figures as a dict."""
    codes = {"ours": REPO, base: checkout(base, work)}
    paths = work / "wire-tiles.txt"
    paths.write_text("\n".join(tile_paths(tileset_file(data_dir, TILESET), f"/tiles/{TILESET}")))
    results: dict[str, Any] = {"base": base, "heavy": {}, "tiles": {k: [] for k in codes}}
    for name, code in codes.items():
        try:
            server = Server(code, data_dir)
        except RuntimeError:
            if name == "ours":
                raise
            results["error"] = f"{base} cannot serve this build (another schema?); not compared"
            return results
        try:
            results["heavy"][name] = heavy(server)
        finally:
            server.stop()
    for _ in range(rounds):
        for name, code in codes.items():
            server = Server(code, data_dir)
            try:
                load = wrk.run(f"http://127.0.0.1:{server.port}", paths, seconds=seconds)
                results["tiles"][name].append(load.__dict__)
            finally:
                server.stop()
    return results


def report(r: dict[str, Any]) -> str:
    """Printable tables with ratios (ours / base)."""
    if "error" in r:
        return (
            f"Wire: {r['error']} (set LEVELUP_BENCH_BASE to the revision this branch started from)"
        )
    base, ours, theirs = r["base"], r["heavy"]["ours"], r["heavy"][r["base"]]
    lines = [
        f"Wire: gzip accepted, this code against {base} (same build, same run)",
        f"{'URL':28}{'':6}{'wire KB':>10}{'cold ms':>9}{'warm ms':>9}{'304 B':>8}",
    ]
    for name in URLS:
        for who, m in (("ours", ours[name]), (base, theirs[name])):
            again = m["revalidated"]
            shown = f"{again['wire']:>8}" if again and again["status"] == 304 else f"{'-':>8}"
            lines.append(
                f"{name if who == 'ours' else '':28}{who:6}{m['cold']['wire'] / 1e3:>10,.0f}"
                f"{m['cold']['seconds'] * 1e3:>9,.0f}{m['warm_seconds'] * 1e3:>9,.1f}{shown}"
            )
        lines.append(
            f"{'':28}{'ratio':6}{ours[name]['cold']['wire'] / theirs[name]['cold']['wire']:>9.2f}x"
            f"{ours[name]['cold']['seconds'] / theirs[name]['cold']['seconds']:>8.2f}x"
            f"{ours[name]['warm_seconds'] / theirs[name]['warm_seconds']:>8.2f}x"
        )
    rps = {k: statistics.median(x["rps"] for x in v) for k, v in r["tiles"].items()}
    p99 = {k: statistics.median(x["p99_ms"] for x in v) for k, v in r["tiles"].items()}
    errors = {k: sum(x["errors"] for x in v) for k, v in r["tiles"].items()}
    lines.append(
        f"Tiles ({TILESET}, wrk 2 threads, 50 connections, 1 worker, median of "
        f"{len(r['tiles']['ours'])} alternating runs): ours {rps['ours']:,.0f} req/s "
        f"(p99 {p99['ours']:.1f} ms, {errors['ours']} errors), {base} {rps[base]:,.0f} req/s "
        f"(p99 {p99[base]:.1f} ms, {errors[base]} errors): {rps['ours'] / rps[base]:.2f}x"
    )
    return "\n".join(lines)


def main() -> None:
    """Run from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("build"))
    parser.add_argument("--base", default=os.environ.get("LEVELUP_BENCH_BASE", "main"))
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    import json
    import tempfile

    with tempfile.TemporaryDirectory(prefix="levelup-wire-") as tmp:
        result = run(args.data_dir.resolve(), Path(tmp), args.base, args.seconds, args.rounds)
    print(report(result))
    out = Path(__file__).parent / "results" / "wire.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
