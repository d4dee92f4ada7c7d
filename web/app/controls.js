// The map controls as the state says: indicator, measure, geography and year pickers, the
// legend, and the download / QGIS box.

import { STATIC, absolute } from "./api.js";
import { legendItems } from "./colours.js";
import { esc, formatValue } from "./format.js";

export const PLURAL = {
  lad: "local authority districts", ctyua: "counties and unitary authorities",
  cauth: "combined authorities", rgn: "regions and nations", itl3: "ITL3 regions",
  nuts0: "countries", nuts1: "NUTS 1 regions", nuts2: "NUTS 2 regions", nuts3: "NUTS 3 regions",
};
export const $ = (id) => document.getElementById(id);

/** Levels of an indicator that have tiles. */
export function mappedLevels(ind) { return ind.levels.filter((l) => l.mapped_years.length); }

/** Colour elements marked data-colour (through the CSSOM: the page's CSP forbids style attributes). */
export function paintSwatches(root) {
  for (const el of root.querySelectorAll("[data-colour]")) el.style.backgroundColor = el.dataset.colour;
}

/** The indicator picker, grouped by theme. */
export function fillIndicatorSelect(app) {
  const themes = new Map(app.catalogue.themes.map((t) => [t.id, t.label]));
  const byTheme = new Map();
  for (const ind of app.indicators.values()) {
    if (!byTheme.has(ind.theme)) byTheme.set(ind.theme, []);
    byTheme.get(ind.theme).push(ind);
  }
  $("indicator").innerHTML = [...byTheme].map(([theme, list]) =>
    `<optgroup label="${esc(themes.get(theme) || theme)}">${list.map((i) =>
      `<option value="${esc(i.id)}">${esc(i.title)}${i.user_supplied ? " (your data)" : ""}</option>`).join("")}</optgroup>`).join("");
}

/** Set every control to the state. */
export function syncControls(app) {
  const { state } = app;
  const ind = app.indicator();
  $("indicator").value = state.indicator;
  $("variant").innerHTML = ind.variants.map((v) => `<option value="${esc(v.id)}">${esc(v.label)}</option>`).join("");
  $("variant").value = state.variant;
  $("variant-field").hidden = ind.variants.length < 2;
  $("level").innerHTML = mappedLevels(ind).map((l) =>
    `<option value="${esc(l.id)}">${esc(l.label)}</option>`).join("");
  $("level").value = state.level;
  const list = app.years();
  const slider = $("year");
  slider.max = String(list.length - 1);
  slider.value = String(list.indexOf(state.year));
  slider.disabled = list.length < 2;
  $("play").disabled = list.length < 2;
  slider.setAttribute("aria-valuetext", String(state.year));
  for (const radio of document.querySelectorAll('input[name="colour"]')) radio.checked = radio.value === state.colour;
  $("country-label").textContent = state.level.startsWith("nuts") ? "Against its country" : "Against its nation";
  const variant = ind.variants.find((v) => v.id === state.variant);
  const facts = [
    ind.description && esc(ind.description),
    [variant.unit && `<strong>Unit:</strong> ${esc(variant.unit)}`, DIRECTION[variant.polarity]]
      .filter(Boolean).join(" · "),
    ind.polarity_reason && `<small>${esc(ind.polarity_reason)}</small>`,
    ind.metadata_note && `<small><strong>Note:</strong> ${esc(ind.metadata_note)}</small>`,
    [ind.source && `<strong>Source:</strong> ${esc(ind.source)}`, ind.licence && `<strong>Licence:</strong> ${esc(ind.licence)}`]
      .filter(Boolean).join(" · "),
    ind.user_supplied && "<em>Your data</em>, added through “Add your data”",
  ];
  $("indicator-about").innerHTML = facts.filter(Boolean).join("<br>");
}

const DIRECTION = {
  higher: "higher is better", lower: "lower is better", neither: "neither higher nor lower is better",
};

