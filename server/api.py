"""JSON endpoints: catalogue, indicators, geographies, tilesets, areas, TileJSON, styles, health."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from levelup.errors import BadRequestError, NotFoundError
from levelup.locking import being_written
from levelup.settings import Settings
from server import params, queries
from server.areas import area_detail
from server.catalog import Catalog, DataStore, Tileset
from server.hexframe import hex_facts
from server.styles import legend, public_base, style, tile_url, tilejson
from server.uploads import uploads_enabled
from tiles.manifest import read_progress


class Api:
    """The JSON endpoints, bound to one data store and the settings."""

    def __init__(self, store: DataStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def base(self, request: Request) -> str:
        """Base URL for links in responses."""
        return public_base(self.settings, request)

    # -- catalogue ---------------------------------------------------------------------------

    async def catalogue(self, request: Request) -> Response:
        """Indicators, themes, geographies and how many tilesets there are."""
        catalog = self.store.current()
        return JSONResponse(
            {
                "built_at": catalog.meta.get("built_at"),
                "themes": catalog.rows(queries.THEMES),
                "indicators": indicator_entries(catalog),
                "levels": level_entries(catalog),
                "tilesets": len(catalog.tilesets),
                "uploads": {
                    "enabled": uploads_enabled(self.settings),
                    "max_mb": self.settings.max_upload_mb,
                },
                "sources": catalog.rows(queries.SOURCES),
                "context": None
                if catalog.context is None
                else {
                    "tiles": "/tiles/context/{z}/{x}/{y}.pbf",
                    "minzoom": catalog.context.minzoom,
                    "maxzoom": catalog.context.maxzoom,
                    "attribution": catalog.context.attribution,
                },
            }
        )

    async def indicators(self, request: Request) -> Response:
        """Every indicator with its variants, levels and years."""
        return JSONResponse({"indicators": indicator_entries(self.store.current())})

    async def indicator(self, request: Request) -> Response:
        """One indicator."""
        entry = find_indicator(self.store.current(), request.path_params["indicator"])
        return JSONResponse(entry)

    async def indicator_areas(self, request: Request) -> Response:
        """Areas with values for an indicator at one level (e.g. the countries of a NUTS series),
        and the extent they cover."""
        params.allowed(request, "variant", "level")
        catalog = self.store.current()
        entry = find_indicator(catalog, request.path_params["indicator"])
        variant = params.choice(
            request, "variant", [v["id"] for v in entry["variants"]], entry["variants"][0]["id"]
        )
        levels = [lv["id"] for lv in entry["levels"]]
        level = params.choice(request, "level", levels, levels[0] if levels else None)
        rows = catalog.rows(
            queries.INDICATOR_AREAS,
            entry["id"],
            variant,
            level,
        )
        extent = catalog.rows(
            queries.INDICATOR_EXTENT,
            *(entry["id"], variant, level) * 2,
        )[0]
        bounds = None if extent["w"] is None else [extent[k] for k in "wsen"]
        return JSONResponse(
            {
                "indicator": entry["id"],
                "variant": variant,
                "level": level,
                "bounds": bounds,
                "areas": rows,
            }
        )

    async def levels(self, request: Request) -> Response:
        """Geography levels and the boundary vintages used for them."""
        return JSONResponse({"levels": level_entries(self.store.current())})

    # -- tilesets ----------------------------------------------------------------------------

    def _links(self, request: Request, tileset: Tileset) -> dict[str, Any]:
        base = self.base(request)
        return {
            "id": tileset.id,
            "indicator": tileset.indicator,
            "variant": tileset.variant,
            "level": tileset.level,
            "year": tileset.year,
            "period": tileset.period,
            "set_id": tileset.set_id,
            "name": tileset.name,
            "minzoom": tileset.minzoom,
            "maxzoom": tileset.maxzoom,
            "tiles": tile_url(base, tileset),
            "version": tileset.digest[:12],  # changes whenever the tiles do (cache busting)
            "tilejson": f"{base}/tiles/{tileset.id}.json",
            "style": f"{base}/styles/{tileset.id}.json",
            "mbtiles": f"{base}/downloads/{tileset.id}.mbtiles",
            "pmtiles": f"{base}/downloads/{tileset.id}.pmtiles",
            "gpkg": f"{base}/downloads/{tileset.id}.gpkg",  # opens styled in QGIS
            "qlr": f"{base}/downloads/{tileset.id}.qlr",  # QGIS layer of the XYZ tiles, styled
            "geometry": tileset.geometry or "map",
            "layout": tileset.layout or None,
            # the same data in the other geometry (map <-> hex cartogram), when built
            "twin": tileset.twin if tileset.twin in self.store.current().tilesets else None,
        }

    async def tilesets(self, request: Request) -> Response:
        """Tilesets, optionally filtered by indicator, variant, level, year and geometry
        (map: real boundaries; hex: hex cartograms)."""
        catalog = self.store.current()
        names = ("indicator", "variant", "level", "year", "geometry")
        params.allowed(request, *names)
        wanted = {k: params.query(request, k) for k in names}
        if wanted["geometry"] == "map":
            wanted["geometry"] = ""
        known = {
            "indicator": {t.indicator for t in catalog.tilesets.values()},
            "variant": {t.variant for t in catalog.tilesets.values()},
            "level": {t.level for t in catalog.tilesets.values()},
            "year": {str(t.year) for t in catalog.tilesets.values()},
            "geometry": {"", "hex"},
        }
        for key, value in wanted.items():
            if value is not None and value not in known[key]:
                raise BadRequestError(
                    f"parameter {key!r}: no tilesets with {key} {params.shown(value)}"
                )
        out = [
            self._links(request, t)
            for t in catalog.tilesets.values()
            if all(v is None or str(getattr(t, k)) == v for k, v in wanted.items())
        ]
        return JSONResponse({"tilesets": sorted(out, key=lambda t: t["id"])})

    async def tileset(self, request: Request) -> Response:
        """One tileset with its links and legend (a hex tileset: its layout, the frame, and
        every area with a value that has no hex)."""
        catalog = self.store.current()
        tileset = catalog.tileset(request.path_params["tileset"])
        return JSONResponse(
            {
                **self._links(request, tileset),
                "legend": legend(tileset),
                "breaks": list(tileset.breaks),
                "unit": tileset.unit,
                "polarity": tileset.polarity,
                "decimals": tileset.decimals,
                "valued": tileset.valued,
                "bounds": list(tileset.bounds),
                "center": list(tileset.center),
                "attribution": tileset.attribution,
                "description": tileset.description,
                "country_breaks": list(tileset.country_breaks),
                **(hex_facts(catalog, tileset, self.base(request)) if tileset.geometry else {}),
            }
        )

    async def tilejson(self, request: Request) -> Response:
        """TileJSON 3.0.0 of a tileset."""
        tileset = self.store.current().tileset(request.path_params["tileset"])
        return JSONResponse(tilejson(self.base(request), tileset))

    async def style(self, request: Request) -> Response:
        """MapLibre style of a tileset (also read by QGIS)."""
        tileset = self.store.current().tileset(request.path_params["tileset"])
        return JSONResponse(style(self.base(request), tileset))

    # -- areas -------------------------------------------------------------------------------

    async def search(self, request: Request) -> Response:
        """Areas whose name contains `q` (names starting with it first), one per code and
        level, with the years its boundaries cover (year_from, year_to): two areas of one name
        (Glasgow City S12000046 until 2018, S12000049 from 2019) are told apart."""
        params.allowed(request, "q", "level", "limit")
        text = params.query(request, "q") or ""
        level = level_param(self.store.current(), request)
        limit = params.integer(request, "limit", 20, 1, 100)
        if len(text) < 2:
            return JSONResponse({"areas": []})
        catalog = self.store.current()
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = catalog.rows(
            queries.AREA_SEARCH,
            pattern[1:],
            pattern,
            pattern[1:],
            level,
            level,
            limit * 4,
        )
        seen: dict[tuple[str, str], dict[str, Any]] = {}
        for row in rows:  # one row per area and level, with the years its boundaries cover
            key = (row["code"], row["level"])
            row.pop("rank")
            if key not in seen:
                seen[key] = row
            else:
                first = seen[key]
                first["year_from"] = min(first["year_from"], row["year_from"])
                first["year_to"] = max(first["year_to"], row["year_to"])
        return JSONResponse({"areas": list(seen.values())[:limit]})

    async def area(self, request: Request) -> Response:
        """An area: name, levels and vintages, code changes, every indicator over time."""
        code = request.path_params["code"]
        if not params.CODE.match(code):
            raise BadRequestError(f"{params.shown(code)} is not an area code")
        params.allowed(request, "level")
        level = level_param(self.store.current(), request)
        return JSONResponse(area_detail(self.store.current(), code, level))

    def _build(self) -> dict[str, Any] | None:
        """The last tile build's progress; `running` only while a build holds the lock (a
        build that crashed or was killed leaves "not finished" behind, but is not running)."""
        build = read_progress(self.store.data_dir / "tiles")
        if build is None:
            return None
        shown = {k: build.get(k) for k in ("planned", "done", "finished")}
        running = not build.get("finished") and being_written(self.store.data_dir)
        return {**shown, "running": running}

    async def health(self, request: Request) -> Response:
        """Liveness, what is being served and how far a running tile build has got."""
        catalog = self.store.current()
        return JSONResponse(
            {
                "status": "ok",
                "built_at": catalog.meta.get("built_at"),
                "tilesets": len(catalog.tilesets),
                "build": self._build(),
            }
        )


def level_param(catalog: Catalog, request: Request) -> str | None:
    """An optional `level` parameter that must name a known level."""
    level = params.query(request, "level")
    if level is None:
        return None
    levels = [r["id"] for r in catalog.rows(queries.LEVEL_IDS)]
    if level not in levels:
        raise BadRequestError(f"parameter 'level' must be one of: {', '.join(levels)}")
    return level


def level_entries(catalog: Catalog) -> list[dict[str, Any]]:
    """Levels in display order, each with the boundary sets (vintages) it uses."""
    sets = defaultdict(list)
    for row in catalog.rows(queries.BOUNDARY_SETS):
        sets[row["level"]].append(row)
    return [
        {**row, "map": bool(row["map"]), "boundary_sets": sets[row["id"]]}
        for row in catalog.rows(queries.LEVELS)
        if sets[row["id"]]
    ]


def indicator_entries(catalog: Catalog) -> list[dict[str, Any]]:
    """Every indicator with variants, and per level the boundary set and years available."""
    cached = getattr(catalog, "_indicator_entries", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    variants = defaultdict(list)
    for row in catalog.rows(queries.VARIANTS):
        variants[row.pop("indicator")].append(row)
    years: dict[tuple[str, str], set[int]] = defaultdict(set)
    mapped: dict[tuple[str, str], set[int]] = defaultdict(set)
    sets: dict[tuple[str, str], str] = {}
    for row in catalog.rows(queries.COVERED_YEARS):
        years[(row["indicator"], row["level"])].add(row["year"])
        sets[(row["indicator"], row["level"])] = row["set_id"]
    hexed: dict[tuple[str, str], set[int]] = defaultdict(set)
    for tileset in catalog.tilesets.values():
        (hexed if tileset.geometry else mapped)[(tileset.indicator, tileset.level)].add(
            tileset.year
        )
    labels = {r["id"]: r for r in catalog.rows(queries.LEVEL_LABELS)}
    out = []
    for row in catalog.rows(queries.INDICATORS):
        levels = [
            {
                "id": level,
                "label": labels[level]["label"],
                "set_id": sets[(row["id"], level)],
                "years": sorted(years[(row["id"], level)]),
                "mapped_years": sorted(mapped[(row["id"], level)]),
                "hex_years": sorted(hexed[(row["id"], level)]),
            }
            for (indicator, level) in sorted(years, key=lambda k: labels[k[1]]["ord"])
            if indicator == row["id"]
        ]
        out.append(
            {
                **{
                    k: row[k]
                    for k in (
                        "id",
                        "title",
                        "description",
                        "theme",
                        "unit",
                        "polarity",
                        "decimals",
                        "source",
                        "licence",
                        "attribution",
                        "subtopic",
                        "polarity_reason",
                        "caveats",
                        "source_url",
                        "metadata_note",
                    )
                },
                "aggregation": {"kind": row["aggregation"], "reason": row["aggregation_reason"]},
                "user_supplied": bool(row["user_supplied"]),
                "variants": variants[row["id"]],
                "levels": levels,
            }
        )
    catalog._indicator_entries = out  # type: ignore[attr-defined]
    return out


def find_indicator(catalog: Catalog, indicator_id: str) -> dict[str, Any]:
    """One indicator entry or NotFoundError."""
    for entry in indicator_entries(catalog):
        if entry["id"] == indicator_id:
            return entry
    raise NotFoundError(f"unknown indicator {indicator_id!r}")
