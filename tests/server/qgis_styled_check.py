"""Run by Debian's /usr/bin/python3 with python3-qgis (QGIS 3.22), offscreen.

Usage: qgis_styled_check.py GPKG QLR MBTILES LEGEND.json OUT_PREFIX
Adds the GeoPackage extract as a user would (its default style comes from the file), loads
the layer definition (.qlr) into a project and adds the MBTiles file as a vector tile layer
(what dragging it in does), renders each over the UK and prints one JSON object: what QGIS
made of each layer, how many pixels it drew in each legend colour, and how much of each
drawing its most common colour takes.
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (
    QgsApplication,
    QgsLayerDefinition,
    QgsProject,
    QgsVectorLayer,
    QgsVectorTileLayer,
)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qgis_check import colour_counts, render

UK = (-8.7, 49.8, 1.8, 60.9)


def top_share(image):
    """Share of the drawn (non-white) pixels taken by the most common colour: one flat fill
    takes most of them (its outline and edges the rest); a choropleth spreads them out."""
    seen = {}
    for x in range(0, image.width(), 2):
        for y in range(0, image.height(), 2):
            rgb = image.pixel(x, y) & 0xFFFFFF
            if rgb != 0xFFFFFF:
                seen[rgb] = seen.get(rgb, 0) + 1
    return max(seen.values()) / sum(seen.values()) if seen else 0.0


def main():
    gpkg, qlr, mbtiles, legend_path, out = sys.argv[1:6]
    with open(legend_path) as handle:
        legend = json.load(handle)
    colours = [c["color"] for c in legend["classes"]] + [legend["no_data"]["color"]]
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()

    extract = QgsVectorLayer(gpkg, "extract", "ogr")  # as dragging the file in does
    renderer = extract.renderer()
    categories = [
        {"value": c.value(), "label": c.label(), "colour": c.symbol().color().name()}
        for c in getattr(renderer, "categories", lambda: [])()
    ]
    image = render(extract, UK, f"{out}-gpkg.png")
    gpkg_top = top_share(image)
    gpkg_counts, gpkg_other = colour_counts(image, colours)

    project = QgsProject.instance()
    loaded = QgsLayerDefinition.loadLayerDefinition(qlr, project, project.layerTreeRoot())
    tiles = [
        layer for layer in project.mapLayers().values() if isinstance(layer, QgsVectorTileLayer)
    ]
    result = {
        "gpkg_valid": extract.isValid(),
        "gpkg_features": extract.featureCount(),
        "gpkg_renderer": renderer.type() if renderer else None,
        "gpkg_field": getattr(renderer, "classAttribute", lambda: None)(),
        "gpkg_categories": categories,
        "gpkg_pixels": gpkg_counts,
        "gpkg_other": gpkg_other,
        "gpkg_top_share": gpkg_top,
        "qlr_loaded": bool(loaded[0]) if isinstance(loaded, tuple) else bool(loaded),
        "qlr_message": str(loaded[1]) if isinstance(loaded, tuple) else "",
        "qlr_layers": len(tiles),
    }
    if tiles:
        layer = tiles[0]
        styles = layer.renderer().styles() if layer.renderer() else []
        image = render(layer, UK, f"{out}-qlr.png")
        counts, other = colour_counts(image, colours)
        result.update(
            qlr_valid=layer.isValid(),
            qlr_name=layer.name(),
            qlr_source=layer.source(),
            qlr_styles=[
                {"expression": s.filterExpression(), "colour": s.symbol().color().name()}
                for s in styles
            ],
            qlr_pixels=counts,
            qlr_other=other,
        )
    dragged = QgsVectorTileLayer(f"type=mbtiles&url={mbtiles}", "dragged")
    image = render(dragged, UK, f"{out}-mbtiles.png")
    result["mbtiles_top_share"] = top_share(image)
    result["mbtiles_pixels"] = colour_counts(image, colours)[0]
    print(json.dumps(result), flush=True)
    os._exit(0)  # PyQGIS 3.22 can crash tearing layers down at exit; the results are out


main()
