"""QGIS documents for a tileset's choropleth (pure functions of its manifest entry).

- `qml()`: a QGIS style (QML) for the GeoPackage extract: a categorized renderer on the
  integer `class` field, one fill per legend class (the colours and labels of the web map and
  the MapLibre style) and "No data" for areas without a value.
- `qlr()`: a QGIS layer definition (.qlr) of the XYZ vector tile source, with the tileset's
  zoom range, extent and a basic vector tile renderer holding the same classes, so the layer
  opens styled with no further step (QGIS 3.22 reads no style from MBTiles or TileJSON).

Both use only elements QGIS 3.22 reads and writes itself for these layers.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from urllib.parse import quote

from server.catalog import Tileset
from server.styles import NO_DATA, OUTLINE, legend, tile_url

QGIS_VERSION = "3.22.0"
EARTH = 6378137.0
POLYGON = "2"  # QgsWkbTypes::PolygonGeometry


def _rgba(colour: str) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"{red},{green},{blue},255"


def _fill(parent: ET.Element, name: str, colour: str) -> None:
    symbol = ET.SubElement(
        parent,
        "symbol",
        {"type": "fill", "name": name, "alpha": "1", "clip_to_extent": "1", "force_rhr": "0"},
    )
    layer = ET.SubElement(
        symbol, "layer", {"class": "SimpleFill", "enabled": "1", "locked": "0", "pass": "0"}
    )
    options = ET.SubElement(layer, "Option", {"type": "Map"})
    for key, value in (
        ("color", _rgba(colour)),
        ("style", "solid"),
        ("outline_color", _rgba(OUTLINE)),
        ("outline_style", "solid"),
        ("outline_width", "0.1"),
        ("outline_width_unit", "MM"),
        ("joinstyle", "bevel"),
    ):
        ET.SubElement(options, "Option", {"name": key, "value": value, "type": "QString"})


def _classes(tileset: Tileset) -> list[tuple[int | None, str, str]]:
    """(class or None for no data, label, colour), as the legend says."""
    key = legend(tileset)
    items: list[tuple[int | None, str, str]] = [
        (item["class"], item["label"], item["color"]) for item in key["classes"]
    ]
    return [*items, (None, key["no_data"]["label"], NO_DATA)]


def _text(root: ET.Element, doctype: str) -> str:
    ET.indent(root)
    return f"{doctype}\n{ET.tostring(root, encoding='unicode')}\n"


def qml(tileset: Tileset) -> str:
    """The choropleth as a QGIS style for a polygon layer with the tileset's fields."""
    root = ET.Element("qgis", {"version": QGIS_VERSION, "styleCategories": "Symbology"})
    renderer = ET.SubElement(
        root,
        "renderer-v2",
        {
            "type": "categorizedSymbol",
            "attr": "class",
            "symbollevels": "0",
            "enableorderby": "0",
            "forceraster": "0",
        },
    )
    categories = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    for index, (klass, label, colour) in enumerate(_classes(tileset)):
        value = "" if klass is None else str(klass)  # "": NULL and anything else
        ET.SubElement(
            categories,
            "category",
            {"render": "true", "symbol": str(index), "value": value, "label": label},
        )
        _fill(symbols, str(index), colour)
    ET.SubElement(root, "layerGeometryType").text = POLYGON
    return _text(root, "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>")


def mercator(lon: float, lat: float) -> tuple[float, float]:
    """EPSG:3857 coordinates of a longitude and latitude."""
    lat = max(-85.0511287798, min(85.0511287798, lat))
    x = EARTH * math.radians(lon)
    y = EARTH * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    return x, y


def _extent(parent: ET.Element, tag: str, box: tuple[float, float, float, float]) -> None:
    element = ET.SubElement(parent, tag)
    for name, value in zip(("xmin", "ymin", "xmax", "ymax"), box, strict=True):
        ET.SubElement(element, name).text = repr(value)


def source(base: str, tileset: Tileset) -> str:
    """The vector tile data source QGIS stores for our XYZ template and zoom range."""
    template = quote(tile_url(base, tileset), safe="")
    return f"type=xyz&url={template}&zmin={tileset.minzoom}&zmax={tileset.maxzoom}"


def qlr(base: str, tileset: Tileset) -> str:
    """A QGIS layer definition of the tileset's XYZ vector tiles, styled by class."""
    layer_id = "levelup_" + re.sub(r"\W", "_", tileset.id)
    data_source = source(base, tileset)
    root = ET.Element("qlr")
    group = ET.SubElement(
        root, "layer-tree-group", {"checked": "Qt::Checked", "expanded": "1", "name": ""}
    )
    ET.SubElement(
        group,
        "layer-tree-layer",
        {
            "checked": "Qt::Checked",
            "expanded": "1",
            "id": layer_id,
            "name": tileset.name,
            "providerKey": "vectortile",
            "source": data_source,
        },
    )
    layers = ET.SubElement(root, "maplayers")
    layer = ET.SubElement(
        layers,
        "maplayer",
        {
            "type": "vector-tile",
            "hasScaleBasedVisibilityFlag": "0",
            "minScale": "1e+08",
            "maxScale": "0",
            "styleCategories": "AllStyleCategories",
        },
    )
    west, south, east, north = tileset.bounds
    _extent(layer, "extent", (*mercator(west, south), *mercator(east, north)))
    _extent(layer, "wgs84extent", (west, south, east, north))
    ET.SubElement(layer, "id").text = layer_id
    ET.SubElement(layer, "datasource").text = data_source
    ET.SubElement(layer, "layername").text = tileset.name
    srs = ET.SubElement(ET.SubElement(layer, "srs"), "spatialrefsys")
    ET.SubElement(srs, "authid").text = "EPSG:3857"
    metadata = ET.SubElement(layer, "resourceMetadata")
    ET.SubElement(metadata, "title").text = tileset.name
    ET.SubElement(metadata, "abstract").text = f"{tileset.description}\n{tileset.attribution}"
    ET.SubElement(layer, "provider").text = "vectortile"
    styles = ET.SubElement(ET.SubElement(layer, "renderer", {"type": "basic"}), "styles")
    for klass, label, colour in _classes(tileset):
        test = '"class" IS NULL' if klass is None else f'"class" IN ({klass})'
        style = ET.SubElement(
            styles,
            "style",
            {
                "name": label,
                "layer": tileset.level,
                "geometry": POLYGON,
                "expression": test,
                "enabled": "1",
                "min-zoom": "-1",
                "max-zoom": "-1",
            },
        )
        _fill(ET.SubElement(style, "symbols"), "0", colour)
    ET.SubElement(layer, "blendMode").text = "0"
    ET.SubElement(layer, "layerOpacity").text = "1"
    return _text(root, "<!DOCTYPE qgis-layer-definition>")
