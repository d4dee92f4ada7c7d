// levelup web map: controls, permalink, map, hover, area panel, comparison and downloads.

import { CompareView, InequalityView } from "./analysis.js";
import { STATIC, absolute, api, tilesetId } from "./api.js";
import { legendItems } from "./colours.js";
import { esc, formatValue, ordinal } from "./format.js";
import { MapView } from "./map.js";
import { renderPanel } from "./panel.js";
import { readState, writeState } from "./state.js";
import { UploadDialog } from "./upload.js";

const PLURAL = {
  lad: "local authority districts", ctyua: "counties and unitary authorities",
  cauth: "combined authorities", rgn: "regions and nations", itl3: "ITL3 regions",
  nuts0: "countries", nuts1: "NUTS 1 regions", nuts2: "NUTS 2 regions", nuts3: "NUTS 3 regions",
};
const COLOURS = ["value", "rank", "z"];
// Opening views: the UK, or mainland Europe (GISCO bounds reach Réunion and Guadeloupe).
const HOME = { uk: [-8.2, 49.9, 1.8, 60.9], europe: [-24.5, 34.5, 42, 71.2] };
const home = (level) => (level.startsWith("nuts") ? HOME.europe : HOME.uk);
const $ = (id) => document.getElementById(id);

const app = {
  catalogue: null,
  indicators: new Map(),
  levels: new Map(),
  state: null,
  tileset: null,
  map: null,
  playing: null,
  compareNext: false,
  detailCache: new Map(),
};

// ---------------------------------------------------------------- state and validation

function indicator() { return app.indicators.get(app.state.indicator); }
function mappedLevels(ind) { return ind.levels.filter((l) => l.mapped_years.length); }
function levelEntry() { return indicator().levels.find((l) => l.id === app.state.level); }
function years() { return levelEntry().mapped_years; }

function normalise(wanted) {
  const state = { areas: wanted.areas || [], view: wanted.view || null,
    tab: !STATIC && ["map", "inequality", "compare"].includes(wanted.tab) ? wanted.tab : "map",
    ineq: wanted.ineq || { countries: [] }, cmp: wanted.cmp || { items: [] } };
  const fallback = app.indicators.has("gdp-per-head") ? "gdp-per-head" : app.indicators.keys().next().value;
  state.indicator = app.indicators.has(wanted.indicator) ? wanted.indicator : fallback;
  const ind = app.indicators.get(state.indicator);
  state.variant = ind.variants.some((v) => v.id === wanted.variant) ? wanted.variant : ind.variants[0].id;
  const levels = mappedLevels(ind);
  state.level = levels.some((l) => l.id === wanted.level) ? wanted.level : levels[0].id;
  const available = levels.find((l) => l.id === state.level).mapped_years;
  state.year = available.includes(wanted.year) ? wanted.year
    : wanted.year ? available.reduce((a, b) => (Math.abs(b - wanted.year) < Math.abs(a - wanted.year) ? b : a))
    : available.at(-1);
  state.colour = COLOURS.includes(wanted.colour) ? wanted.colour : "value";
  return state;
}

// ---------------------------------------------------------------- controls

function fillIndicatorSelect() {
  const select = $("indicator");
  const themes = new Map(app.catalogue.themes.map((t) => [t.id, t.label]));
  const byTheme = new Map();
  for (const ind of app.indicators.values()) {
    if (!byTheme.has(ind.theme)) byTheme.set(ind.theme, []);
    byTheme.get(ind.theme).push(ind);
  }
  select.innerHTML = [...byTheme].map(([theme, list]) =>
    `<optgroup label="${esc(themes.get(theme) || theme)}">${list.map((i) =>
      `<option value="${esc(i.id)}">${esc(i.title)}${i.user_supplied ? " (your data)" : ""}</option>`).join("")}</optgroup>`).join("");
}

