// Map or hexes: the same data drawn on the real boundaries or on a hex cartogram (one hexagon
// per area, Open Innovations' layouts), the switch on the map, and what the hex map leaves out.

import { esc } from "./format.js";

const $ = (id) => document.getElementById(id);

/** Whether the indicator has a hex map at this level and year. */
export function hexAvailable(ind, level, year) {
  const entry = ind.levels.find((l) => l.id === level);
  return Boolean(entry && (entry.hex_years || []).includes(year));
}

/** Set the Map | Hexes switch to the state (hexes disabled where there is no hex map). */
export function syncShape(app) {
  const { state } = app;
  const ind = app.indicator();
  const possible = hexAvailable(ind, state.level, state.year);
  for (const button of document.querySelectorAll("#shape button")) {
    button.setAttribute("aria-pressed", String(button.dataset.shape === state.shape));
    if (button.dataset.shape === "hex") {
      button.disabled = !possible;
      button.title = possible ? "Every area as one hexagon of the same size"
        : "No hex map for this geography and year (hex maps exist for districts)";
    }
  }
}

/** Under the legend: the layout a hex map uses and every area with a value it cannot show. */
export function renderHexNote(app) {
  const note = $("hex-note");
  const { tileset } = app;
  if (!tileset || tileset.geometry !== "hex") { note.hidden = true; note.innerHTML = ""; return; }
  const missing = tileset.missing || [];
  const listed = missing.map((m) => `<li>${esc(m.name)} (${esc(m.code)}): ${esc(m.why)}</li>`).join("");
  note.innerHTML = `Each area is one hexagon of the same size (${esc(tileset.layout.title)},`
    + ` Open Innovations).${missing.length ? ` Not on this hex map, though it has a value: <ul>${listed}</ul>`
      : " Every area with a value is shown."}`;
  note.hidden = false;
}
