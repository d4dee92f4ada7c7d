// The context under and over the data: land, country borders and place names, from the
// context tiles the pipeline builds out of the shipped boundaries (served by this machine).
// Names are drawn by MapLibre from the page's own font (Noto Sans, an npm package served
// with the page): no glyph server, nothing from the internet.

import { absolute } from "./api.js";

const SOURCE = "context";
const FONT = "Noto Sans";
// A sample of every script the names use, so the browser fetches those font files first.
const SCRIPTS = "Aa Éé Łł Ωω Жж";
const ABOVE = ["context-borders", "context-places"]; // context layers drawn above the data

/** Load the label font (the map draws glyphs from it once, so it must be there first). */
async function loadFont() {
  try {
    await document.fonts.load(`16px "${FONT}"`, SCRIPTS);
  } catch { /* names then use the browser's default sans-serif */ }
}

/** Add the context source and its layers to a loaded map. */
export async function addContext(map, context) {
  await loadFont();
  map.addSource(SOURCE, { type: "vector", tiles: [absolute(context.tiles)], minzoom: context.minzoom,
    maxzoom: context.maxzoom, attribution: context.attribution });
  map.addLayer({ id: "context-land", type: "fill", source: SOURCE, "source-layer": "land",
    paint: { "fill-color": "#f4f2ee" } });
  map.addLayer({ id: "context-borders", type: "line", source: SOURCE, "source-layer": "land",
    paint: { "line-color": "#6f777b", "line-width": ["interpolate", ["linear"], ["zoom"], 3, 0.5, 8, 1.4] } });
  map.addLayer({ id: "context-places", type: "symbol", source: SOURCE, "source-layer": "places",
    // each kind of name from its own zoom, and countries and regions not when zoomed right in
    filter: ["all", ["<=", ["get", "minzoom"], ["zoom"]],
      ["<", ["zoom"], ["match", ["get", "kind"], "country", 6, "region", 7, 24]]],
    layout: {
      "text-field": ["get", "name"],
      "text-font": [FONT],
      "text-size": ["match", ["get", "kind"], "country", 14, "region", 12.5, 11.5],
      "text-transform": ["match", ["get", "kind"], "country", "uppercase", "none"],
      "text-letter-spacing": ["match", ["get", "kind"], "country", 0.08, 0],
      "text-max-width": 8,
      "symbol-sort-key": ["get", "rank"],
      "text-padding": 4,
    },
    paint: { "text-color": ["match", ["get", "kind"], "country", "#3b4145", "#1f2428"],
      "text-halo-color": "rgba(255,255,255,0.9)", "text-halo-width": 1.6 } });
}

/** Show or hide the context (hidden under a hex cartogram, which is not geography). */
export function showContext(map, shown) {
  for (const id of ["context-land", ...ABOVE]) {
    if (map.getLayer(id)) map.setLayoutProperty(id, "visibility", shown ? "visible" : "none");
  }
}

/** The first context layer drawn above the data (data layers go under it). */
export function contextBelow(map) {
  return ABOVE.find((id) => map.getLayer(id));
}
