// The view as a permalink: indicator, measure, level, year, colouring, areas and map view.

const KEYS = ["indicator", "variant", "level", "year", "colour", "areas", "view", "tab"];
// The analysis views keep their own settings under prefixed keys.
const VIEWS = {
  ineq: ["indicator", "variant", "level", "measure", "countries"],
  cmp: ["indicator", "variant", "items"],
};
const LISTS = new Set(["countries", "items"]);

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

/** Write the state into the URL without reloading (so it can be shared or bookmarked). */
export function writeState(state) {
  const params = new URLSearchParams();
  for (const key of ["indicator", "variant", "level", "year", "colour"]) {
    if (state[key] !== undefined && state[key] !== null) params.set(key, String(state[key]));
  }
  if (state.areas.length) params.set("areas", state.areas.join(","));
  if (state.tab && state.tab !== "map") params.set("tab", state.tab);
  for (const [prefix, keys] of Object.entries(VIEWS)) {
    if (state.tab !== (prefix === "ineq" ? "inequality" : "compare")) continue;
    for (const key of keys) {
      const value = state[prefix]?.[key];
      if (LISTS.has(key) ? value?.length : value) params.set(`${prefix}_${key}`, LISTS.has(key) ? value.join(",") : value);
    }
  }
  if (state.view) {
    const { zoom, lat, lon } = state.view;
    params.set("view", `${zoom.toFixed(2)}/${lat.toFixed(4)}/${lon.toFixed(4)}`);
  }
  const url = `${window.location.pathname}?${params.toString().replaceAll("%2F", "/").replaceAll("%2C", ",")}`;
  window.history.replaceState(null, "", url);
}
