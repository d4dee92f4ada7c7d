// The map's "Find an area" box: a combobox over /api/areas, UK and European areas alike.

import { api } from "./api.js";
import { esc } from "./format.js";

const $ = (id) => document.getElementById(id);

/** Years a result's code is valid in, e.g. "2019–2024" (tells apart recoded areas). */
export function yearSpan(area) {
  if (!area.year_from && !area.year_to) return "";
  if (area.year_from === area.year_to) return String(area.year_from);
  return `${area.year_from || "…"}–${area.year_to || "…"}`;
}

export class SearchBox {
  /** `describe(result)` gives the small print of a row; `onChoose(result)` acts on a choice. */
  constructor({ level, describe, onChoose, onError }) {
    this.level = level;
    this.describe = describe;
    this.onChoose = onChoose;
    this.onError = onError;
    this.results = [];
    this.active = -1;
    this.timer = null;
    const input = $("search");
    input.addEventListener("input", (e) => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.run(e.target.value), 200);
    });
    input.addEventListener("keydown", (e) => this.key(e));
    $("search-results").addEventListener("click", (e) => {
      const item = e.target.closest("li[data-index]");
      if (item) this.choose(this.results[Number(item.dataset.index)]);
    });
  }

  render() {
    const list = $("search-results");
    list.hidden = !this.results.length;
    $("search").setAttribute("aria-expanded", String(this.results.length > 0));
    list.innerHTML = this.results.map((r, i) =>
      `<li role="option" id="result-${i}" aria-selected="${i === this.active}" data-index="${i}">${esc(r.name)} `
      + `<small>${esc(this.describe(r))}</small></li>`).join("");
    if (this.active >= 0) $("search").setAttribute("aria-activedescendant", `result-${this.active}`);
    else $("search").removeAttribute("aria-activedescendant");
  }

  clear() {
    this.results = [];
    this.active = -1;
    this.render();
  }

  /** Areas at the map's level first, then every other level (UK and Europe). */
  async run(text) {
    if (text.trim().length < 2) { this.clear(); return; }
    try {
      const level = this.level();
      const [here, everywhere] = await Promise.all([api.search(text, level), api.search(text)]);
      const seen = new Set(here.areas.map((a) => `${a.code}|${a.level}`));
      this.results = [...here.areas, ...everywhere.areas.filter((a) => !seen.has(`${a.code}|${a.level}`))].slice(0, 12);
      this.active = -1;
      this.render();
    } catch (error) { this.onError(error); }
  }

  choose(result) {
    this.clear();
    $("search").value = result.name;
    this.onChoose(result);
  }

  key(event) {
    const n = this.results.length;
    if (event.key === "ArrowDown" && n) { this.active = (this.active + 1) % n; this.render(); event.preventDefault(); }
    else if (event.key === "ArrowUp" && n) { this.active = (this.active - 1 + n) % n; this.render(); event.preventDefault(); }
    else if (event.key === "Enter" && n) { this.choose(this.results[Math.max(this.active, 0)]); event.preventDefault(); }
    else if (event.key === "Escape" && n) { this.clear(); event.stopPropagation(); }
  }
}
