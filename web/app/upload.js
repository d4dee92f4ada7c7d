// "Add your data": upload a CSV or XLSX, see what was detected and how well the codes match,
// adjust, then build it into an indicator (or delete one of yours).

import { esc } from "./format.js";

const $ = (id) => document.getElementById(id);
const GUARD = { "X-Requested-With": "levelup" };
const SHAPES = {
  tidy: "one row per area and period",
  "wide-years": "one column per year",
  "wide-indicators": "one column per measure",
};
const REASONS = {
  superseded: "code replaced",
  newer: "code newer than these boundaries",
  other_vintage: "code from another vintage",
  no_polygon: "no boundary exists",
  unknown: "not a known code",
};

// The pipeline's messages name command-line options; in the dialog they name its controls.
const CONTROLS = [
  [/(?:name it|name them|give one|choose one|name the level) with --code-column/g, "choose the column under “Area codes” below"],
  [/(?:name it|name them|give one) with --value-column/g, "tick them under “Value columns” below"],
  [/(?:give one|name it) with --period ([^\s,;)]+)/g, "type one in “or one period” below (e.g. $1)"],
  [/(?:choose one|name the level|name it) with --level/g, "choose it under “Geography” below"],
  [/--code-column/g, "“Area codes”"], [/--period-column/g, "“Period column”"],
  [/--value-column/g, "“Value columns”"], [/--period\b/g, "“or one period”"], [/--level\b/g, "“Geography”"],
  [/--name-column/g, "the name column"], [/--title/g, "“Title”"], [/--unit/g, "“Unit”"],
  [/'value_columns'/g, "“Value columns”"], [/'title'/g, "“Title”"], [/'unit'/g, "“Unit”"],
  [/'source'/g, "“Source”"], [/'licence'/g, "“Licence”"], [/'description'/g, "“Description”"],
  [/'decimals'/g, "“Decimals”"], [/'polarity'/g, "“Better is”"],
];

/** A message for the person at the dialog: the controls to change, not command options. */
export function forPeople(text) {
  return CONTROLS.reduce((out, [pattern, words]) => out.replace(pattern, words), String(text));
}

async function send(method, path, body, headers = {}) {
  const response = await fetch(path, { method, body, headers: { ...GUARD, ...headers } });
  if (response.status === 204) return null;
  let data = null;
  try { data = await response.json(); } catch { /* not JSON */ }
  if (!response.ok) {
    const error = new Error(data?.error?.detail || data?.error?.message || `${response.status} ${response.statusText}`);
    error.info = data?.error || {};
    error.body = data || {};
    throw error;
  }
  return data;
}

function options(list, selected, blank) {
  return (blank ? `<option value="">${esc(blank)}</option>` : "")
    + list.map(([value, label]) => `<option value="${esc(value)}"${value === selected ? " selected" : ""}>${esc(label)}</option>`).join("");
}

/** The dialog: file → preview (with choices) → details → build; and a list of your indicators. */
export class UploadDialog {
  constructor(catalogue, { onAdded, onRemoved }) {
    this.catalogue = catalogue;
    this.onAdded = onAdded;
    this.onRemoved = onRemoved;
    this.upload = null;
    this.preview = null;
    $("upload-limit").textContent = String(catalogue.uploads.max_mb);
    $("upload-file").addEventListener("change", () => this.send());
    $("upload-choices").addEventListener("change", () => this.again());
    $("upload-form").addEventListener("submit", (e) => { e.preventDefault(); this.build(); });
    $("upload-cancel").addEventListener("click", () => this.close());
    $("upload").addEventListener("close", () => this.forget());
    $("user-list").addEventListener("click", (e) => {
      const button = e.target.closest("button[data-remove]");
      if (button) this.remove(button.dataset.remove, button.dataset.title);
    });
  }

  refresh(catalogue) { this.catalogue = catalogue; }

  open() {
    this.reset();
    this.renderMine();
    $("upload").showModal();
    $("upload-file").focus();
  }

  close() { $("upload").close(); }

  reset() {
    this.upload = null;
    this.preview = null;
    $("upload-form").reset();
    $("upload-preview").innerHTML = "";
    $("upload-choices").innerHTML = "";
    $("upload-details").hidden = true;
    $("upload-build").disabled = true;
    this.error(null);
  }