function syncControls() {
  const { state } = app;
  const ind = indicator();
  $("indicator").value = state.indicator;
  $("variant").innerHTML = ind.variants.map((v) => `<option value="${esc(v.id)}">${esc(v.label)}</option>`).join("");
  $("variant").value = state.variant;
  $("variant-field").hidden = ind.variants.length < 2;
  $("level").innerHTML = mappedLevels(ind).map((l) =>
    `<option value="${esc(l.id)}">${esc(l.label)}</option>`).join("");
  $("level").value = state.level;
  const list = years();
  const slider = $("year");
  slider.max = String(list.length - 1);
  slider.value = String(list.indexOf(state.year));
  slider.disabled = list.length < 2;
  $("play").disabled = list.length < 2;
  slider.setAttribute("aria-valuetext", String(state.year));
  for (const radio of document.querySelectorAll('input[name="colour"]')) radio.checked = radio.value === state.colour;
  const polarity = ind.variants.find((v) => v.id === state.variant).polarity;
  const facts = [
    ind.description && esc(ind.description),
    [unit() && `<strong>Unit:</strong> ${esc(unit())}`, polarity === "higher" ? "higher is better" : "lower is better"]
      .filter(Boolean).join(" · "),
    [ind.source && `<strong>Source:</strong> ${esc(ind.source)}`, ind.licence && `<strong>Licence:</strong> ${esc(ind.licence)}`]
      .filter(Boolean).join(" · "),
    ind.user_supplied && "<em>Your data</em>, added through “Add your data”",
  ];
  $("indicator-about").innerHTML = facts.filter(Boolean).join("<br>");
}

function unit() {
  return indicator().variants.find((v) => v.id === app.state.variant).unit;
}

function renderLegend() {
  const { tileset, state } = app;
  const format = (v) => formatValue(v, tileset.legend.unit, indicator().decimals);
  const items = legendItems(state.colour, tileset, format);
  const sub = {
    value: `${tileset.legend.unit ? `${tileset.legend.unit} · ` : ""}${tileset.legend.better}; darker is better`,
    rank: `Rank among ${PLURAL[state.level] || "areas"} (${tileset.legend.better}); darker is better`,
    z: `Distance from the median in robust standard deviations; purple is better, orange worse`,
  }[state.colour];
  $("legend-title").textContent = `${tileset.legend.title}, ${tileset.period}`;
  $("legend-sub").textContent = sub;
  $("legend-items").innerHTML = items.map((item) =>
    `<li><span class="swatch${item.nodata ? " nodata" : ""}" data-colour="${item.colour}"></span>${esc(item.label)}</li>`).join("");
  paintSwatches($("legend-items"));
}

/** Colour elements marked data-colour (through the CSSOM: the page's CSP forbids style attributes). */
function paintSwatches(root) {
  for (const el of root.querySelectorAll("[data-colour]")) el.style.backgroundColor = el.dataset.colour;
}

function link(id, url) {
  $(id).hidden = !url;
  if (url) $(id).href = url;
}

function renderDownloads() {
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
  document.querySelector(".qgis").hidden = !tileset.tiles;
  $("qgis-url").value = absolute(tileset.tiles) || "";
  $("qgis-style").value = absolute(tileset.style);
  $("qgis-min").textContent = tileset.minzoom;
  $("qgis-max").textContent = tileset.maxzoom;
}

function announce(text) { $("announce").textContent = text; }

function status(text) {
  const el = $("status");
  el.hidden = !text;
  el.textContent = text || "";
}

// ---------------------------------------------------------------- applying a change

let applying = 0;
async function apply({ fit = false } = {}) {
  const ticket = ++applying;
  syncControls();
  writeState(app.state);
  const id = tilesetId(app.state);
  try {
    const tileset = await api.tileset(id);
    if (ticket !== applying) return;
    app.tileset = tileset;
    $("year-label").textContent = tileset.period;
    $("year").setAttribute("aria-valuetext", tileset.period);
    const ind = indicator();
    await app.map.show(tileset, app.state.colour, ind.user_supplied ? ind.attribution : null);
    if (fit) app.map.fitBounds(ind.user_supplied ? await dataBounds() : home(app.state.level));
    renderLegend();
    renderDownloads();
    status("");
    announce(`Showing ${tileset.legend.title}, ${PLURAL[app.state.level] || app.state.level}, ${tileset.period}`);
    if (app.state.areas.length) await renderAreas();
  } catch (error) {
    status(`Could not load ${id}: ${error.message}`);
  }
}

