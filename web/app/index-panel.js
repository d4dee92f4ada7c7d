// The area panel's index section: the levelling-up index with its likely rank range, the
// pillars against the median of districts (a bar chart), where the area struggles (its three
// weakest pillars), its most similar areas and its area type. Reads /api/indexes/…/areas/…
// and /api/similar/…; numbers are shown exactly as the API gives them.

import { esc, formatChange, ordinal } from "./format.js";
import { openWeights } from "./index-weights.js";

const e = encodeURIComponent;
let ticket = 0;

async function getJSON(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    let message = `${response.status}`;
    try { message = (await response.json()).error.message; } catch { /* not JSON */ }
    throw new Error(message);
  }
  return response.json();
}

/** "rank 212 of 361 (likely 180–240)" */
export function rankText(part) {
  if (!part || part.rank == null) return "no rank";
  const likely = part.rank_low != null && (part.rank_low !== part.rank || part.rank_high !== part.rank)
    ? ` (likely ${part.rank_low}–${part.rank_high})` : "";
  return `${ordinal(part.rank)} of ${part.of}${likely}`;
}

const num = (v) => (v == null ? "–" : v.toFixed(2));

/** Pillars against the median of districts: a bar from the median to the area's score. */
export function pillarChart(pillars) {
  const shown = pillars.filter((p) => p.status !== "empty");
  const scored = shown.filter((p) => p.score != null);
  if (!scored.length) return `<p class="hint">No pillar scores for this area.</p>`;
  const extent = Math.max(0.25, ...scored.map((p) => Math.abs(p.score - p.median)));
  const W = 340, row = 24, left = 150, mid = left + (W - left) / 2, half = (W - left) / 2 - 6;
  const H = shown.length * row + 22;
  const parts = [`<line x1="${mid}" x2="${mid}" y1="4" y2="${H - 18}" stroke="#505a5f" stroke-dasharray="3 3"/>`,
    `<text x="${mid}" y="${H - 4}" text-anchor="middle">median of districts</text>`];
  shown.forEach((p, i) => {
    const y = 6 + i * row;
    parts.push(`<text x="0" y="${y + 14}">${esc(p.title.length > 24 ? `${p.title.slice(0, 23)}…` : p.title)}</text>`);
    if (p.score == null) {
      parts.push(`<text x="${mid + 6}" y="${y + 14}" class="muted">no score</text>`);
      return;
    }
    const gap = p.score - p.median;
    const width = Math.max(1, Math.abs(gap) / extent * half);
    const x = gap >= 0 ? mid : mid - width;
    parts.push(`<rect x="${x.toFixed(1)}" y="${y + 3}" width="${width.toFixed(1)}" height="${row - 8}" fill="${gap >= 0 ? "#0072B2" : "#D55E00"}"><title>${esc(p.title)}: ${num(p.score)} (median ${num(p.median)}), ${esc(rankText(p))}</title></rect>`);
  });
  const summary = scored.map((p) => `${p.title} ${num(p.score)} against ${num(p.median)}`).join("; ");
  const table = `<details><summary>Show the pillars as a table</summary><table class="data"><thead><tr><th>Pillar</th><th>Score</th><th>Median</th><th>Rank</th></tr></thead><tbody>${
    pillars.map((p) => `<tr><td>${esc(p.title)}${p.status !== "ok" ? ` <small>(${esc(p.status)})</small>` : ""}</td><td>${num(p.score)}</td><td>${num(p.median)}</td><td>${esc(p.score == null ? "–" : rankText(p))}</td></tr>`).join("")
  }</tbody></table></details>`;
  return `<div class="chart index-chart"><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="Pillars against the median of districts. ${esc(summary)}"><g class="axis">${parts.join("")}</g></svg>${table}</div>`;
}

