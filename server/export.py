"""`levelup export`: the whole map as static files, served with no Python in the request path.

Two layouts share one site: `xyz` writes every tileset as a `z/x/y.pbf.gz` tree (nginx with
`gzip_static`, or any host that sends the stored gzip), `pmtiles` writes one PMTiles archive
per tileset (any static host or object store with HTTP range requests; the web client reads
it through the `pmtiles` protocol). Everything else — catalogue, tileset descriptions,
TileJSON, styles, CSV and GeoJSON extracts (HexJSON for hex maps), area pages and profiles,
a search index and the web client — is asked of our own application in-process, so the static
site says exactly what the server says. The site is built in a temporary folder and renamed
into place when complete.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from levelup import db
from levelup.errors import LevelupError
from levelup.settings import Settings
from server import queries
from server.inprocess import InProcessClient
from server.static_site import profile_html, write_client, write_nginx_conf
from tiles.context_file import context_file
from tiles.manifest import tileset_files
from tiles.store.pmtiles import export_pmtiles
from tiles.store.xyz import export_xyz, link_or_copy

MODES = ("xyz", "pmtiles")
PLACEHOLDER = "http://levelup.invalid"


MARKER = ".levelup-export"  # names a folder an export wrote, so the next may replace it


@dataclass(frozen=True, slots=True)
class Selection:
    """Which tilesets to export (everything when empty)."""

    only: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    years: tuple[int, int] | None = None

    def wants(self, entry: dict[str, Any]) -> bool:
        """Whether a tileset entry is selected."""
        return (
            (not self.only or entry["indicator"] in self.only)
            and (not self.levels or entry["level"] in self.levels)
            and (not self.years or self.years[0] <= entry["year"] <= self.years[1])
        )


@dataclass(frozen=True, slots=True)
class Exported:
    """What an export wrote."""

    mode: str
    target: Path
    tilesets: int
    tiles: int
    files: int
    bytes: int
    seconds: float


class SiteWriter:
    """Writes JSON and files into the site folder, with every link made relative (or based
    at `base_url`)."""

    def __init__(self, root: Path, base_url: str) -> None:
        self.root = root
        self.base = base_url.rstrip("/") + "/" if base_url else ""
        self.files = 0
        self.bytes = 0

    def rebase(self, text: str, depth: int) -> str:
        """Links from the application pointed at the static site: at the base URL, or
        relative to a file `depth` folders down (0: relative to the page, for the client)."""
        return text.replace(PLACEHOLDER + "/", self.base or "../" * depth)

    def write(self, relative: str, data: bytes | str, *, own_links: bool = False) -> None:
        """Write one file of the site; `own_links` makes its links relative to the file
        itself (TileJSON and styles, read by other programs), not to the page."""
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        depth = relative.count("/") if own_links else 0
        raw = self.rebase(data, depth).encode() if isinstance(data, str) else data
        path.write_bytes(raw)
        self.files += 1
        self.bytes += len(raw)

    def write_json(self, relative: str, value: Any, *, own_links: bool = False) -> None:
        """Write a JSON document."""
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        self.write(relative, text, own_links=own_links)


def _tileset_entries(client: InProcessClient, selection: Selection) -> list[dict[str, Any]]:
    entries = client.json("/api/tilesets")["tilesets"]
    chosen = [e for e in entries if selection.wants(e)]
    if not chosen:
        raise LevelupError("no tilesets match this selection; see 'levelup report'")
    return chosen


def _catalogue(client: InProcessClient, exported: list[dict[str, Any]], mode: str) -> Any:
    """The catalogue, narrowed to the exported tilesets (so the picker offers only those)."""
    catalogue = client.json("/api/catalogue")
    years: dict[tuple[str, str, str], set[int]] = {}
    for entry in exported:
        key = (entry["indicator"], entry["level"], entry.get("geometry") or "map")
        years.setdefault(key, set()).add(entry["year"])
    kept = []
    for indicator in catalogue["indicators"]:
        for level in indicator["levels"]:
            for field, geometry in (("mapped_years", "map"), ("hex_years", "hex")):
                have = years.get((indicator["id"], level["id"], geometry), set())
                level[field] = [y for y in level.get(field, []) if y in have]
        if any(level["mapped_years"] for level in indicator["levels"]):
            kept.append(indicator)
    catalogue["indicators"] = kept
    catalogue["tilesets"] = len(exported)
    catalogue["static"] = mode
    return catalogue


def _context(data_dir: Path, mode: str, site: SiteWriter) -> dict[str, Any] | None:
    """The context tiles as static files (xyz sites; PMTiles sites go without)."""
    found = context_file(data_dir)
    if found is None or mode != "xyz":
        return None
    path, description = found
    tree = export_xyz(path, site.root / "tiles" / "context")
    site.files += tree.files
    site.bytes += tree.bytes
    return {
        "tiles": "tiles/context/{z}/{x}/{y}.pbf",
        "minzoom": description["minzoom"],
        "maxzoom": description["maxzoom"],
        "attribution": description["attribution"],
    }


def _tileset_page(entry: dict[str, Any], mode: str, latest: bool) -> Any:
    """The tileset description, its links pointing at the static files."""
    key = f"{entry['indicator']}.{entry['variant']}.{entry['level']}"
    base = PLACEHOLDER
    return {
        **entry,
        "tiles": entry["tiles"] if mode == "xyz" else None,
        "tilejson": entry["tilejson"] if mode == "xyz" else None,
        "mbtiles": f"{base}/downloads/{entry['id']}.mbtiles" if mode == "xyz" else None,
        "pmtiles": f"{base}/tiles/{entry['id']}.pmtiles" if mode == "pmtiles" else None,
        "gpkg": None,  # made by the server on demand; not part of a static site
        "qlr": None,
        "csv": f"{base}/extracts/{key}.csv",
        "geojson": f"{base}/extracts/{entry['id']}.geojson" if latest else None,
        **(
            {
                "hexes_geojson": f"{base}/extracts/{entry['id']}.geojson" if latest else None,
                "hexjson": f"{base}/extracts/{entry['id']}.hexjson" if latest else None,
            }
            if entry.get("geometry") == "hex"
            else {}
        ),
    }


def _pmtiles_style(style: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """A style whose source is the tileset's PMTiles archive."""
    for source in style["sources"].values():
        source.pop("tiles", None)
        source["url"] = f"pmtiles://{PLACEHOLDER}/tiles/{entry['id']}.pmtiles"
    return style


