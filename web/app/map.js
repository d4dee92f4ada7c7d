// The MapLibre map: a light context layer (land, country borders, place names) and the data
// as a choropleth, outlines, and outlines for the hovered and selected areas.
//
// Each tileset gets a source of its own. MapLibre keys loaded tiles by tile id, not by URL,
// and re-pointing one source with setTiles() is not enough: a data-driven paint change in
// the same frame pauses the source's tile manager, the "content changed" event that would
// have refetched the tiles is dropped while paused, and on resume the worker only re-parses
// the tiles it already holds, so the old year's values get the new legend. A new source per
// tileset cannot show another tileset's tiles. The new layers are drawn under the old ones
// until their tiles are in, then the old ones are removed (no blank flash between years).

import { STATIC, absolute } from "./api.js";
import { fillColour } from "./colours.js";
import { addContext, contextBelow, showContext } from "./context.js";

/* global maplibregl, pmtiles */

const SWAP_TIMEOUT_MS = 15000;
const SEA = "#d5e3ec";
const HEX_GROUND = "#dde1e4"; // a hex map is not geography: no sea, no land, no place names
export const HEX_LABELS_FROM = 8.4; // hexes are ~40 px across from here: room for a name

/** An absolute tile URL that changes when the tiles do (a replaced upload is not cached). */
function versioned(tileset, url) {
  return tileset.version ? `${absolute(url)}?v=${tileset.version}` : absolute(url);
}

/** The source options of a tileset: XYZ tiles, or a PMTiles archive on a static export. */
function sourceOf(tileset, attribution) {
  const tiles = tileset.pmtiles && STATIC === "pmtiles"
    ? { url: `pmtiles://${versioned(tileset, tileset.pmtiles)}` }
    : { tiles: [versioned(tileset, tileset.tiles)] };
  const credits = [tileset.attribution, attribution].filter(Boolean).join(" · ");
  return { type: "vector", ...tiles, minzoom: tileset.minzoom, maxzoom: tileset.maxzoom,
    bounds: tileset.bounds, ...(credits ? { attribution: credits } : {}) };
}

export class MapView {
  constructor(container, { view, context, onHover, onLeave, onClick, onMove }) {
    maplibregl.setWorkerUrl(absolute(`${STATIC ? "" : "/"}vendor/maplibre-gl/maplibre-gl-csp-worker.js`));
    if (STATIC === "pmtiles" && !MapView.pmtiles) {
      MapView.pmtiles = new pmtiles.Protocol(); // archives read with HTTP range requests
      maplibregl.addProtocol("pmtiles", MapView.pmtiles.tile);
    }
    this.map = new maplibregl.Map({
      container,
      style: { version: 8, sources: {}, transition: { duration: 0, delay: 0 }, layers: [
        { id: "background", type: "background", paint: { "background-color": SEA } }] },
      center: view ? [view.lon, view.lat] : [-3.2, 54.6],
      zoom: view ? view.zoom : 4.6,
      maxZoom: 14,
      attributionControl: false,
      dragRotate: false,
      pitchWithRotate: false,
      fadeDuration: 0, // labels appear at once: the same view always draws the same picture
      // keeps the drawn picture, so tests and users can export the canvas as an image
      canvasContextAttributes: { preserveDrawingBuffer: true },
    });
    this.map.touchZoomRotate.disableRotation();
    this.map.keyboard.disableRotation();
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    this.scale = new maplibregl.ScaleControl({ unit: "metric" }); // hidden on a hex map: no distances
    this.map.addControl(this.scale, "bottom-left");
    // Credits per source on show (ⓘ), folded at first so they never hide the map.
    this.map.addControl(new maplibregl.AttributionControl({ compact: true }), "bottom-right");
    const credits = container.querySelector(".maplibregl-ctrl-attrib");
    const fold = new MutationObserver(() => {
      if (!credits.classList.contains("maplibregl-compact-show")) return;
      credits.classList.remove("maplibregl-compact-show");
      fold.disconnect();
    });
    fold.observe(credits, { attributes: true, attributeFilter: ["class"] });
    this.ready = new Promise((resolve) => this.map.once("load", resolve))
      .then(() => (context ? addContext(this.map, context) : null));
    this.generation = 0;
    this.current = null; // {content, source, fill, outline, hover, selected, level}
    this.pending = null; // the layers being loaded, and a promise of the swap
    this.hovered = null;
    this.selected = [];
    this.map.on("mousemove", (e) => this._hover(e, onHover, onLeave));
    this.map.on("mouseout", () => { this._setHover(null); onLeave(); });
    this.map.on("click", (e) => {
      const feature = this._featureAt(e.point);
      if (feature) onClick(feature.properties.code, feature);
    });
    this.map.on("moveend", () => {
      const c = this.map.getCenter();
      onMove({ zoom: this.map.getZoom(), lat: c.lat, lon: c.lng });
    });
  }