  forget() {
    if (this.upload) send("DELETE", `/api/uploads/${this.upload}`).catch(() => {});
    this.upload = null;
  }

  busy(text) {
    $("upload-status").textContent = text || "";
    $("upload-status").hidden = !text;
    $("upload-build").disabled = Boolean(text) || !this.preview;
  }

  error(error) {
    const box = $("upload-error");
    if (!error) { box.hidden = true; box.textContent = ""; return; }
    const info = error.info || {};
    const where = [info.file, info.line && `line ${info.line}`, info.column && `column “${info.column}”`].filter(Boolean).join(", ");
    box.innerHTML = `<strong>${esc(forPeople(error.message))}</strong>${where ? `<br><small>${esc(where)}</small>` : ""}`;
    box.hidden = false;
  }

  async send() {
    const file = $("upload-file").files[0];
    this.forget();
    this.reset();
    if (!file) return;
    const limit = this.catalogue.uploads.max_mb;
    if (file.size > limit * 1024 * 1024) {
      this.error(new Error(`${file.name} is ${(file.size / 1048576).toFixed(1)} MB; the limit is ${limit} MB`));
      return;
    }
    this.busy(`Reading ${file.name}…`);
    try {
      const data = await send("POST", `/api/uploads?name=${encodeURIComponent(file.name)}`, file,
        { "Content-Type": "application/octet-stream" });
      this.upload = data.upload;
      this.show(data.preview, true);
    } catch (error) {
      this.error(error);
      if (error.body?.upload) this.rescue(error.body);
    } finally {
      this.busy("");
    }
  }

  choices() {
    const form = $("upload-choices");
    const value = (name) => form.querySelector(`[name="${name}"]`)?.value || null;
    const values = [...form.querySelectorAll('input[name="value_columns"]:checked')].map((i) => i.value);
    return {
      code_column: value("code_column"), period_column: value("period_column"),
      period: value("period"), level: value("level"),
      value_columns: values.length ? values : null,
    };
  }

  details() {
    const text = (id) => $(id).value.trim() || null;
    const decimals = $("upload-decimals").value;
    return {
      title: text("upload-title"), unit: $("upload-unit").value.trim(),
      polarity: $("upload-polarity").value, source: text("upload-source"),
      licence: text("upload-licence"), description: text("upload-description"),
      decimals: decimals === "" ? null : Number(decimals),
    };
  }

  async again() {
    if (!this.upload) return;
    this.busy("Checking again…");
    this.error(null);
    try {
      const body = JSON.stringify({ ...this.choices(), title: $("upload-title").value.trim() || null });
      const data = await send("POST", `/api/uploads/${this.upload}/preview`, body, { "Content-Type": "application/json" });
      this.show(data.preview, false);
    } catch (error) {
      this.error(error);
    } finally {
      this.busy("");
    }
  }

  /** The table was read but not understood: offer its columns so the user can say. */
  rescue(body) {
    this.upload = body.upload;
    this.renderChoices({
      columns: body.columns, code_column: null, period_column: null, period: null,
      name_column: null, value_columns: [], level: null, format: "tidy",
    });
    $("upload-title").value = "";
  }