def _tiles(source: Path, entry: dict[str, Any], mode: str, site: SiteWriter) -> int:
    if mode == "pmtiles":
        target = site.root / "tiles" / f"{entry['id']}.pmtiles"
        target.parent.mkdir(parents=True, exist_ok=True)
        export_pmtiles(source, target)
        site.files += 1
        site.bytes += target.stat().st_size
        return 0
    tree = export_xyz(source, site.root / "tiles" / entry["id"])
    download = site.root / "downloads" / f"{entry['id']}.mbtiles"
    download.parent.mkdir(parents=True, exist_ok=True)
    link_or_copy(source, download)
    site.files += tree.files + 1
    site.bytes += tree.bytes
    return tree.tiles


def _latest(entries: Iterable[dict[str, Any]]) -> set[str]:
    best: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for e in entries:
        key = (e["indicator"], e["variant"], e["level"], e.get("geometry") or "map")
        if key not in best or e["year"] > best[key]["year"]:
            best[key] = e
    return {e["id"] for e in best.values()}


def _areas(data_dir: Path, exported: list[dict[str, Any]]) -> tuple[list[Any], list[Any]]:
    """(code, level) pairs with values in the exported series, and the search index rows."""
    series = {(e["indicator"], e["variant"], e["level"]) for e in exported}
    sets = {e["set_id"] for e in exported}
    connection = db.open_readonly(db.db_path(data_dir))
    try:
        pairs = {
            (code, level)
            for indicator, variant, level, code in connection.execute(queries.VALUED_AREAS)
            if (indicator, variant, level) in series
        }
        index = connection.execute(queries.areas_in_sets(len(sets)), sorted(sets)).fetchall()
    finally:
        connection.close()
    columns = ["code", "name", "level", "set_id", "lon", "lat", "west", "south", "east", "north"]
    seen: set[tuple[str, str]] = set()
    rows = []
    for row in index:
        if (row[0], row[2]) in pairs and (row[0], row[2]) not in seen:
            seen.add((row[0], row[2]))
            rows.append(dict(zip(columns, row, strict=True)))
    return sorted(pairs), rows


def _area_page(page: dict[str, Any], series: set[tuple[str, str, str]]) -> dict[str, Any]:
    """An area's page with the values of the exported series only."""
    page["series"] = [
        s for s in page["series"] if (s["indicator"], s["variant"], s["level"]) in series
    ]
    return page


def _profiles(
    client: InProcessClient, site: SiteWriter, codes: list[str], mode: str, progress: bool
) -> None:
    """Every area's profile page and data, and the profiles its pages link to (parents,
    children, successors, similar areas), so no link on an exported profile leads nowhere."""
    todo, done, seeds = list(reversed(codes)), set(), set(codes)
    bar = tqdm(total=len(codes), desc="profiles", unit="area", disable=not progress)
    while todo:
        code = todo.pop()
        if code in done:
            continue
        done.add(code)
        try:
            text = client.text(f"/api/profiles/{code}")
        except LevelupError:
            if code in seeds:
                raise
            continue  # a linked code with no boundary and no value: its link says so
        profile = json.loads(text)
        site.write(f"api/profiles/{code}.json", text)
        site.write(f"areas/{code}/index.html", profile_html(code, profile["name"], mode))
        linked = [*profile["parents"], *profile["children"], *profile["successors"]]
        linked += profile["similar"]["areas"] if profile["similar"] else []
        todo += [a["code"] for a in linked if a["code"] not in done]
        bar.update()
    bar.close()