/** Where a user's indicator has values (their own county, say), else the usual view. */
async function dataBounds() {
  const { indicator: id, variant, level } = app.state;
  try {
    return (await api.indicatorAreas(id, variant, level)).bounds || home(level);
  } catch {
    return home(level);
  }
}

// ---------------------------------------------------------------- hover tooltip

function showTooltip(feature, point) {
  const p = feature.properties;
  const tip = $("tooltip");
  const value = p.value === undefined ? "no data" : formatValue(p.value, unit(), indicator().decimals);
  const rank = p.rank ? `${ordinal(p.rank)} of ${app.tileset.valued} ${PLURAL[app.state.level] || ""}` : "";
  tip.innerHTML = `<strong>${esc(p.name)}</strong>${esc(value)} · ${esc(app.tileset.period)}`
    + (rank ? `<br>Rank: ${esc(rank)}` : "");
  tip.hidden = false;
  const box = tip.parentElement.getBoundingClientRect();
  tip.style.left = `${Math.min(point.x + 14, box.width - tip.offsetWidth - 8)}px`;
  tip.style.top = `${Math.min(point.y + 14, box.height - tip.offsetHeight - 8)}px`;
}

function hideTooltip() { $("tooltip").hidden = true; }

// ---------------------------------------------------------------- area panel

async function detail(code) {
  const key = `${code}|${app.state.level}`;
  if (!app.detailCache.has(key)) app.detailCache.set(key, api.area(code, app.state.level));
  return app.detailCache.get(key);
}

const context = {
  levelLabel: (level) => app.levels.get(level)?.label || level,
  levelPlural: (level) => PLURAL[level] || "areas",
  medianName: (level) => (level.startsWith("nuts") ? `median of the ${PLURAL[level]}` : `UK median for ${PLURAL[level] || "areas"}`),
  indicatorTitle: () => {
    const ind = indicator();
    const variant = ind.variants.find((v) => v.id === app.state.variant);
    return ind.variants.length > 1 ? `${ind.title} (${variant.label})` : ind.title;
  },
  variantCount: (id) => app.indicators.get(id)?.variants.length || 1,
};

async function renderAreas() {
  const panel = $("panel");
  const codes = app.state.areas;
  app.map.select(codes);
  if (!codes.length) { panel.hidden = true; app.map.pad(0); return; }
  try {
    const [primary, ...others] = await Promise.all(codes.map((code) => detail(code)));
    $("panel-title").textContent = primary.name || primary.code;
    $("panel-body").innerHTML = renderPanel(primary, others, app.state, context);
    paintSwatches($("panel-body"));
    panel.hidden = false;
    app.map.pad(window.matchMedia("(max-width: 760px)").matches ? panel.offsetHeight : 0);
  } catch (error) {
    $("panel-title").textContent = "Area not found";
    $("panel-body").innerHTML = `<p>${esc(error.message)}</p>`;
    panel.hidden = false;
  }
}

async function openArea(code, { compare = false } = {}) {
  const { areas } = app.state;
  if (compare && areas.length) {
    if (!areas.includes(code)) app.state.areas = [...areas, code].slice(0, 4);
  } else {
    app.state.areas = [code, ...areas.slice(1).filter((c) => c !== code)];
  }
  writeState(app.state);
  await renderAreas();
  $("panel-title").focus();
  announce(`${$("panel-title").textContent}: details open`);
}

function onPanelClick(event) {
  const button = event.target.closest("button[data-action]");
  if (!button) return;
  const { action } = button.dataset;
  if (action === "compare") {
    app.compareNext = true;
    $("search").focus();
    status("Pick another area on the map or search for one to compare");
  } else if (action === "remove") {
    app.state.areas = app.state.areas.filter((c) => c !== button.dataset.code);
    writeState(app.state);
    renderAreas();
  } else if (action === "show") {
    app.state = normalise({ ...app.state, indicator: button.dataset.indicator, variant: button.dataset.variant });
    apply();
  }
}

// ---------------------------------------------------------------- search

let searchTimer = null;
let results = [];
let active = -1;