  show(p, first) {
    this.preview = p;
    const pct = (100 * p.match_rate).toFixed(1);
    const unmatched = p.unmatched.slice(0, 50).map((u) =>
      `<tr><td>${esc(u.code)}</td><td>${esc(REASONS[u.reason] || u.reason)}</td><td>${esc(u.detail || "")}</td></tr>`).join("");
    const ignored = p.ignored_rows.slice(0, 8).map((r) =>
      `“${esc(r.text)}” (line ${r.line}${r.rows > 1 ? ` and ${r.rows - 1} more` : ""}: ${esc(r.reason)})`).join("; ");
    $("upload-preview").innerHTML = `
      <h3>What we found</h3>
      <ul class="facts" id="upload-facts">
        <li><strong>Layout:</strong> ${esc(SHAPES[p.format])}; codes in “${esc(p.code_column)}”${p.name_column ? `, names in “${esc(p.name_column)}”` : ""}</li>
        <li><strong>Values:</strong> ${p.values.toLocaleString("en-GB")} numbers, ${p.suppressed} blank or suppressed, from ${p.value_columns.map((c) => `“${esc(c)}”`).join(", ")}</li>
        <li><strong>Geography:</strong> ${esc(p.level_label)} on ${esc(p.boundary_title)}</li>
        <li><strong>Years:</strong> ${p.years.join(", ")}</li>
        <li><strong>Matched:</strong> <span id="upload-match">${p.matched} of ${p.codes} codes (${pct}%)</span></li>
        ${p.comparators.length ? `<li><strong>National figures:</strong> ${p.comparators.map(esc).join(", ")} (for the index)</li>` : ""}
        ${Object.keys(p.other_levels).length ? `<li><strong>Other geographies left out:</strong> ${Object.entries(p.other_levels).map(([l, n]) => `${n} ${esc(this.levelLabel(l))}`).join(", ")}</li>` : ""}
        ${ignored ? `<li><strong>Skipped rows:</strong> ${ignored}${p.ignored_rows.length > 8 ? `; ${p.ignored_rows.length - 8} more kinds` : ""}</li>` : ""}
      </ul>
      ${unmatched ? `<details open><summary>${p.unmatched.length} codes not matched</summary>
        <table class="data"><thead><tr><th>Code</th><th>Why</th><th>Detail</th></tr></thead><tbody>${unmatched}</tbody></table></details>` : ""}`;
    this.renderChoices(p);
    if (first || !$("upload-title").value.trim()) {
      $("upload-title").value = p.title;
      $("upload-unit").value = p.unit;
    }
    $("upload-details").hidden = false;
    $("upload-build").disabled = false;
  }

  levelLabel(id) { return this.catalogue.levels.find((l) => l.id === id)?.label || id; }

  renderChoices(p) {
    const columns = p.columns.filter(Boolean).map((c) => [c, c]);
    const system = this.catalogue.levels.find((l) => l.id === p.level)?.system;
    const levels = this.catalogue.levels.filter((l) => l.map && (!system || l.system === system)).map((l) => [l.id, l.label]);
    const periodic = p.format !== "wide-years";
    $("upload-choices").innerHTML = `
      <legend>Check the columns</legend>
      <div class="field-row">
        <div class="field"><label for="up-code">Area codes</label><select id="up-code" name="code_column">${options(columns, p.code_column, p.code_column ? null : "(find them)")}</select></div>
        <div class="field"><label for="up-level">Geography</label><select id="up-level" name="level">${options(levels, p.level, p.level ? null : "(from the codes)")}</select></div>
      </div>
      ${periodic ? `<div class="field-row">
        <div class="field"><label for="up-period-col">Period column</label><select id="up-period-col" name="period_column">${options(columns, p.period_column, "(none)")}</select></div>
        <div class="field"><label for="up-period">or one period</label><input id="up-period" name="period" value="${esc(p.period || "")}" placeholder="e.g. 2023" size="8"></div>
      </div>` : ""}
      <fieldset class="field value-cols"><legend>Value columns</legend>${p.columns.filter((c) => c && ![p.code_column, p.period_column, p.name_column].includes(c)).map((c) =>
        `<label><input type="checkbox" name="value_columns" value="${esc(c)}"${p.value_columns.includes(c) ? " checked" : ""}> ${esc(c)}</label>`).join("")}</fieldset>`;
  }

  async build() {
    if (!this.upload) return;
    this.busy("Building tiles…");
    this.error(null);
    try {
      const body = JSON.stringify({ ...this.choices(), ...this.details() });
      const data = await send("POST", `/api/uploads/${this.upload}/build`, body, { "Content-Type": "application/json" });
      this.upload = null;
      this.close();
      await this.onAdded(data.indicator);
    } catch (error) {
      this.error(error);
    } finally {
      this.busy("");
    }
  }

  renderMine() {
    const mine = this.catalogue.indicators.filter((i) => i.user_supplied);
    $("user-indicators").hidden = !mine.length;
    $("user-list").innerHTML = mine.map((i) => `<li>${esc(i.title)} <small>${esc(i.id)}</small>
      <button type="button" data-remove="${esc(i.id)}" data-title="${esc(i.title)}">Delete</button></li>`).join("");
  }

  async remove(id, title) {
    if (!window.confirm(`Delete “${title}” with its tiles? This cannot be undone.`)) return;
    try {
      await send("DELETE", `/api/indicators/${encodeURIComponent(id)}`);
      await this.onRemoved(id);
      this.renderMine();
    } catch (error) {
      this.error(error);
    }
  }
}
