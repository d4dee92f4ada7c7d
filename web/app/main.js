// levelup web map: state, permalink and history, map, hover, area panel, search and play.

import { CompareView, InequalityView } from "./analysis.js";
import { STATIC, api, tilesetId } from "./api.js";
import { $, PLURAL, fillIndicatorSelect, mappedLevels, paintSwatches, renderDownloads, renderLegend,
  syncControls } from "./controls.js";
import { esc } from "./format.js";
import { MapView } from "./map.js";
import { renderPanel } from "./panel.js";
import { forgetIndexes, renderIndexPanel } from "./index-panel.js";
import { SearchBox, yearSpan } from "./search.js";
import { hexAvailable, renderHexNote, syncShape } from "./shape.js";
import { watchBuild } from "./building.js";
import { player } from "./play.js";
import { hideTooltip, showTooltip } from "./tooltip.js";
import { onHistory, readState, roundView, writeState } from "./state.js";
import { UploadDialog } from "./upload.js";

const COLOURS = ["value", "rank", "z", "country"];
// Opening views: the UK, or mainland Europe (GISCO bounds reach Réunion and Guadeloupe).
const HOME = { uk: [-8.2, 49.9, 1.8, 60.9], europe: [-24.5, 34.5, 42, 71.2] };
const home = (level) => (level.startsWith("nuts") ? HOME.europe : HOME.uk);

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
  indicator() { return this.indicators.get(this.state.indicator); },
  years() { return this.indicator().levels.find((l) => l.id === this.state.level).mapped_years; },
};

// ---------------------------------------------------------------- state and validation

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
  state.shape = wanted.shape === "hex" && hexAvailable(ind, state.level, state.year) ? "hex" : "map";
  return state;
}

const play = player(app, { apply, normalise });

function announce(text) { $("announce").textContent = text; }

function status(text) {
  const el = $("status");
  el.hidden = !text;
  el.textContent = text || "";
}

// ---------------------------------------------------------------- applying a change

let applying = 0;
/** Show the state: controls, URL (a history step unless `step` is false), map, legend, panel. */
function apply(options = {}) {
  app.busy = show(options);
  return app.busy;
}

/** Resolves when the latest change is on screen (for tests, and anyone who waits). */
async function settled() {
  let busy;
  do {
    busy = app.busy;
    await busy;
  } while (busy !== app.busy);
  await app.map.idle();
}