  get level() { return this.current?.level || null; }

  _featureAt(point) {
    if (!this.current) return null;
    return this.map.queryRenderedFeatures(point, { layers: [this.current.fill] })[0] || null;
  }

  _hover(e, onHover, onLeave) {
    const feature = this._featureAt(e.point);
    this.map.getCanvas().style.cursor = feature ? "pointer" : "";
    if (!feature) { this._setHover(null); onLeave(); return; }
    this._setHover(feature.properties.code);
    onHover(feature, e.point, this.current.tileset);
  }

  _setHover(code) {
    if (code === this.hovered || !this.current) return;
    this.hovered = code;
    this.map.setFilter(this.current.hover, ["==", ["get", "code"], code || ""]);
  }

  /** Show a tileset (from /api/tilesets/{id}) coloured by `mode`; `attribution` credits a
   * user's own source. Resolves once the map shows it (or a newer call replaced it). */
  async show(tileset, mode, attribution = null) {
    await this.ready;
    const source = sourceOf(tileset, attribution);
    const content = JSON.stringify([source, tileset.level]);
    const colour = fillColour(mode, tileset);
    if (this.pending && this.pending.ids.content === content) {
      this.pending.ids.tileset = tileset;
      this.map.setPaintProperty(this.pending.ids.fill, "fill-color", colour);
      return this.pending.done;
    }
    this._dropPending();
    if (this.current && this.current.content === content) {
      this.current.tileset = tileset;
      this.map.setPaintProperty(this.current.fill, "fill-color", colour);
      return undefined;
    }
    const ids = this._addLayers(++this.generation, source, tileset, colour, content);
    const done = this._whenLoaded(ids.source).then(() => {
      if (this.pending?.ids !== ids) return; // replaced meanwhile
      this.pending = null;
      if (this.current) this._remove(this.current);
      this.current = ids;
      this._ground(tileset.geometry === "hex");
      this.hovered = null;
      this.map.setLayoutProperty(ids.hover, "visibility", "visible");
      this.map.setLayoutProperty(ids.selected, "visibility", "visible");
    });
    this.pending = { ids, done };
    return done;
  }

  /** Geography (sea, land, borders, names) for the map; a plain ground for hexes. */
  _ground(hex) {
    this.map.setPaintProperty("background", "background-color", hex ? HEX_GROUND : SEA);
    showContext(this.map, !hex);
    this.scale._container.hidden = hex;
  }

  _addLayers(generation, source, tileset, colour, content) {
    const layer = tileset.level;
    const ids = { content, tileset, level: layer, source: `data-${generation}`, fill: `fill-${generation}`,
      outline: `outline-${generation}`, hover: `hover-${generation}`, selected: `selected-${generation}`,
      regions: `regions-${generation}`, labels: `labels-${generation}` };
    this.map.addSource(ids.source, source);
    // Under the current tileset's layers until loaded, and always under the context's
    // borders and names.
    const fillBefore = this.current ? this.current.fill : contextBelow(this.map);
    const lineBefore = this.current ? this.current.fill : contextBelow(this.map);
    const common = { source: ids.source, "source-layer": layer };
    this.map.addLayer({ id: ids.fill, type: "fill", ...common,
      paint: { "fill-color": colour, "fill-opacity": 1 } }, fillBefore);
    const hex = tileset.geometry === "hex"; // hexes are big and few: clearer white gaps
    this.map.addLayer({ id: ids.outline, type: "line", ...common,
      paint: { "line-color": "#ffffff", "line-width": ["interpolate", ["linear"], ["zoom"],
        ...(hex ? [6, 0.8, 10, 2.2] : [4, 0.3, 9, 1.2])] } },
    lineBefore);
    this.map.addLayer({ id: ids.hover, type: "line", ...common, layout: { visibility: "none" },
      filter: ["==", ["get", "code"], ""], paint: { "line-color": "#0b0c0c", "line-width": 2 } }, lineBefore);
    this.map.addLayer({ id: ids.selected, type: "line", ...common, layout: { visibility: "none" },
      filter: ["in", ["get", "code"], ["literal", this.selected]],
      paint: { "line-color": "#0b0c0c", "line-width": 3.5 } }, lineBefore);
    if (tileset.geometry === "hex") this._addHexLayers(ids, lineBefore);
    return ids;
  }

