"""Run by Debian's /usr/bin/python3 with python3-qgis (QGIS 3.22), offscreen.

Usage: qgis_check.py BASE_URL TILESET MBTILES GEOJSON OUT.png
Prints one JSON object with what QGIS saw: layer validity, style conversion warnings,
rendered pixel counts per legend colour, and feature counts and field types of the
MBTiles (through GDAL) and GeoJSON layers.
"""

import json
import os
import sys
import urllib.parse
import urllib.request

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
    QgsVectorTileLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor


def render(layer, extent_4326, out):
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setOutputSize(QSize(400, 600))
    mercator = QgsCoordinateReferenceSystem("EPSG:3857")
    settings.setDestinationCrs(mercator)
    transform = QgsCoordinateTransform(
        QgsCoordinateReferenceSystem("EPSG:4326"), mercator, QgsProject.instance()
    )
    settings.setExtent(transform.transformBoundingBox(QgsRectangle(*extent_4326)))
    settings.setBackgroundColor(QColor(255, 255, 255))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    image.save(out)
    return image


BACKGROUNDS = {(255, 255, 255), (0xF4, 0xF6, 0xF8)}  # map canvas and the style's background


def colour_counts(image, colours):
    wanted = {c: QColor(c) for c in colours}
    counts = dict.fromkeys(colours, 0)
    other = 0
    for x in range(0, image.width(), 2):
        for y in range(0, image.height(), 2):
            pixel = QColor(image.pixel(x, y))
            if (pixel.red(), pixel.green(), pixel.blue()) in BACKGROUNDS:
                continue
            for name, colour in wanted.items():
                if (
                    abs(pixel.red() - colour.red()) <= 3
                    and abs(pixel.green() - colour.green()) <= 3
                    and abs(pixel.blue() - colour.blue()) <= 3
                ):
                    counts[name] += 1
                    break
            else:
                other += 1
    return counts, other


def main():
    base, tileset, mbtiles, geojson, out = sys.argv[1:6]
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    style_url = f"{base}/styles/{tileset}.json"
    with urllib.request.urlopen(style_url) as response:
        style = json.load(response)
    legend = style["metadata"]["levelup:legend"]
    colours = [c["color"] for c in legend["classes"]] + [legend["no_data"]["color"]]
    template = f"{base}/tiles/{tileset}/{{z}}/{{x}}/{{y}}.pbf"
    uri = (
        f"type=xyz&url={urllib.parse.quote(template, safe='')}&zmin=0&zmax=11"
        f"&styleUrl={urllib.parse.quote(style_url, safe='')}"
    )
    layer = QgsVectorTileLayer(uri, "levelup")
    loaded = layer.loadDefaultStyle()
    image = render(layer, (-8.7, 49.8, 1.8, 60.9), out)
    counts, other = colour_counts(image, colours)
    tiles_file = QgsVectorTileLayer(f"type=mbtiles&url={mbtiles}", "file")
    by_gdal = QgsVectorLayer(f"{mbtiles}|layername=lad|option:ZOOM_LEVEL=0", "gdal", "ogr")
    extract = QgsVectorLayer(geojson, "extract", "ogr")

    def field_type(layer, name):
        index = layer.fields().indexOf(name)
        return layer.fields().at(index).typeName() if index >= 0 else None

    print(
        json.dumps(
            {
                "xyz_valid": layer.isValid(),
                "style_loaded": bool(loaded[1]) if isinstance(loaded, tuple) else bool(loaded),
                "style_message": str(loaded[0]) if isinstance(loaded, tuple) else "",
                "colour_pixels": counts,
                "other_pixels": other,
                "mbtiles_valid": tiles_file.isValid(),
                "mbtiles_features": by_gdal.featureCount() if by_gdal.isValid() else None,
                "mbtiles_value_type": field_type(by_gdal, "value"),
                "geojson_features": extract.featureCount() if extract.isValid() else None,
                "geojson_value_type": field_type(extract, "value"),
                "geojson_code_type": field_type(extract, "code"),
            }
        ),
        flush=True,
    )
    # PyQGIS 3.22 can crash while tearing down layers at interpreter exit; results are out.
    os._exit(0)


if __name__ == "__main__":
    main()
