// The MapLibre map: one vector source per tileset, a fill coloured by the chosen mode,
// outlines, and outlines for the hovered and selected areas.

import { STATIC, absolute } from "./api.js";
import { fillColour } from "./colours.js";

/* global maplibregl, pmtiles */

const SOURCE = "levelup";
const ALWAYS = ["ONS, OS and LPS data © Crown copyright and database right 2025, "
  + "Open Government Licence v3.0", "© EuroGeographics for the administrative boundaries",
"Source: Eurostat"];

/** An absolute tile URL that changes when the tiles do (a replaced upload is not cached). */
function versioned(tileset, url) {
  return tileset.version ? `${absolute(url)}?v=${tileset.version}` : absolute(url);
}

export class MapView {
  constructor(container, { view, onHover, onLeave, onClick, onMove }) {
    maplibregl.setWorkerUrl(absolute(`${STATIC ? "" : "/"}vendor/maplibre-gl/maplibre-gl-csp-worker.js`));
    if (STATIC === "pmtiles" && !MapView.pmtiles) {
      MapView.pmtiles = new pmtiles.Protocol(); // archives read with HTTP range requests
      maplibregl.addProtocol("pmtiles", MapView.pmtiles.tile);
    }
    this.map = new maplibregl.Map({
      container,
      style: { version: 8, sources: {}, layers: [
        { id: "background", type: "background", paint: { "background-color": "#dbe4ea" } }] },
      center: view ? [view.lon, view.lat] : [-3.2, 54.6],
      zoom: view ? view.zoom : 4.6,
      maxZoom: 14,
      attributionControl: false,
      dragRotate: false,
      pitchWithRotate: false,
      preserveDrawingBuffer: true, // lets tests and users export the canvas as an image
    });
    this.map.touchZoomRotate.disableRotation();
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    this.map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
    this.map.addControl(new maplibregl.AttributionControl({ compact: false, customAttribution: ALWAYS }), "bottom-right");
    this.ready = new Promise((resolve) => this.map.once("load", resolve));
    this.key = null;
    this.level = null;
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

  _featureAt(point) {
    if (!this.level || !this.map.getLayer("fill")) return null;
    return this.map.queryRenderedFeatures(point, { layers: ["fill"] })[0] || null;
  }

  _hover(e, onHover, onLeave) {
    const feature = this._featureAt(e.point);
    this.map.getCanvas().style.cursor = feature ? "pointer" : "";
    if (!feature) { this._setHover(null); onLeave(); return; }
    this._setHover(feature.properties.code);
    onHover(feature, e.point);
  }

  _setHover(code) {
    if (code === this.hovered || !this.map.getLayer("hover")) return;
    this.hovered = code;
    this.map.setFilter("hover", ["==", ["get", "code"], code || ""]);
  }

  /** Show a tileset (from /api/tilesets/{id}) coloured by `mode`; `attribution` credits a
   * user's own source (the shipped sources are always credited). */
  async show(tileset, mode, attribution = null) {
    await this.ready;
    const key = `${tileset.level}|${tileset.set_id}|${tileset.minzoom}|${tileset.maxzoom}|${attribution}`;
    const source = this.map.getSource(SOURCE);
    if (source && key === this.key) {
      if (tileset.pmtiles && STATIC === "pmtiles") source.setUrl(`pmtiles://${versioned(tileset, tileset.pmtiles)}`);
      else source.setTiles([versioned(tileset, tileset.tiles)]);
    } else {
      for (const id of ["selected", "hover", "outline", "fill"]) {
        if (this.map.getLayer(id)) this.map.removeLayer(id);
      }
      if (source) this.map.removeSource(SOURCE);
      const tiles = tileset.pmtiles && STATIC === "pmtiles"
        ? { url: `pmtiles://${versioned(tileset, tileset.pmtiles)}` } : { tiles: [versioned(tileset, tileset.tiles)] };
      this.map.addSource(SOURCE, {
        type: "vector", ...tiles, minzoom: tileset.minzoom, maxzoom: tileset.maxzoom,
        bounds: tileset.bounds, ...(attribution ? { attribution } : {}),
      });
      const layer = tileset.level;
      this.map.addLayer({ id: "fill", type: "fill", source: SOURCE, "source-layer": layer,
        paint: { "fill-color": fillColour(mode, tileset), "fill-opacity": 1 } });
      this.map.addLayer({ id: "outline", type: "line", source: SOURCE, "source-layer": layer,
        paint: { "line-color": "#ffffff", "line-width": ["interpolate", ["linear"], ["zoom"], 4, 0.3, 9, 1.2] } });
      this.map.addLayer({ id: "hover", type: "line", source: SOURCE, "source-layer": layer,
        filter: ["==", ["get", "code"], ""], paint: { "line-color": "#0b0c0c", "line-width": 2 } });
      this.map.addLayer({ id: "selected", type: "line", source: SOURCE, "source-layer": layer,
        filter: ["in", ["get", "code"], ["literal", this.selected]],
        paint: { "line-color": "#0b0c0c", "line-width": 3.5 } });
      this.key = key;
      this.level = layer;
      this.hovered = null;
    }
    this.map.setPaintProperty("fill", "fill-color", fillColour(mode, tileset));
  }

  /** Outline these areas (the panel's area and those compared with it). */
  select(codes) {
    this.selected = codes;
    if (this.map.getLayer("selected")) {
      this.map.setFilter("selected", ["in", ["get", "code"], ["literal", codes]]);
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

  flyToArea(area) {
    this.map.fitBounds([[area.west, area.south], [area.east, area.north]],
      { padding: 80, maxZoom: 8, duration: 600 });
  }

  bounds() {
    const b = this.map.getBounds();
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
  }

  /** Resolves once the current tiles have been drawn. */
  idle() {
    return new Promise((resolve) => {
      if (this.map.loaded() && this.map.areTilesLoaded()) resolve();
      else this.map.once("idle", resolve);
    });
  }
}