  /** Over the hexes: region outlines, and each area's name once there is room for it. */
  _addHexLayers(ids, before) {
    this.map.addLayer({ id: ids.regions, type: "line", source: ids.source, "source-layer": "regions",
      paint: { "line-color": "#0b0c0c", "line-width": ["interpolate", ["linear"], ["zoom"], 6, 0.9, 10, 2.4] } },
    before);
    this.map.addLayer({ id: ids.labels, type: "symbol", source: ids.source, "source-layer": "labels",
      minzoom: HEX_LABELS_FROM,
      layout: { "text-field": ["get", "name"], "text-font": ["Noto Sans"], "text-max-width": 5,
        "text-size": ["interpolate", ["linear"], ["zoom"], HEX_LABELS_FROM, 9.5, 10, 12] },
      paint: { "text-color": "#0b0c0c", "text-halo-color": "rgba(255,255,255,0.85)", "text-halo-width": 1.3 } },
    before);
  }

  _remove(ids) {
    for (const id of [ids.labels, ids.regions, ids.selected, ids.hover, ids.outline, ids.fill]) {
      if (this.map.getLayer(id)) this.map.removeLayer(id);
    }
    if (this.map.getSource(ids.source)) this.map.removeSource(ids.source);
  }

  _dropPending() {
    if (!this.pending) return;
    this._remove(this.pending.ids);
    this.pending = null;
  }

  /** Resolves when the source's tiles in view are loaded (or failed), or after a timeout. */
  _whenLoaded(source) {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.map.off("sourcedata", check);
        this.map.off("idle", check);
        resolve();
      };
      const check = () => {
        if (!this.map.getSource(source)) finish();
        else if (this.map.isSourceLoaded(source)) finish();
      };
      const timer = setTimeout(finish, SWAP_TIMEOUT_MS);
      this.map.on("sourcedata", check);
      this.map.on("idle", check);
    });
  }

  /** Outline these areas (the panel's area and those compared with it). */
  select(codes) {
    this.selected = codes;
    for (const ids of [this.current, this.pending?.ids]) {
      if (ids) this.map.setFilter(ids.selected, ["in", ["get", "code"], ["literal", codes]]);
    }
  }

  /** Keep the bottom `pixels` of the map clear (a bottom sheet covers them on phones). */
  pad(pixels) {
    this.map.setPadding({ top: 0, left: 0, right: 0, bottom: pixels });
  }

  fitBounds(bounds, padding = 40) {
    const [west, south, east, north] = bounds;
    this.map.fitBounds([[west, south], [east, north]], { padding, duration: 0, maxZoom: 9 });
  }

  /** Zoom to an area's bounding box (at once when motion is reduced). */
  flyToArea(area) {
    this.map.resize(); // the panel may just have opened beside or under the map
    const reduce = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    this.map.fitBounds([[area.west, area.south], [area.east, area.north]],
      { padding: 60, maxZoom: 10, duration: reduce ? 0 : 600 });
  }

  /** On a hex map: zoom to an area's hexagon (false when it is not on this map). */
  flyToHex(code) {
    if (!this.current || this.current.tileset.geometry !== "hex") return false;
    const found = this.map.querySourceFeatures(this.current.source,
      { sourceLayer: "labels", filter: ["==", ["get", "code"], code] })[0];
    if (!found) return false;
    this.map.resize(); // the panel may just have opened beside or under the map
    const reduce = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    this.map.flyTo({ center: found.geometry.coordinates, zoom: Math.max(this.map.getZoom(), HEX_LABELS_FROM + 0.6),
      duration: reduce ? 0 : 600 });
    return true;
  }

  bounds() {
    const b = this.map.getBounds();
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
  }

  /** Resolves once the current tileset has replaced the previous one and everything is drawn. */
  async idle() {
    await this.ready;
    while (this.pending) await this.pending.done;
    await new Promise((resolve) => {
      if (this.map.loaded() && this.map.areTilesLoaded() && !this.map.isMoving()) resolve();
      else this.map.once("idle", resolve);
    });
  }
}
