// The view as a permalink (indicator, measure, level, year, colouring, map or hexes, areas,
// map view), and the browser history: each view a person makes is a step Back and Forward
// go through.

const KEYS = ["indicator", "variant", "level", "year", "colour", "shape", "areas", "view", "tab"];
// The analysis views keep their own settings under prefixed keys.
const VIEWS = {
  ineq: ["indicator", "variant", "level", "measure", "countries", "union"],
  cmp: ["indicator", "variant", "items"],
};
const LISTS = new Set(["countries", "items"]);
// Changes closer together than this make one step (dragging the year slider, typing).
const STEP_MS = 800;

/** Read the state from the page URL (unvalidated strings). */
export function readState(search = window.location.search) {
  const params = new URLSearchParams(search);
  const state = {};
  for (const key of KEYS) {
    if (params.has(key)) state[key] = params.get(key);
  }
  state.areas = state.areas ? state.areas.split(",").filter(Boolean).slice(0, 4) : [];
  if (state.year) state.year = Number(state.year);
  if (state.view) {
    const [zoom, lat, lon] = state.view.split("/").map(Number);
    state.view = [zoom, lat, lon].every(Number.isFinite) ? { zoom, lat, lon } : null;
  }
  for (const [prefix, keys] of Object.entries(VIEWS)) {
    state[prefix] = {};
    for (const key of keys) {
      const value = params.get(`${prefix}_${key}`);
      state[prefix][key] = LISTS.has(key) ? (value ? value.split(",").filter(Boolean) : []) : value;
    }
  }
  return state;
}

/** The camera as the permalink writes it; the map snaps to it so a link restores the same picture. */
export function roundView({ zoom, lat, lon }) {
  return { zoom: Number(zoom.toFixed(3)), lat: Number(lat.toFixed(5)), lon: Number(lon.toFixed(5)) };
}

/** The query string of a state, without and with the map view. */
function query(state) {
  const params = new URLSearchParams();
  for (const key of ["indicator", "variant", "level", "year", "colour"]) {
    if (state[key] !== undefined && state[key] !== null) params.set(key, String(state[key]));
  }
  if (state.shape === "hex") params.set("shape", "hex");
  if (state.areas.length) params.set("areas", state.areas.join(","));
  if (state.tab && state.tab !== "map") params.set("tab", state.tab);
  for (const [prefix, keys] of Object.entries(VIEWS)) {
    if (state.tab !== (prefix === "ineq" ? "inequality" : "compare")) continue;
    for (const key of keys) {
      const value = state[prefix]?.[key];
      if (LISTS.has(key) ? value?.length : value) params.set(`${prefix}_${key}`, LISTS.has(key) ? value.join(",") : value);
    }
  }
  const step = params.toString();
  if (state.view) {
    const { zoom, lat, lon } = roundView(state.view);
    params.set("view", `${zoom}/${lat}/${lon}`);
  }
  const tidy = (text) => text.replaceAll("%2F", "/").replaceAll("%2C", ",").replaceAll("%3A", ":");
  return { step: tidy(step), full: tidy(params.toString()) };
}

let lastStep = null;
let lastChange = 0;

/**
 * Write the state into the URL (so it can be shared or bookmarked). A change of what is shown
 * (not of the map view) is a new history step, unless it follows the previous change within
 * STEP_MS (then it updates that step). `step: false` never makes a step (playing, restoring).
 */
export function writeState(state, { step = true } = {}) {
  const { step: key, full } = query(state);
  const url = `${window.location.pathname}?${full}`;
  const now = performance.now();
  if (lastStep === null) lastStep = key;
  if (step && key !== lastStep && now - lastChange > STEP_MS) {
    window.history.pushState(null, "", url);
  } else {
    window.history.replaceState(null, "", url);
  }
  if (key !== lastStep) {
    if (step) lastChange = now;
    lastStep = key;
  }
}

/** Call `restore(state)` when Back or Forward brings up another step. */
export function onHistory(restore) {
  window.addEventListener("popstate", () => {
    const state = readState();
    lastStep = query({ ...state, view: null }).step;
    lastChange = 0;
    restore(state);
  });
}