function renderResults() {
  const list = $("search-results");
  list.hidden = !results.length;
  $("search").setAttribute("aria-expanded", String(results.length > 0));
  list.innerHTML = results.map((r, i) =>
    `<li role="option" id="result-${i}" aria-selected="${i === active}" data-index="${i}">${esc(r.name)} `
    + `<small>${esc(context.levelLabel(r.level))} · ${esc(r.code)}</small></li>`).join("");
  if (active >= 0) $("search").setAttribute("aria-activedescendant", `result-${active}`);
  else $("search").removeAttribute("aria-activedescendant");
}

async function runSearch(text) {
  if (text.trim().length < 2) { results = []; renderResults(); return; }
  try {
    let found = (await api.search(text, app.state.level)).areas;
    if (!found.length) found = (await api.search(text)).areas;
    results = found;
    active = -1;
    renderResults();
  } catch (error) { status(error.message); }
}

async function choose(result) {
  results = [];
  renderResults();
  $("search").value = result.name;
  const ind = indicator();
  if (result.level !== app.state.level && ind.levels.some((l) => l.id === result.level && l.mapped_years.length)) {
    app.state = normalise({ ...app.state, level: result.level, areas: [] });
    await apply();
  }
  const compare = app.compareNext;
  if (!compare) app.map.flyToArea(result);
  app.compareNext = false;
  status("");
  await openArea(result.code, { compare });
}

function onSearchKey(event) {
  if (event.key === "ArrowDown" && results.length) { active = (active + 1) % results.length; renderResults(); event.preventDefault(); }
  else if (event.key === "ArrowUp" && results.length) { active = (active - 1 + results.length) % results.length; renderResults(); event.preventDefault(); }
  else if (event.key === "Enter" && results.length) { choose(results[Math.max(active, 0)]); event.preventDefault(); }
  else if (event.key === "Escape") { results = []; renderResults(); }
}

// ---------------------------------------------------------------- play

function stopPlaying() {
  if (app.playing) clearInterval(app.playing);
  app.playing = null;
  $("play").setAttribute("aria-pressed", "false");
  $("play").textContent = "▶";
  $("play").setAttribute("aria-label", "Play through the years");
}

function togglePlay() {
  if (app.playing) { stopPlaying(); return; }
  const list = years();
  if (app.state.year === list.at(-1)) { app.state.year = list[0]; apply(); }
  $("play").setAttribute("aria-pressed", "true");
  $("play").textContent = "❚❚";
  $("play").setAttribute("aria-label", "Pause");
  app.playing = setInterval(() => {
    const all = years();
    const next = all[all.indexOf(app.state.year) + 1];
    if (next === undefined) { stopPlaying(); return; }
    app.state.year = next;
    apply();
  }, 1400);
}

// ---------------------------------------------------------------- wiring

function wire() {
  $("indicator").addEventListener("change", (e) => {
    stopPlaying();
    app.state = normalise({ ...app.state, indicator: e.target.value, variant: null });
    apply();
  });
  $("variant").addEventListener("change", (e) => { app.state = normalise({ ...app.state, variant: e.target.value }); apply(); });
  $("level").addEventListener("change", (e) => {
    app.state = normalise({ ...app.state, level: e.target.value, areas: [] });
    $("panel").hidden = true;
    apply({ fit: true });
  });
  $("year").addEventListener("input", (e) => { app.state.year = years()[Number(e.target.value)]; apply(); });
  $("play").addEventListener("click", togglePlay);
  for (const radio of document.querySelectorAll('input[name="colour"]')) {
    radio.addEventListener("change", (e) => { app.state.colour = e.target.value; apply(); });
  }
  $("search").addEventListener("input", (e) => { clearTimeout(searchTimer); searchTimer = setTimeout(() => runSearch(e.target.value), 200); });
  $("search").addEventListener("keydown", onSearchKey);
  $("search-results").addEventListener("click", (e) => {
    const item = e.target.closest("li[data-index]");
    if (item) choose(results[Number(item.dataset.index)]);
  });
  $("panel-body").addEventListener("click", onPanelClick);
  $("panel-close").addEventListener("click", () => { app.state.areas = []; writeState(app.state); renderAreas(); });
  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.addEventListener("click", async () => {
      const input = $(button.dataset.copy);
      input.select();
      try { await navigator.clipboard.writeText(input.value); button.textContent = "Copied"; } catch { button.textContent = "Select + Ctrl-C"; }
      setTimeout(() => { button.textContent = "Copy"; }, 1500);
    });
  }
  $("drawer-toggle").addEventListener("click", () => {
    const open = $("controls").classList.toggle("open");
    $("drawer-toggle").setAttribute("aria-expanded", String(open));
  });
  $("about-open").addEventListener("click", () => $("about").showModal());
  for (const tab of document.querySelectorAll(".tab")) {
    tab.addEventListener("click", () => showTab(tab.dataset.tab));
  }
}

