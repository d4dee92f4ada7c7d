"""`levelup serve`: the tiles, styles, extracts and web map of a data directory."""

from __future__ import annotations

from pathlib import Path

import click

from levelup_cli.common import data_dir_option, fails_cleanly, settings_for


@click.command()
@data_dir_option
@click.option("--host", default=None, help="Address to bind (default 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="Port (default 8000).")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Server worker processes (default 1).",
)
@click.option(
    "--server",
    type=click.Choice(["granian", "uvicorn"]),
    default=None,
    help="HTTP server (default granian).",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the map in a web browser.")
@click.option("--access-log", is_flag=True, help="Log every request.")
@fails_cleanly
def serve(
    data_dir: Path | None,
    host: str | None,
    port: int | None,
    workers: int | None,
    server: str | None,
    open_browser: bool,
    access_log: bool,
) -> None:
    """Serve tiles, styles, extracts and the web map from DATA_DIR."""
    import threading
    import webbrowser

    from server.app import create_app
    from server.launch import check_bind, resolve
    from server.launch import serve as run_server
    from server.uploads import uploads_enabled

    settings = resolve(settings_for(data_dir), host=host, port=port, workers=workers, server=server)
    create_app(settings)  # check the build now: a missing or corrupt store is a clear error
    check_bind(settings)  # and the address: a name granian cannot bind, a port in use
    url = f"http://{settings.host}:{settings.port}/"
    uploads = "on" if uploads_enabled(settings) else "off"
    click.echo(
        f"serving {settings.data_dir} at {url} with {settings.workers} {settings.server} "
        f"worker(s); uploads {uploads}"
    )
    if open_browser:
        threading.Timer(1.5, lambda: webbrowser.open(url)).start()
    run_server(settings, access_log=access_log)