def export_site(
    data_dir: Path,
    target: Path,
    *,
    mode: str,
    base_url: str = "",
    selection: Selection | None = None,
    areas: bool = True,
    all_geojson: bool = False,
    progress: bool = False,
) -> Exported:
    """Write the static site for `mode` ("xyz" or "pmtiles") to `target`, replacing it whole."""
    if mode not in MODES:
        raise LevelupError(f"export mode must be one of {', '.join(MODES)}")
    target = check_target(data_dir, target)
    started = time.perf_counter()
    settings = Settings(
        data_dir=data_dir,
        public_url=PLACEHOLDER,
        uploads=False,
        extract_feature_limit=10**7,
        tile_cache_tiles=0,
    )
    client = InProcessClient(settings)
    exported = _tileset_entries(client, selection or Selection())
    target.parent.mkdir(parents=True, exist_ok=True)
    building = target.with_name(f".{target.name}.building")
    shutil.rmtree(building, ignore_errors=True)
    site = SiteWriter(building, base_url)
    tiles = 0
    try:
        latest = {e["id"] for e in exported} if all_geojson else _latest(exported)
        files = tileset_files(data_dir)
        for entry in tqdm(exported, desc="tilesets", unit="ts", disable=not progress):
            tiles += _tiles(files[entry["id"]], entry, mode, site)
            full = client.json(f"/api/tilesets/{entry['id']}")
            page = _tileset_page(full, mode, entry["id"] in latest)
            site.write_json(f"api/tilesets/{entry['id']}.json", page)
            style = client.json(f"/styles/{entry['id']}.json")
            if mode == "pmtiles":
                style = _pmtiles_style(style, entry)
            else:
                tilejson = client.text(f"/tiles/{entry['id']}.json")
                site.write(f"tiles/{entry['id']}.json", tilejson, own_links=True)
            site.write_json(f"styles/{entry['id']}.json", style, own_links=True)
            base = f"/api/indicators/{entry['indicator']}"
            query = f"variant={entry['variant']}&level={entry['level']}"
            if entry["id"] in latest and entry.get("geometry") == "hex":
                year = f"{query}&year={entry['year']}"
                site.write(
                    f"extracts/{entry['id']}.geojson", client.body(f"{base}/hexes.geojson", year)
                )
                site.write(
                    f"extracts/{entry['id']}.hexjson", client.body(f"{base}/data.hexjson", year)
                )
            elif entry["id"] in latest:
                geojson = client.body(f"{base}/data.geojson", f"{query}&year={entry['year']}")
                site.write(f"extracts/{entry['id']}.geojson", geojson)
            csv_name = f"extracts/{entry['indicator']}.{entry['variant']}.{entry['level']}.csv"
            if not (site.root / csv_name).exists():
                site.write(csv_name, client.body(f"{base}/data.csv", query))
        catalogue = _catalogue(client, exported, mode)
        catalogue["context"] = _context(data_dir, mode, site)
        site.write_json("api/catalogue.json", catalogue)
        series = {(e["indicator"], e["variant"], e["level"]) for e in exported}
        pairs, index = _areas(data_dir, exported)
        site.write_json("api/search.json", {"areas": index})
        if areas:
            for code, level in tqdm(pairs, desc="areas", unit="area", disable=not progress):
                page = _area_page(client.json(f"/api/areas/{code}", f"level={level}"), series)
                site.write_json(f"api/areas/{code}.{level}.json", page)
            _profiles(client, site, sorted({c for c, _ in pairs}), mode, progress)
        write_client(building, mode)
        (building / MARKER).write_text(json.dumps({"levelup_export": mode}) + "\n")
        if mode == "xyz":
            write_nginx_conf(building)
        _swap(building, target)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    finally:
        client.close()
    return Exported(
        mode, target, len(exported), tiles, site.files, site.bytes, time.perf_counter() - started
    )


def check_target(data_dir: Path, target: Path) -> Path:
    """The resolved export folder, if replacing it whole loses nothing: it is new, empty or an
    earlier export, and neither holds nor sits inside the data directory."""
    target, data = target.resolve(), data_dir.resolve()
    if data.is_relative_to(target) or target.is_relative_to(data):
        raise LevelupError(
            f"refusing to export to {target}: an export replaces its folder whole, and this "
            f"one {'holds' if data.is_relative_to(target) else 'is inside'} the data "
            f"directory {data}; choose a folder outside it"
        )
    if target.exists() and not target.is_dir():
        raise LevelupError(f"refusing to export to {target}: it is a file, not a folder")
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).is_file():
        raise LevelupError(
            f"refusing to export to {target}: it is not empty and not an earlier levelup "
            "export, and an export replaces its folder whole; choose a new or empty folder"
        )
    return target


def _swap(building: Path, target: Path) -> None:
    """Put the new site in place; the old one (if any) goes only once the new one is there."""
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    building.rename(target)
    shutil.rmtree(old, ignore_errors=True)