async function show({ fit = false, step = true } = {}) {
  const ticket = ++applying;
  syncControls(app);
  syncShape(app);
  writeState(app.state, { step });
  const id = tilesetId(app.state);
  try {
    const tileset = await api.tileset(id);
    if (ticket !== applying) return;
    app.tileset = tileset;
    $("year-label").textContent = tileset.period;
    $("year").setAttribute("aria-valuetext", tileset.period);
    const ind = app.indicator();
    const reshaped = app.shape !== undefined && app.shape !== app.state.shape; // map <-> hexes
    app.shape = app.state.shape;
    if (fit || reshaped) {
      app.map.fitBounds(tileset.geometry === "hex" ? tileset.bounds
        : ind.user_supplied ? await dataBounds() : home(app.state.level));
    }
    const shown = app.map.show(tileset, app.state.colour, ind.user_supplied ? ind.attribution : null);
    renderLegend(app);
    renderHexNote(app);
    renderDownloads(app);
    status("");
    announce(`Showing ${tileset.legend.title}, ${PLURAL[app.state.level] || app.state.level}, ${tileset.period}`);
    await renderAreas();
    await shown;
  } catch (error) {
    if (ticket === applying) status(`Could not load ${id}: ${error.message}`);
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

// ---------------------------------------------------------------- area panel

async function detail(code) {
  const key = `${code}|${app.state.level}`;
  if (!app.detailCache.has(key)) app.detailCache.set(key, api.area(code, app.state.level));
  return app.detailCache.get(key);
}

const context = {
  levelLabel: (level) => app.levels.get(level)?.label || level,
  levelPlural: (level) => PLURAL[level] || "areas",
  medianName: (level, count) => {
    if (app.indicator().user_supplied) return `median of the ${count || ""} areas in your data`.replace("  ", " ");
    return level.startsWith("nuts") ? `median of the ${count || ""} ${PLURAL[level]}`.replace("  ", " ")
      : `median of the ${count || ""} UK ${PLURAL[level] || "areas"}`.replace("  ", " ");
  },
  indicatorTitle: () => {
    const ind = app.indicator();
    const variant = ind.variants.find((v) => v.id === app.state.variant);
    return ind.variants.length > 1 ? `${ind.title} (${variant.label})` : ind.title;
  },
  theme: () => app.indicator().theme,
  mapped: (id, level) => Boolean(app.indicators.get(id)?.levels.some((l) => l.id === level && l.mapped_years.length)),
  variantCount: (id) => app.indicators.get(id)?.variants.length || 1,
};

/** Pad the map for the phone's bottom sheet (only when it changes: padding stops a flight). */
function padForPanel() {
  const phone = window.matchMedia("(max-width: 760px)").matches;
  const pixels = phone && !$("panel").hidden ? $("panel").offsetHeight : 0;
  if (pixels !== app.padding) { app.padding = pixels; app.map.pad(pixels); }
}

async function renderAreas() {
  const panel = $("panel");
  const codes = app.state.areas;
  app.map.select(codes);
  if (!codes.length) { panel.hidden = true; padForPanel(); return; }
  try {
    let [primary, ...others] = await Promise.all(codes.map((code) => detail(code)));
    if (!primary.series.some((s) => s.indicator === app.state.indicator && s.level === app.state.level)) {
      primary = await api.area(primary.code); // every level: to offer what has values here
    }
    $("panel-title").textContent = primary.name || primary.code;
    $("panel-body").innerHTML = renderPanel(primary, others, app.state, context);
    paintSwatches($("panel-body"));
    // the index, its pillars, where the area struggles, and similar areas
    if (!STATIC) {
      renderIndexPanel($("panel-body"), primary.code, app.state, {
        openArea: (code) => openArea(code),
        onIndexAdded: async (id) => { forgetIndexes(); await refreshCatalogue(id); },
      });
    }
  } catch (error) {
    $("panel-title").textContent = "Area not found";
    $("panel-body").innerHTML = `<p>${esc(error.message)}</p>`;
  }
  panel.hidden = false;
  padForPanel();
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

function closePanel() {
  app.state.areas = [];
  writeState(app.state);
  renderAreas();
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
    const { indicator, variant, level } = button.dataset;
    app.state = normalise({ ...app.state, indicator, variant, level: level || app.state.level });
    apply();
  }
}

// ---------------------------------------------------------------- search

function describe(result) {
  const ind = app.indicator();
  const elsewhere = !mappedLevels(ind).some((l) => l.id === result.level);
  const system = app.levels.get(result.level)?.system;
  const note = elsewhere && system !== ind.system ? (system === "nuts" ? " · Europe (Eurostat)" : " · UK (ONS)") : "";
  return [context.levelLabel(result.level), result.code, yearSpan(result)].filter(Boolean).join(" · ") + note;
}

/** A search result chosen: its level on the map if this indicator has it; zoom; open the panel. */
async function choose(result) {
  const compare = app.compareNext;
  app.compareNext = false;
  status("");
  if (!compare && result.level !== app.state.level && context.mapped(app.state.indicator, result.level)) {
    app.state = normalise({ ...app.state, level: result.level, areas: [] });
    await apply();
  }
  await openArea(result.code, { compare });
  if (!compare && !(app.state.shape === "hex" && app.map.flyToHex(result.code))) app.map.flyToArea(result);
}

// ---------------------------------------------------------------- wiring

function wire() {
  $("indicator").addEventListener("change", (e) => {
    play.stop();
    const before = app.state.level;
    app.state = normalise({ ...app.state, indicator: e.target.value, variant: null });
    apply({ fit: home(before) !== home(app.state.level) }); // UK ↔ Europe: show the new one
  });
  $("variant").addEventListener("change", (e) => { app.state = normalise({ ...app.state, variant: e.target.value }); apply(); });
  $("level").addEventListener("change", (e) => {
    play.stop();
    app.state = normalise({ ...app.state, level: e.target.value, areas: [] });
    apply({ fit: true });
  });
  $("year").addEventListener("input", (e) => { app.state.year = app.years()[Number(e.target.value)]; apply(); });
  $("play").addEventListener("click", () => play.toggle());
  for (const radio of document.querySelectorAll('input[name="colour"]')) {
    radio.addEventListener("change", (e) => { app.state.colour = e.target.value; apply(); });
  }
  for (const button of document.querySelectorAll("#shape button")) {
    button.addEventListener("click", () => {
      play.stop();
      app.state = normalise({ ...app.state, shape: button.dataset.shape });
      apply();
    });
  }
  app.search = new SearchBox({ level: () => app.state.level, describe, onChoose: choose,
    onError: (error) => status(error.message) });
  $("panel-body").addEventListener("click", onPanelClick);
  $("panel-close").addEventListener("click", closePanel);
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || e.defaultPrevented || document.querySelector("dialog[open]")) return;
    if (!$("panel").hidden && app.state.tab === "map") { closePanel(); $("search").focus(); }
  });
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
  onHistory((state) => { app.busy = restore(state); });
}

