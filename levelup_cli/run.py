"""`levelup run`: build the data, show the first map within minutes, build the rest while
the map is already served (the README's main command)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import click

from levelup_cli.common import data_dir_option, fails_cleanly, settings_for

# The web map opens on this indicator: its latest year, every measure and level, comes first.
FIRST_INDICATOR = "gdp-per-head"
FLUSH_SECONDS = 5.0
PR_SET_PDEATHSIG = 1  # prctl(2)


def _levelup(*arguments: str) -> None:
    """Run a `levelup` command in its own process (its memory goes back when it ends, so the
    serving process stays small); exit with its status when it fails (it said why)."""
    done = subprocess.run([sys.executable, "-m", "levelup_cli", *arguments], check=False)
    if done.returncode != 0:
        raise SystemExit(done.returncode)


def _first_tilesets(data_dir: Path, workers: int | None) -> None:
    from levelup import db

    connection = db.open_readonly(db.db_path(data_dir))
    try:
        row = connection.execute(
            "SELECT max(year) FROM coverage WHERE indicator = ? AND mapped = 1",
            (FIRST_INDICATOR,),
        ).fetchone()
    finally:
        connection.close()
    if row is None or row[0] is None:
        return
    year = str(row[0])
    options = ["--workers", str(workers)] if workers else []
    _levelup("build", "--data-dir", str(data_dir), "--only", FIRST_INDICATOR,
             "--years", f"{year}-{year}", *options)  # fmt: skip
    click.echo(f"first map: {FIRST_INDICATOR}, {year}, ready")


def _background_build(data_dir: Path, workers: int | None) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "levelup_cli",
        "build",
        "--data-dir",
        str(data_dir),
        "--flush-every",
        str(FLUSH_SECONDS),
        "--first",
        FIRST_INDICATOR,
    ]
    if workers:
        command += ["--workers", str(workers)]
    # its own process group (stopping it stops its workers too), and it dies with this
    # process however that ends (with --server uvicorn, uvicorn re-raises SIGTERM after a
    # graceful shutdown, which skips any `finally`; granian returns and the `finally` runs)
    return subprocess.Popen(command, start_new_session=True, preexec_fn=_die_with_parent)


def _die_with_parent() -> None:
    """In the child, before it runs: ask Linux for SIGTERM when the parent process ends."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@click.command()
@data_dir_option
@click.option("--host", default=None, help="Address to bind (default 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="Port (default 8000).")
@click.option("--open", "open_browser", is_flag=True, help="Open the map in a web browser.")
@click.option(
    "--build-workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes building tilesets (default: CPU count, at most 4).",
)
@click.pass_context
@fails_cleanly
def run(
    ctx: click.Context,
    data_dir: Path | None,
    host: str | None,
    port: int | None,
    open_browser: bool,
    build_workers: int | None,
) -> None:
    """Build DATA_DIR, serve the map as soon as its first view is ready, and build every
    other tileset in the background (each appears on the map as it is written)."""
    from levelup_cli.serve import serve

    settings = settings_for(data_dir)
    _levelup("build", "--data-only", "--data-dir", str(settings.data_dir))
    _first_tilesets(settings.data_dir, build_workers)
    builder = _background_build(settings.data_dir, build_workers)
    click.echo("building every other tileset in the background (latest years first) ...")
    try:
        ctx.invoke(
            serve, data_dir=settings.data_dir, host=host, port=port, open_browser=open_browser
        )
    finally:
        if builder.poll() is None:  # stopping the server stops the build; a rerun resumes it
            os.killpg(builder.pid, signal.SIGTERM)
            builder.wait(timeout=30)
