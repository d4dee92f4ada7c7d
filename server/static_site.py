"""The web client and host configuration written into a static export.

The page is the same as the server's, marked with `<meta name="levelup-static">` so the
client reads the exported JSON files instead of calling the API, with every link relative
(the site works from any folder of any host) and, for PMTiles, the `pmtiles` protocol; each
area's profile page sits in areas/{code}/ with its data in api/profiles/{code}.json.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from levelup.errors import StoreError
from server.profile_routes import profile_page
from server.web import CSP, FONT, MAPLIBRE, WEB_DIR

PMTILES = Path("node_modules") / "pmtiles" / "dist" / "pmtiles.js"
MAPLIBRE_FILES = ("maplibre-gl.css", "maplibre-gl-csp.js", "maplibre-gl-csp-worker.js")

NGINX = """\
# nginx: serve this folder as the levelup map (no Python in the request path).
# Include inside a server { } block, with `root` pointing at this folder.
location / {
    try_files $uri $uri/index.html =404;
}
location ~ ^/tiles/[^/]+/[0-9]+/[0-9]+/[0-9]+[.]pbf$ {
    gzip_static always;   # answer /tiles/ID/z/x/y.pbf with the stored y.pbf.gz
    gunzip on;            # and unpack it for the rare client without gzip
    types { application/vnd.mapbox-vector-tile pbf; }
    add_header Access-Control-Allow-Origin * always;
    add_header Cache-Control "public, max-age=3600" always;
    log_not_found off;
    error_page 404 = @empty;
}
location @empty {   # no tile there: 204 (empty) in a known tileset, like the levelup server
    if ($uri ~ ^/tiles/([^/]+)/) { set $tileset $1; }
    if (!-d $document_root/tiles/$tileset) { return 404; }
    add_header Access-Control-Allow-Origin * always;
    return 204;
}
location /tiles/ {
    types { application/json json; }
    add_header Access-Control-Allow-Origin * always;
}
location /styles/ { add_header Access-Control-Allow-Origin * always; }
location /api/ { add_header Access-Control-Allow-Origin * always; }
location /extracts/ {
    types { text/csv csv; application/geo+json geojson; }
    add_header Access-Control-Allow-Origin * always;
}
location /downloads/ {
    types { application/vnd.sqlite3 mbtiles; }
    add_header Access-Control-Allow-Origin * always;
}
"""


def _page(web_dir: Path, mode: str) -> str:
    html = (web_dir / "index.html").read_text(encoding="utf-8")
    for absolute in ('"/favicon.svg"', '"/vendor/', '"/app/'):
        html = html.replace(absolute, '"' + absolute[2:])
    policy = CSP.replace("; frame-ancestors 'none'", "")  # not allowed in a <meta> policy
    meta = (
        f'  <meta name="levelup-static" content="{mode}">\n'
        f'  <meta http-equiv="Content-Security-Policy" content="{policy}">\n'
    )
    scripts = '  <script src="vendor/pmtiles/pmtiles.js"></script>\n' if mode == "pmtiles" else ""
    return html.replace('  <meta charset="utf-8">\n', '  <meta charset="utf-8">\n' + meta).replace(
        '  <script type="module"', scripts + '  <script type="module"'
    )


def profile_html(code: str, name: str, mode: str) -> str:
    """An area's profile page for areas/{code}/index.html: every link relative to the site's
    root two folders up, the static marker and the policy as a <meta>."""
    html = profile_page(code, name, static=mode)
    for absolute in ('"/favicon.svg"', '"/vendor/', '"/app/'):
        html = html.replace(absolute, '"../../' + absolute[2:])
    html = html.replace('href="/"', 'href="../../"')
    policy = CSP.replace("; frame-ancestors 'none'", "")
    meta = f'  <meta http-equiv="Content-Security-Policy" content="{policy}">\n'
    return html.replace('  <meta charset="utf-8">\n', '  <meta charset="utf-8">\n' + meta)


def write_client(root: Path, mode: str, web_dir: Path = WEB_DIR) -> None:
    """Copy the page, its modules and the vendored libraries into the site."""
    vendor = web_dir / MAPLIBRE
    if not vendor.is_dir():
        raise StoreError(f"the web client needs MapLibre GL JS in {vendor}: run `npm ci` in web/")
    (root / "index.html").write_text(_page(web_dir, mode), encoding="utf-8")
    shutil.copyfile(web_dir / "favicon.svg", root / "favicon.svg")
    shutil.copytree(web_dir / "app", root / "app", dirs_exist_ok=True)
    (root / "vendor" / "maplibre-gl").mkdir(parents=True, exist_ok=True)
    for name in MAPLIBRE_FILES:
        shutil.copyfile(vendor / name, root / "vendor" / "maplibre-gl" / name)
    font = web_dir / FONT
    if font.is_dir():  # the label font: its stylesheet and the Latin, Greek and Cyrillic files
        target = root / "vendor" / "noto-sans"
        (target / "files").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(font / "400.css", target / "400.css")
        for file in (font / "files").glob("noto-sans-*-400-normal.woff2"):
            shutil.copyfile(file, target / "files" / file.name)
    if mode == "pmtiles":
        (root / "vendor" / "pmtiles").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(web_dir / PMTILES, root / "vendor" / "pmtiles" / "pmtiles.js")


def write_nginx_conf(root: Path) -> None:
    """A ready nginx snippet for the xyz layout."""
    (root / "nginx-levelup.conf").write_text(NGINX, encoding="utf-8")
