"""Serving a `levelup export --static` folder with nginx (gzip_static), no Python in the path.

The exported tile files of the benchmark tileset are served by Debian's nginx with the
snippet the export writes, and wrk replays the same shuffled URL list used against
`levelup serve`, so the req/s compare directly with the serving benchmark of the same run.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from bench import wrk
from bench.serve_vs_tileserver import TILESET, free_port, wait_until_up
from server.export import Selection, export_site

CONFIG = """\
daemon off;
worker_processes {workers};
{user}
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    default_type application/octet-stream;
    server {{
        listen 127.0.0.1:{port};
        root {site};
        include {site}/nginx-levelup.conf;
    }}
}}
"""


def export(data_dir: Path, work: Path) -> Path:
    """The benchmark tileset's indicator, level and year as a static site."""
    indicator, _, level, year = TILESET.split(".")
    site = work / "static-site"
    export_site(
        data_dir,
        site,
        mode="xyz",
        selection=Selection(only=(indicator,), levels=(level,), years=(int(year), int(year))),
        areas=False,
    )
    os.chmod(work, 0o755)  # nginx workers may run as an unprivileged user
    return site


def nginx(site: Path, work: Path, workers: int, paths: Path, seconds: int) -> wrk.Load:
    """wrk against nginx with `workers` worker processes serving `site`."""
    folder = work / f"nginx-{workers}"
    folder.mkdir(exist_ok=True)
    port = free_port()
    user = "user root;" if os.geteuid() == 0 else ""
    config = folder / "nginx.conf"
    config.write_text(CONFIG.format(workers=workers, user=user, work=folder, port=port, site=site))
    process = subprocess.Popen(
        ["nginx", "-c", str(config), "-p", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/index.html", process)
        return wrk.run(f"http://127.0.0.1:{port}", paths, seconds=seconds)
    finally:
        process.terminate()
        process.wait(timeout=20)


def run(data_dir: Path, work: Path, paths: Path, seconds: int = 20) -> dict[str, Any]:
    """Export, then serve with nginx on 1 and 2 workers."""
    site = export(data_dir, work)
    return {
        "nginx_1_worker": nginx(site, work, 1, paths, seconds).__dict__,
        "nginx_2_workers": nginx(site, work, 2, paths, seconds).__dict__,
    }


def report(r: dict[str, Any], serving: dict[str, Any]) -> str:
    """Printable table: nginx on the export against `levelup serve` with as many workers."""
    lines = [
        "Static export (nginx gzip_static) against levelup serve, same URLs, same run",
        f"{'server':26}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'vs ours':>10}",
    ]
    for name, key, ours in (
        ("nginx, 1 worker", "nginx_1_worker", "levelup_1_worker"),
        ("nginx, 2 workers", "nginx_2_workers", "levelup_2_workers"),
    ):
        m = r[key]
        lines.append(
            f"{name:26}{m['rps']:>10,.0f}{m['p50_ms']:>9.2f}{m['p99_ms']:>9.2f}"
            f"{m['errors']:>8}{m['rps'] / serving[ours]['rps']:>9.2f}x"
        )
    return "\n".join(lines)
