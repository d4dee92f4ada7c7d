// The two analysis views: inequality within countries over time, and comparing places.

import { api } from "./api.js";
import { LINE_COLOURS, lineChart } from "./chart.js";
import { esc } from "./format.js";

const $ = (id) => document.getElementById(id);
const FAVOURITES = ["DE", "FR", "IT", "ES", "UK", "PL", "NL"];
// The European Union as one more line: every region of its member states together.
const UNIONS = ["EU27_2020", "EU28"];
const UNION_COLOUR = "#0b0c0c";

async function getJSON(path) {
  const response = await fetch(path);
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ? body.error.message : response.statusText);
  return body;
}

function paint(root) {
  for (const el of root.querySelectorAll("[data-colour]")) el.style.backgroundColor = el.dataset.colour;
}

/** A chart as wide as its box (so its text stays at its CSS size), 760 × 380 at most. */
function chartSize(box) {
  const width = Math.round(Math.max(320, Math.min(760, box.clientWidth || 760)));
  return { width, height: Math.round(Math.max(260, width / 2)) };
}

function options(select, list, value) {
  select.innerHTML = list.map(([id, label]) => `<option value="${esc(id)}">${esc(label)}</option>`).join("");
  if (value !== undefined && list.some(([id]) => id === value)) select.value = value;
}

/** Inequality within countries: one line per country for the chosen measure. */
export class InequalityView {
  constructor(catalogue, state, onChange) {
    this.catalogue = catalogue;
    this.state = state; // {indicator, variant, level, measure, countries: []}
    this.onChange = onChange;
    for (const id of ["ineq-indicator", "ineq-variant", "ineq-level", "ineq-measure"]) {
      $(id).addEventListener("change", () => this.read(id));
    }
    $("ineq-countries").addEventListener("change", () => {
      const checked = [...$("ineq-countries").querySelectorAll("input:checked")].map((i) => i.value);
      this.state.union = checked.some((c) => UNIONS.includes(c)) ? "1" : "0";
      this.state.countries = checked.filter((c) => !UNIONS.includes(c));
      this.render();
    });
  }

  refresh(catalogue) {
    this.catalogue = catalogue;
    if (!catalogue.indicators.some((i) => i.id === this.state.indicator)) {
      Object.assign(this.state, { indicator: null, variant: null, level: null });
    }
    this.load();
  }

  read(changed) {
    this.state.indicator = $("ineq-indicator").value;
    if (changed === "ineq-indicator") { this.state.variant = null; this.state.level = null; }
    else {
      this.state.variant = $("ineq-variant").value;
      this.state.level = $("ineq-level").value;
    }
    this.state.measure = $("ineq-measure").value;
    this.load();
  }

  query() {
    const q = new URLSearchParams();
    for (const key of ["indicator", "variant", "level"]) if (this.state[key]) q.set(key, this.state[key]);
    return q.toString();
  }

  async load() {
    try {
      this.data = await getJSON(`/api/inequality?${this.query()}`);
    } catch (error) {
      $("ineq-chart").innerHTML = `<p class="notice">${esc(error.message)}</p>`;
      return;
    }
    const d = this.data;
    Object.assign(this.state, { indicator: d.indicator, variant: d.variant, level: d.level });
    const titles = new Map(this.catalogue.indicators.map((i) => [i.id, i]));
    options($("ineq-indicator"), d.choices.indicators.map((id) => [id, titles.get(id)?.title || id]), d.indicator);
    const variants = titles.get(d.indicator)?.variants || [];
    options($("ineq-variant"), d.choices.variants.map((id) => [id, variants.find((v) => v.id === id)?.label || id]), d.variant);
    const levels = new Map(this.catalogue.levels.map((l) => [l.id, l.label]));
    options($("ineq-level"), d.choices.levels.map((id) => [id, levels.get(id) || id]), d.level);
    options($("ineq-measure"), Object.entries(d.measures), this.state.measure || "dispersion");
    this.state.measure = $("ineq-measure").value;
    const available = Object.keys(d.countries).filter((c) => !UNIONS.includes(c));
    const union = UNIONS.find((c) => d.countries[c]);
    let chosen = (this.state.countries || []).filter((c) => available.includes(c));
    if (!chosen.length) chosen = FAVOURITES.filter((c) => available.includes(c));
    if (!chosen.length) chosen = available.slice(0, 6);
    this.state.countries = chosen;
    const box = (c, on, extra = "") => `<label${extra}><input type="checkbox" value="${esc(c)}"${on ? " checked" : ""}> ${esc(d.countries[c])}</label>`;
    $("ineq-countries").innerHTML = (union ? box(union, this.state.union !== "0", ' class="union"') : "")
      + available.map((c) => box(c, chosen.includes(c))).join("");
    $("ineq-note").textContent = d.comparability;
    this.render();
  }