/** Back or Forward: show that step's view as it was (camera included). */
async function restore(wanted) {
  play.stop();
  app.state = normalise(wanted);
  app.shape = app.state.shape; // the step's own camera, not a fresh fit
  if (app.state.view) app.map.map.jumpTo({ center: [app.state.view.lon, app.state.view.lat], zoom: app.state.view.zoom });
  if (app.state.tab !== currentTab) await showTab(app.state.tab, { step: false });
  await apply({ step: false });
}

const views = {};
let currentTab = "map";

/** Switch between the map and the analysis views (each built the first time it is shown). */
async function showTab(name, { step = true } = {}) {
  currentTab = name;
  app.state.tab = name;
  for (const tab of document.querySelectorAll(".tab")) {
    if (tab.dataset.tab === name) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
  $("view-map").hidden = name !== "map";
  $("view-inequality").hidden = name !== "inequality";
  $("view-compare").hidden = name !== "compare";
  $("drawer-toggle").hidden = name !== "map";
  const save = () => writeState(app.state, { step });
  if (name === "inequality" && !views.inequality) {
    views.inequality = new InequalityView(app.catalogue, app.state.ineq, save);
    await views.inequality.load();
  } else if (name === "compare" && !views.compare) {
    views.compare = new CompareView(app.catalogue, app.state.cmp, save, { levels: app.levels });
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
  fillIndicatorSelect(app);
  const fresh = added ? { indicator: added, variant: null, level: null, year: null, areas: [] } : {};
  app.state = normalise({ ...app.state, ...fresh });
  for (const view of [...Object.values(views), uploads]) view?.refresh?.(app.catalogue);
  if (added && app.state.tab !== "map") await showTab("map");
  await apply({ fit: Boolean(added) });
  announce(added ? `${app.indicator().title} added to the map` : "Indicator deleted");
}

/** More tilesets were built behind the map: the new catalogue in the pickers, the view kept. */
async function moreBuilt() {
  await loadCatalogue();
  fillIndicatorSelect(app);
  syncControls(app);
  for (const view of [...Object.values(views), uploads]) view?.refresh?.(app.catalogue);
}

let uploads = null;

function wireUploads() {
  if (!app.catalogue.uploads?.enabled) return;
  uploads = new UploadDialog(app.catalogue, { onAdded: refreshCatalogue, onRemoved: () => refreshCatalogue() });
  $("upload-open").hidden = false;
  $("upload-open").addEventListener("click", () => uploads.open());
}

/** The map moved: snap to the view the permalink can hold, then record it. */
function onMove(view) {
  const snapped = roundView(view);
  if (Math.abs(snapped.zoom - view.zoom) > 1e-9 || Math.abs(snapped.lat - view.lat) > 1e-9
      || Math.abs(snapped.lon - view.lon) > 1e-9) {
    app.map.map.jumpTo({ center: [snapped.lon, snapped.lat], zoom: snapped.zoom });
    return;
  }
  app.state.view = snapped;
  writeState(app.state, { step: false });
  if (app.tileset) renderDownloads(app);
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
  fillIndicatorSelect(app);
  app.state = normalise(readState());
  app.map = new MapView($("map"), {
    view: app.state.view,
    context: app.catalogue.context,
    onHover: (feature, point, tileset) => showTooltip(feature, point, tileset, app.state.colour),
    onLeave: hideTooltip,
    onClick: (code) => {
      const compare = app.compareNext;
      app.compareNext = false;
      status("");
      openArea(code, { compare });
    },
    onMove,
  });
  wire();
  wireUploads();
  const checkBuild = watchBuild($("building"), moreBuilt);
  if (STATIC) document.querySelector(".tabs").hidden = true; // the analysis views need the server
  await apply({ fit: !app.state.view, step: false });
  if (app.state.tab !== "map") await showTab(app.state.tab, { step: false });
  // For automated checks and the curious: wait for drawing, map coordinates to pixels.
  window.levelup = {
    idle: settled,
    project: (lon, lat) => app.map.map.project([lon, lat]),
    bounds: () => app.map.bounds(),
    state: () => JSON.parse(JSON.stringify(app.state)),
    checkBuild,
  };
  document.body.dataset.ready = "true";
}

main();