const views = {};

/** Switch between the map and the analysis views (each built the first time it is shown). */
async function showTab(name) {
  app.state.tab = name;
  for (const tab of document.querySelectorAll(".tab")) {
    if (tab.dataset.tab === name) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
  $("view-map").hidden = name !== "map";
  $("view-inequality").hidden = name !== "inequality";
  $("view-compare").hidden = name !== "compare";
  $("drawer-toggle").hidden = name !== "map";
  const save = () => writeState(app.state);
  if (name === "inequality" && !views.inequality) {
    views.inequality = new InequalityView(app.catalogue, app.state.ineq, save);
    await views.inequality.load();
  } else if (name === "compare" && !views.compare) {
    views.compare = new CompareView(app.catalogue, app.state.cmp, save);
    await views.compare.start();
  } else if (name === "map") {
    app.map.map.resize();
  }
  save();
  announce(`${name === "map" ? "Map" : name === "inequality" ? "Inequality within countries" : "Compare places"} view`);
}

async function loadCatalogue() {
  app.catalogue = await api.catalogue();
  app.indicators.clear();
  for (const ind of app.catalogue.indicators) {
    if (mappedLevels(ind).length) app.indicators.set(ind.id, ind);
  }
  for (const level of app.catalogue.levels) app.levels.set(level.id, level);
}

/** After an upload or a delete: new catalogue everywhere; show `added` when given. */
async function refreshCatalogue(added = null) {
  await loadCatalogue();
  fillIndicatorSelect();
  const fresh = added ? { indicator: added, variant: null, level: null, year: null, areas: [] } : {};
  app.state = normalise({ ...app.state, ...fresh });
  for (const view of [...Object.values(views), uploads]) view?.refresh?.(app.catalogue);
  if (added && app.state.tab !== "map") await showTab("map");
  await apply({ fit: Boolean(added) });
  announce(added ? `${indicator().title} added to the map` : "Indicator deleted");
}

let uploads = null;

function wireUploads() {
  if (!app.catalogue.uploads?.enabled) return;
  uploads = new UploadDialog(app.catalogue, { onAdded: refreshCatalogue, onRemoved: () => refreshCatalogue() });
  $("upload-open").hidden = false;
  $("upload-open").addEventListener("click", () => uploads.open());
}

async function main() {
  try {
    await loadCatalogue();
  } catch (error) {
    status(`Could not load the catalogue: ${error.message}`);
    return;
  }
  $("about-sources").innerHTML = app.catalogue.sources.map((s) =>
    `<li>${esc(s.title)} — ${esc(s.publisher)}. ${esc(s.attribution)} (${esc(s.licence)})</li>`).join("");
  fillIndicatorSelect();
  const wanted = readState();
  app.state = normalise(wanted);
  app.map = new MapView($("map"), {
    view: app.state.view,
    onHover: showTooltip,
    onLeave: hideTooltip,
    onClick: (code) => {
      const compare = app.compareNext;
      app.compareNext = false;
      status("");
      openArea(code, { compare });
    },
    onMove: (view) => { app.state.view = view; writeState(app.state); if (app.tileset) renderDownloads(); },
  });
  wire();
  wireUploads();
  if (STATIC) document.querySelector(".tabs").hidden = true; // the analysis views need the server
  await apply({ fit: !app.state.view });
  if (app.state.tab !== "map") await showTab(app.state.tab);
  // For automated checks and the curious: wait for drawing, map coordinates to pixels.
  window.levelup = {
    idle: () => app.map.idle(),
    project: (lon, lat) => app.map.map.project([lon, lat]),
    state: () => JSON.parse(JSON.stringify(app.state)),
  };
  document.body.dataset.ready = "true";
}

main();