  render() {
    const d = this.data;
    if (!d) return;
    const measure = this.state.measure;
    const palette = LINE_COLOURS.filter((c) => c !== "#000000"); // black is the Union's
    const lines = this.state.countries.slice(0, palette.length).map((c, i) => ({
      label: d.countries[c], colour: palette[i],
      points: (d.series[c] || []).map((r) => ({ year: r.year, value: r[measure] })),
    }));
    const union = UNIONS.find((c) => d.series[c]);
    if (union && this.state.union !== "0") {
      lines.unshift({ label: d.countries[union], dashed: true, colour: UNION_COLOUR,
        points: d.series[union].map((r) => ({ year: r.year, value: r[measure] })) });
    }
    const weighted = Object.values(d.series).flat().some((r) => r.weighted);
    const unit = measure === "dispersion" || measure === "cv" ? "%" : "";
    $("ineq-chart").innerHTML = `<h3>${esc(d.measures[measure])}</h3><p class="hint">${esc(d.title)}, `
      + `${esc(d.variant)}, ${esc(d.level)} regions; ${weighted ? "weighted by population" : "unweighted (no populations in the source)"}. `
      + `Higher means more unequal.${this.state.countries.length > palette.length ? ` Showing the first ${palette.length} countries.` : ""}</p>`
      + lineChart({ lines, unit, decimals: measure === "gini" || measure === "theil" ? 3 : 1,
        title: `${d.measures[measure]} by country`, medianLabel: "", ...chartSize($("ineq-chart")) });
    paint($("ineq-chart"));
    const csv = new URLSearchParams(this.query());
    csv.set("countries", [...(union && this.state.union !== "0" ? [union] : []), ...this.state.countries].join(","));
    $("ineq-csv").href = `/api/inequality.csv?${csv}`;
    this.onChange();
  }
}

/** Compare areas, groups and countries on one indicator. */
export class CompareView {
  constructor(catalogue, state, onChange, { levels } = {}) {
    this.catalogue = catalogue;
    this.state = state; // {indicator, variant, items: []}
    this.onChange = onChange;
    this.levels = levels || new Map();
    this.groups = [];
    this.labels = new Map(); // item → name, so chips never show raw ids
    this.notes = [];
    $("cmp-indicator").addEventListener("change", (e) => { this.state.indicator = e.target.value; this.state.variant = null; this.setup(); });
    $("cmp-variant").addEventListener("change", (e) => { this.state.variant = e.target.value; this.notes = []; this.load(); });
    $("cmp-add").addEventListener("change", (e) => {
      if (e.target.value) this.add(e.target.value, e.target.selectedOptions[0].textContent);
      e.target.value = "";
    });
    $("cmp-items").addEventListener("click", (e) => {
      const button = e.target.closest("button[data-item]");
      if (button) { this.state.items = this.state.items.filter((i) => i !== button.dataset.item); this.notes = []; this.load(); }
    });
    let timer = null;
    $("cmp-search").addEventListener("input", (e) => { clearTimeout(timer); timer = setTimeout(() => this.search(e.target.value), 200); });
    $("cmp-results").addEventListener("click", (e) => {
      const li = e.target.closest("li[data-code]");
      if (li) {
        this.add(li.dataset.code, li.dataset.name);
        $("cmp-results").hidden = true;
        $("cmp-search").value = "";
      }
    });
  }

  indicator() { return this.catalogue.indicators.find((i) => i.id === this.state.indicator); }

  refresh(catalogue) {
    this.catalogue = catalogue;
    if (!this.indicator()) Object.assign(this.state, { indicator: null, variant: null });
    this.start();
  }

  async start() {
    this.groups = (await getJSON("/api/groups")).groups;
    for (const g of this.groups) this.labels.set(`group:${g.id}`, g.title);
    const withData = this.catalogue.indicators.filter((i) => i.levels.length);
    if (!this.state.indicator && withData.some((i) => i.id === "eu-gdp-per-head-2017")) {
      Object.assign(this.state, { indicator: "eu-gdp-per-head-2017", variant: "pps" });
    }
    options($("cmp-indicator"), withData.map((i) => [i.id, i.title]), this.state.indicator);
    this.state.indicator = $("cmp-indicator").value;
    await this.setup();
  }

  /** Countries (and the UK and its nations for ONS indicators) this indicator has values for. */
  async countries(ind) {
    const has = (level) => ind.levels.some((l) => l.id === level);
    const areas = async (level) => (await getJSON(`/api/indicators/${ind.id}/areas?variant=${this.state.variant}&level=${level}`)).areas;
    const out = [];
    if (has("uk")) out.push({ code: "K02000001", name: "United Kingdom" });
    for (const level of ["ctry", "nuts0"]) if (has(level)) out.push(...await areas(level));
    return out;
  }