function indexHTML(data) {
  const o = data.overall;
  const byId = new Map(data.pillars.map((p) => [p.id, p]));
  const weakest = data.weakest.map((id) => byId.get(id));
  const empty = data.pillars.filter((p) => p.status === "empty").map((p) => p.title);
  const change = o.change != null ? ` · ${esc(formatChange(o.change, "", 2).trim())} since ${o.prev_year}` : "";
  return `<h3>${esc(data.title)}, ${data.year}</h3>`
    + `<p class="big index-rank">Rank ${esc(rankText(o))}</p>`
    + `<p class="hint">Score ${num(o.score)} (median of districts ${num(o.median)})${change}. The likely range comes from re-running the index with random weights, leaving out one measure at a time.</p>`
    + `<h3>Pillars against the median</h3>${pillarChart(data.pillars)}`
    + (empty.length ? `<p class="hint">Empty at district level (no data, not guessed): ${esc(empty.join(", "))}.</p>` : "")
    + `<h3>Where it struggles</h3><ol class="struggles">${weakest.map((p) =>
      `<li><strong>${esc(p.title)}</strong> — ${esc(rankText(p))}</li>`).join("")}</ol>`
    + `<p><button type="button" class="index-weights-button" data-index-action="weights">Change the weights…</button>`
    + ` · <a href="/api/indexes/${e(data.index)}/definition.toml" download>definition (TOML)</a></p>`;
}

function similarHTML(similar, chosen, sets) {
  const options = sets.map((s) => `<option value="${esc(s.id)}"${s.id === chosen ? " selected" : ""}>${esc(s.title)}</option>`).join("");
  const list = similar.neighbours.map((n) => `<li><button type="button" data-index-action="open" data-code="${esc(n.code)}">${esc(n.name || n.code)}</button>`
    + `<span class="value">${n.distance.toFixed(2)}</span></li>`).join("");
  const type = similar.cluster ? `<p class="hint"><strong>Area type ${similar.cluster.cluster}</strong> of the ${esc(similar.set.title.toLowerCase())} set`
    + `${similar.cluster.size ? ` (${similar.cluster.size} districts)` : ""}: ${esc(similar.cluster.description || "")}.</p>` : "";
  return `<h3>Similar areas</h3><label class="hint" for="similar-set">Compared on</label> <select id="similar-set">${options}</select>`
    + `<ol class="similar">${list}</ol><p class="hint">Distance: standard deviations apart on ${esc(similar.set.description.toLowerCase())} (${similar.year}).</p>${type}`;
}

/**
 * Append the index and similar-areas section to the panel body for `code` (districts only).
 * hooks: { openArea(code), onIndexAdded(id) }.
 */
export async function renderIndexPanel(body, code, state, hooks, { index = "prosperity", set = "global" } = {}) {
  const mine = ++ticket;
  body.querySelector("#index-section")?.remove();
  if (state.level !== "lad") return;
  const section = document.createElement("section");
  section.id = "index-section";
  section.className = "index-section";
  section.setAttribute("aria-live", "polite");
  body.append(section);
  const wanted = state.indicator && state.indicator !== "area-types" && (await isIndex(state.indicator)) ? state.indicator : index;
  const year = wanted === state.indicator ? `?year=${e(state.year)}` : "";
  try {
    const [data, sets] = await Promise.all([
      getJSON(`/api/indexes/${e(wanted)}/areas/${e(code)}${year}`).catch(() => getJSON(`/api/indexes/${e(wanted)}/areas/${e(code)}`)),
      getJSON("/api/similar"),
    ]);
    const similar = await getJSON(`/api/similar/${e(code)}?set=${e(set)}&count=5`).catch(() => null);
    if (mine !== ticket) return;
    section.innerHTML = indexHTML(data) + (similar ? similarHTML(similar, set, sets.sets) : "");
  } catch (error) {
    if (mine === ticket) section.innerHTML = `<p class="hint">No index for this area: ${esc(error.message)}</p>`;
    return;
  }
  section.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-index-action]");
    if (!button) return;
    if (button.dataset.indexAction === "open") hooks.openArea(button.dataset.code);
    if (button.dataset.indexAction === "weights") openWeights(wanted, hooks.onIndexAdded);
  });
  section.querySelector("#similar-set")?.addEventListener("change", (event) => {
    renderIndexPanel(body, code, state, hooks, { index, set: event.target.value });
  });
}

let indexIds = null;
async function isIndex(id) {
  indexIds ||= getJSON("/api/indexes").then((j) => new Set(j.indexes.map((i) => i.id))).catch(() => new Set());
  return (await indexIds).has(id);
}

/** Forget the cached list of indexes (after one was added). */
export function forgetIndexes() { indexIds = null; }
