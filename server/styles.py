"""TileJSON 3.0.0 and MapLibre styles for a tileset (pure functions of its manifest entry).

The style is written for MapLibre and for QGIS 3.22's style converter alike: the fill colour
is one `match` on the integer `class` property with array labels (QGIS turns each into
`"class" IN (k)`; `step`/`interpolate` would be skipped), a default colour for no data, and
plain line outlines. QGIS ignores `sources` and uses its own XYZ URL.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from levelup.settings import Settings
from server.catalog import Tileset
from tiles.entry import HEX_LAYERS

# ColorBrewer YlGnBu (colour-blind safe); the darkest blue is always the better end.
PALETTE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
NO_DATA = "#c8c8c8"
BETTER = {
    "higher": "higher values are better",
    "lower": "lower values are better",
    "neither": "neither higher nor lower is better; darker = higher",
}
OUTLINE = "#ffffff"


def public_base(settings: Settings, request: Request) -> str:
    """Base URL for links in responses: LEVELUP_PUBLIC_URL, else the request's own."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    return f"{request.url.scheme}://{request.url.netloc}{request.scope.get('root_path', '')}"


def tile_url(base: str, tileset: Tileset) -> str:
    """The XYZ template of a tileset."""
    return f"{base}/tiles/{tileset.id}/{{z}}/{{x}}/{{y}}.pbf"


def tilejson(base: str, tileset: Tileset) -> dict[str, Any]:
    """TileJSON 3.0.0 document."""
    return {
        "tilejson": "3.0.0",
        "name": tileset.name,
        "description": tileset.description,
        "version": "1.0.0",
        "attribution": tileset.attribution,
        "scheme": "xyz",
        "tiles": [tile_url(base, tileset)],
        "minzoom": tileset.minzoom,
        "maxzoom": tileset.maxzoom,
        "bounds": list(tileset.bounds),
        "center": [tileset.center[0], tileset.center[1], int(tileset.center[2])],
        "vector_layers": [
            {
                "id": tileset.level,
                "description": f"{tileset.level_label} ({tileset.set_id})",
                "minzoom": tileset.minzoom,
                "maxzoom": tileset.maxzoom,
                "fields": tileset.fields,
            },
            *(
                {**layer, "minzoom": tileset.minzoom, "maxzoom": tileset.maxzoom}
                for layer in (HEX_LAYERS if tileset.geometry else ())
            ),
        ],
    }


def class_colours(classes: int, polarity: str) -> list[str]:
    """Colours for classes 0..n-1 (lowest values first); reversed when lower is better."""
    if classes <= 0:
        return []
    picks = [round(i * (len(PALETTE) - 1) / max(1, classes - 1)) for i in range(classes)]
    colours = [PALETTE[i] for i in picks]
    return colours[::-1] if polarity == "lower" else colours


def _number(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}"


def legend(tileset: Tileset) -> dict[str, Any]:
    """Legend metadata: classes with ranges, labels and colours, plus no data."""
    breaks = list(tileset.breaks)
    colours = class_colours(len(breaks) + 1, tileset.polarity)
    decimals = max(0, tileset.decimals)
    items = []
    for k, colour in enumerate(colours):
        low = breaks[k - 1] if k > 0 else None
        high = breaks[k] if k < len(breaks) else None
        if low is None and high is not None:
            label = f"under {_number(high, decimals)}"
        elif high is None and low is not None:
            label = f"{_number(low, decimals)} and over"
        elif low is not None and high is not None:
            label = f"{_number(low, decimals)} to under {_number(high, decimals)}"
        else:
            label = "all values"
        items.append({"class": k, "min": low, "max": high, "label": label, "color": colour})
    return {
        "title": f"{tileset.title} ({tileset.variant_label})",
        "unit": tileset.unit,
        "period": tileset.period,
        "polarity": tileset.polarity,
        "better": BETTER.get(tileset.polarity, BETTER["neither"]),
        "classes": items,
        "no_data": {"label": "No data", "color": NO_DATA},
    }


def style(base: str, tileset: Tileset) -> dict[str, Any]:
    """A MapLibre style (version 8) colouring the tileset by class."""
    key = legend(tileset)
    match: list[Any] = ["match", ["get", "class"]]
    for item in key["classes"]:
        match += [[item["class"]], item["color"]]
    match.append(NO_DATA)
    fill_color: Any = match if key["classes"] else NO_DATA
    source = {
        "type": "vector",
        "tiles": [tile_url(base, tileset)],
        "minzoom": tileset.minzoom,
        "maxzoom": tileset.maxzoom,
        "bounds": list(tileset.bounds),
        "attribution": tileset.attribution,
    }
    return {
        "version": 8,
        "name": tileset.name,
        "metadata": {"levelup:tileset": tileset.id, "levelup:legend": key},
        "center": [tileset.center[0], tileset.center[1]],
        "zoom": tileset.center[2],
        "sources": {"levelup": source},
        "layers": [
            {
                "id": f"{tileset.level}-fill",
                "type": "fill",
                "source": "levelup",
                "source-layer": tileset.level,
                "paint": {"fill-color": fill_color, "fill-opacity": 1.0},
            },
            {
                "id": f"{tileset.level}-outline",
                "type": "line",
                "source": "levelup",
                "source-layer": tileset.level,
                "paint": {"line-color": OUTLINE, "line-width": 0.6},
            },
            *(hex_layers() if tileset.geometry else []),
        ],
    }


HEX_LABELS_FROM = 6.5  # zoom from which hexes are named (a hex is ~70 px across there)


def hex_layers(source: str = "levelup") -> list[dict[str, Any]]:
    """A hex map's region outlines and labels (the web map draws the same)."""
    return [
        {
            "id": "hex-regions",
            "type": "line",
            "source": source,
            "source-layer": "regions",
            "paint": {"line-color": "#0b0c0c", "line-width": 1.6},
        },
        {
            "id": "hex-labels",
            "type": "symbol",
            "source": source,
            "source-layer": "labels",
            "minzoom": HEX_LABELS_FROM,
            "layout": {
                "text-field": ["get", "name"],
                "text-font": ["Noto Sans"],
                "text-size": 11,
                "text-max-width": 6,
            },
            "paint": {
                "text-color": "#0b0c0c",
                "text-halo-color": "rgba(255,255,255,0.85)",
                "text-halo-width": 1.4,
            },
        },
    ]