  async setup() {
    const ind = this.indicator();
    options($("cmp-variant"), ind.variants.map((v) => [v.id, v.label]), this.state.variant);
    this.state.variant = $("cmp-variant").value;
    $("cmp-variant-field").hidden = ind.variants.length < 2;
    const countries = await this.countries(ind);
    for (const c of countries) this.labels.set(c.code, c.name || c.code);
    $("cmp-add").innerHTML = `<option value="">Choose…</option>`
      + `<optgroup label="Groups">${this.groups.map((g) => `<option value="group:${esc(g.id)}">${esc(g.title)}${g.source === "user" ? " (yours)" : ""}</option>`).join("")}</optgroup>`
      + (countries.length ? `<optgroup label="Countries">${countries.map((c) => `<option value="${esc(c.code)}">${esc(c.name || c.code)}</option>`).join("")}</optgroup>` : "");
    if (!this.state.items.length) {
      this.state.items = ind.system === "nuts" || ind.id.startsWith("eu-") ? ["group:the-north", "NL"]
        : ["K02000001", "group:the-north", "group:greater-south-east"].filter((i) => i !== "K02000001" || countries.length);
    }
    this.notes = [];
    await this.load();
  }

  add(item, label) {
    if (label) this.labels.set(item, label.trim());
    if (!this.state.items.includes(item) && this.state.items.length < 8) this.state.items.push(item);
    this.notes = [];
    this.load();
  }

  async search(text) {
    const list = $("cmp-results");
    if (text.trim().length < 2) { list.hidden = true; return; }
    const found = (await api.search(text)).areas;
    list.innerHTML = found.map((a) => `<li role="option" data-code="${esc(a.code)}" data-name="${esc(a.name)}">${esc(a.name)} `
      + `<small>${esc(this.levels.get(a.level)?.label || a.level)} · ${esc(a.code)}</small></li>`).join("");
    list.hidden = !found.length;
  }

  chips(items) {
    $("cmp-items").innerHTML = items.map((it, i) => `<li>${it.colour === false ? "" : `<span class="swatch" data-colour="${LINE_COLOURS[i % LINE_COLOURS.length]}"></span>`}`
      + `${esc(it.label)} <button type="button" data-item="${esc(it.item)}" aria-label="Remove ${esc(it.label)}">×</button></li>`).join("");
    paint($("cmp-items"));
  }

  /** Chart what can be shown; what this indicator cannot show is taken off with a note. */
  async load() {
    const ind = this.indicator();
    if (!this.state.items.length) {
      this.chips([]);
      $("cmp-chart").innerHTML = `<p class="hint">Add places to compare.</p>`;
      $("cmp-methods").innerHTML = this.notes.map((n) => `<li>${esc(n)}</li>`).join("");
      this.onChange();
      return;
    }
    let body;
    try {
      body = await getJSON(`/api/indicators/${ind.id}/compare?variant=${this.state.variant}&items=${encodeURIComponent(this.state.items.join(","))}`);
    } catch (error) {
      this.chips(this.state.items.map((item) => ({ item, label: this.labels.get(item) || item, colour: false })));
      $("cmp-chart").innerHTML = `<p class="notice">Could not compare: ${esc(error.message)}</p>`;
      this.onChange();
      return;
    }
    for (const it of [...body.items, ...body.refused]) this.labels.set(it.item, it.label);
    this.notes.push(...body.refused.map((r) => `${r.label} taken off: ${r.reason}.`));
    this.state.items = body.items.map((it) => it.item);
    this.chips(body.items);
    const lines = body.items.map((it) => ({ label: it.label, points: it.series.map((s) => ({ year: s.year, value: s.value })) }));
    $("cmp-chart").innerHTML = `<h3>${esc(body.title)}${ind.variants.length > 1 ? ` (${esc(ind.variants.find((v) => v.id === body.variant).label)})` : ""}</h3>`
      + (lines.length ? lineChart({ lines, unit: body.unit, decimals: body.decimals, title: `${body.title}, compared`,
        medianLabel: "", ...chartSize($("cmp-chart")) }) : `<p class="hint">Nothing left to compare on this indicator: add places with values.</p>`);
    $("cmp-methods").innerHTML = body.items.map((it) => `<li><strong>${esc(it.label)}</strong>: ${esc(it.method)}`
      + `${it.members ? ` (${it.members.length} ${esc(this.levels.get(it.level)?.label.toLowerCase() || it.level)} areas)` : ""}</li>`).join("")
      + this.notes.map((n) => `<li class="note">${esc(n)}</li>`).join("");
    paint($("cmp-chart"));
    this.onChange();
  }
}