/** The legend for the tileset on show and the colouring mode. */
export function renderLegend(app) {
  const { tileset, state } = app;
  const format = (v) => formatValue(v, tileset.legend.unit, app.indicator().decimals);
  const items = legendItems(state.colour, tileset, format);
  const comparedWith = app.indicator().user_supplied
    ? `the median of the ${tileset.valued} areas in your data` : "the median";
  const neither = tileset.polarity === "neither";
  const darker = neither ? "darker is higher" : "darker is better";
  const sub = {
    value: `${tileset.legend.unit ? `${tileset.legend.unit} · ` : ""}${tileset.legend.better}${neither ? "" : `; ${darker}`}`,
    rank: `Rank among ${PLURAL[state.level] || "areas"} (${neither ? "1st = highest" : tileset.legend.better}); ${darker}`,
    z: `Distance from ${comparedWith} in robust standard deviations; ${neither ? "purple is above, orange below" : "purple is better, orange worse"}`,
    country: countryNote(tileset, state.level),
  }[state.colour];
  $("legend-title").textContent = `${tileset.legend.title}, ${tileset.period}`;
  $("legend-sub").textContent = sub;
  const rows = items.map((item) =>
    `<li><span class="swatch${item.nodata ? " nodata" : ""}" data-colour="${item.colour}"></span>${esc(item.label)}</li>`).join("");
  $("legend-items").innerHTML = rows;
  paintSwatches($("legend-items"));
  // the same legend on the map itself, for phones (where the controls are in a drawer)
  $("map-legend-title").textContent = `${tileset.legend.title}, ${tileset.period}`;
  $("map-legend-items").innerHTML = rows;
  paintSwatches($("map-legend-items"));
}

/** What "against its country" compares each area with. */
function countryNote(tileset, level) {
  const whose = level.startsWith("nuts") ? "its own country (NUTS 0)" : "its own nation (England, Wales, Scotland or Northern Ireland)";
  if (!(tileset.country_breaks || []).length) return `No figure for ${whose} in this source`;
  const sides = tileset.polarity === "neither" ? "brown below, green above"
    : "purple is better, orange worse";
  return `Index: each area against ${whose} = 100; ${sides}`;
}

function link(id, url) {
  $(id).hidden = !url;
  if (url) $(id).href = url;
}

/** Links to this view's data and the QGIS connection details. */
export function renderDownloads(app) {
  const { tileset, state } = app;
  if (STATIC) { // the files the export wrote (GeoJSON for the latest year unless asked)
    link("dl-geojson", tileset.geojson);
    link("dl-csv", tileset.csv);
  } else {
    const base = `/api/indicators/${encodeURIComponent(state.indicator)}`;
    const bbox = app.map.bounds().map((v, i) => Math.max(i % 2 ? -90 : -180, Math.min(i % 2 ? 90 : 180, v)).toFixed(4));
    link("dl-geojson", `${base}/data.geojson?variant=${state.variant}&level=${state.level}&year=${state.year}&bbox=${bbox.join(",")}`);
    link("dl-csv", `${base}/data.csv?variant=${state.variant}&level=${state.level}`);
  }
  link("dl-gpkg", tileset.gpkg);
  link("dl-qlr", tileset.qlr);
  $("dl-gpkg").parentElement.hidden = !tileset.gpkg && !tileset.qlr; // none in a static site
  link("dl-mbtiles", tileset.mbtiles);
  link("dl-pmtiles", tileset.pmtiles);
  $("dl-hex").hidden = !tileset.hexjson && !tileset.hex_geojson;
  link("dl-hexjson", tileset.hexjson);
  link("dl-hexgeojson", tileset.hexes_geojson || tileset.hex_geojson);
  document.querySelector(".qgis").hidden = !tileset.tiles;
  $("qgis-url").value = absolute(tileset.tiles) || "";
  $("qgis-style").value = absolute(tileset.style);
  $("qgis-min").textContent = tileset.minzoom;
  $("qgis-max").textContent = tileset.maxzoom;
}
