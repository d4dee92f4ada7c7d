// An area's profile page: every indicator by topic (or, for a combined authority, the "state
// of the region" sections first), each with its latest value, rank, the median and national
// figures and a small chart, and the area's parents, children and similar areas. One JSON
// document: /api/profiles/{code}, or the static export's copy of it.

import { esc, formatPercent, formatValue, ordinal } from "./format.js";
import { sparkline } from "./sparkline.js";

const $ = (id) => document.getElementById(id);
const CODE = document.querySelector('meta[name="levelup-area"]').content;
const STATIC = document.querySelector('meta[name="levelup-static"]')?.content || null;
const ROOT = STATIC ? "../../" : "/"; // the map, from /areas/{code} or areas/{code}/index.html
const PLURAL = { lad: "districts", ctyua: "counties and unitary authorities", cauth: "combined authorities",
  rgn: "regions and nations", itl3: "ITL3 regions", itl2: "ITL2 regions", nuts0: "countries",
  nuts1: "NUTS 1 regions", nuts2: "NUTS 2 regions", nuts3: "NUTS 3 regions" };
const PLACES = { K02000001: "UK", K03000001: "Great Britain", K04000001: "England and Wales",
  E92000001: "England", W92000004: "Wales", S92000003: "Scotland", N92000002: "Northern Ireland" };
const CHIPS = { better: "better than the median", similar: "similar to the median", worse: "worse than the median",
  above: "above the median", below: "below the median" }; // above/below: neither is better

const profileUrl = (code) => `${ROOT}areas/${encodeURIComponent(code)}${STATIC ? "/" : ""}`;

function mapUrl(row, code) {
  const q = new URLSearchParams({ indicator: row.indicator, variant: row.variant, level: row.level,
    year: String(row.latest.year), areas: row.code || code });
  return `${ROOT}?${q}`;
}

function placeName(code) { return PLACES[code] || code; }

function share(index) { return `${index < 1 ? index.toFixed(2) : index.toFixed(1)}%`; }

function rankText(row) {
  const { rank, of } = row.latest;
  if (!rank) return "";
  const peers = PLURAL[row.level] || "areas";
  return row.polarity === "neither" ? `${ordinal(rank)} largest of ${of} ${peers}`
    : `${ordinal(rank)} of ${of} ${peers}`;
}

function facts(row) {
  const { latest: v, unit, decimals } = row;
  const out = [];
  if (Number.isFinite(v.median)) {
    const gap = v.median ? (v.value - v.median) / Math.abs(v.median) : NaN;
    out.push(`<li>Median of ${esc(PLURAL[row.level] || "areas")}: ${esc(formatValue(v.median, unit, decimals))}`
      + `${Number.isFinite(gap) ? ` <span class="gap">(${esc(formatPercent(gap))})</span>` : ""}</li>`);
  }
  if (Number.isFinite(v.national) && row.total) { // a count: its share of the whole
    out.push(`<li>${esc(placeName(v.national_code))}: ${esc(formatValue(v.national, unit, decimals))}`
      + `${Number.isFinite(v.index) ? ` · <strong>${esc(share(v.index))}</strong> of it` : ""}</li>`);
  } else if (Number.isFinite(v.national)) {
    out.push(`<li>${esc(placeName(v.national_code))}: ${esc(formatValue(v.national, unit, decimals))}`
      + `${Number.isFinite(v.index) ? ` · index <strong>${Math.round(v.index)}</strong>` : ""}</li>`);
  }
  if (Number.isFinite(v.country_value) && v.country_code !== v.national_code && !row.total) {
    out.push(`<li>${esc(placeName(v.country_code))}: ${esc(formatValue(v.country_value, unit, decimals))}`
      + `${Number.isFinite(v.country_index) ? ` · index <strong>${Math.round(v.country_index)}</strong>` : ""}</li>`);
  }
  return out.join("");
}

function children(row) {
  const list = (row.children || []).filter((c) => Number.isFinite(c.value));
  if (!list.length) return "";
  const top = Math.max(...list.map((c) => Math.abs(c.value)), 1e-9);
  const bars = list.sort((a, b) => b.value - a.value).map((c) => `<li><a href="${profileUrl(c.code)}">${esc(c.name)}</a>`
    + `<span class="bar"><span data-width="${Math.max(2, Math.round(100 * Math.abs(c.value) / top))}"></span></span>`
    + `<span class="num">${esc(formatValue(c.value, row.unit, row.decimals))}</span></li>`).join("");
  return `<details class="districts" open><summary>Its districts, ${esc(String(list[0].year))}</summary><ol>${bars}</ol></details>`;
}

function card(row, code, showVariant) {
  const v = row.latest;
  const title = showVariant && row.variant_label ? `${row.title} <small>(${esc(row.variant_label)})</small>` : esc(row.title);
  const chip = CHIPS[v.band] ? `<span class="chip ${esc(v.band)}">${CHIPS[v.band]}</span>` : "";
  const others = row.others.length ? `<ul class="others">${row.others.map((o) => `<li>${esc(o.label)}: `
    + `<strong>${esc(formatValue(o.value, o.unit, o.decimals))}</strong> ${esc(o.period)}`
    + `${o.rank ? ` · ${ordinal(o.rank)} of ${o.of}` : ""}</li>`).join("")}</ul>` : "";
  const under = row.code ? `<p class="hint">Published for ${esc(row.code)}, the same area.</p>` : "";
  return `<article class="card" data-indicator="${esc(row.indicator)}">
    <h3>${title}</h3>
    <p class="value"><strong>${esc(formatValue(v.value, row.unit, row.decimals))}</strong> <span>${esc(v.period)}</span></p>
    <p class="rank">${esc(rankText(row))} ${chip}</p>
    <ul class="facts">${facts(row)}</ul>
    ${sparkline(row)}
    ${children(row)}${others}${under}
    <p class="go"><a href="${mapUrl(row, code)}">See it on the map<span class="visually-hidden">: ${esc(row.title)}</span></a></p>
  </article>`;
}

function links(list, withLabel) {
  return list.map((a) => `<li>${withLabel ? `<span class="label">${esc(a.label)}</span> ` : ""}`
    + `<a href="${profileUrl(a.code)}">${esc(a.name || a.code)}</a> <small>${esc(a.code)}</small></li>`).join("");
}

/** The indicators the area ranks best and worst on among its peers (where one way is better). */
function glance(p) {
  const ranked = p.sections.flatMap((s) => s.rows).filter((r) => r.polarity !== "neither"
    && r.latest.rank && r.latest.of >= 5 && !r.code);
  ranked.sort((a, b) => a.latest.rank / a.latest.of - b.latest.rank / b.latest.of);
  const item = (r) => `<li><a href="#topic-${esc(sectionOf(p, r))}">${esc(r.title)}</a>: `
    + `${esc(ordinal(r.latest.rank))} of ${r.latest.of} <small>(${esc(formatValue(r.latest.value, r.unit, r.decimals))}, ${esc(r.latest.period)})</small></li>`;
  $("glance-box").hidden = ranked.length < 6;
  $("best").innerHTML = ranked.slice(0, 3).map(item).join("");
  $("worst").innerHTML = ranked.slice(-3).reverse().map(item).join("");
}

function sectionOf(p, row) { return p.sections.find((s) => s.rows.includes(row)).id; }

function render(p) {
  document.title = `${p.name} · levelup`;
  $("area-name").textContent = p.name;
  const boundary = p.boundaries[0];
  $("area-meta").textContent = [p.kind[0].toUpperCase() + p.kind.slice(1), p.code,
    boundary ? `boundaries ${boundary.vintage}` : null, `${p.indicators} indicators`].filter(Boolean).join(" · ");
  const notes = [];
  if (p.successors.length) notes.push(`This area no longer exists: ${p.successors.map((s) => `${esc(s.kind)} into <a href="${profileUrl(s.code)}">${esc(s.name || s.code)}</a>`).join("; ")}.`);
  if (p.predecessors.length) notes.push(`Formed from ${p.predecessors.map((s) => esc(s.name || s.code)).join(", ")}.`);
  $("notices").innerHTML = notes.map((n) => `<p class="notice">${n}</p>`).join("");
  glance(p);
  $("parents-box").hidden = !p.parents.length;
  $("parents").innerHTML = links(p.parents, true);
  $("children-box").hidden = !p.children.length;
  $("children-title").textContent = `Its ${PLURAL[p.children[0]?.level] || "areas"} (${p.children.length})`;
  $("children").innerHTML = links(p.children, false);
  $("similar-box").hidden = !p.similar;
  if (p.similar) {
    $("similar-about").textContent = `Closest on the ${p.similar.title.toLowerCase()} measures, ${p.similar.year}.`;
    $("similar").innerHTML = links(p.similar.areas, false);
  }
  $("toc").innerHTML = p.sections.map((s) => `<li><a href="#topic-${esc(s.id)}">${esc(s.title)}</a> <small>${s.rows.length}</small></li>`).join("");
  $("about-profile").textContent = p.dashboard
    ? "The state of the region: productivity, jobs, skills, housing and transport, with each of its districts; then everything else by topic."
    : "Each indicator's latest value, its rank (1st = best; for counts, the largest), the median of areas like it and the national figure; the chart shows the area (solid), the median (dashed) and the national figure (dotted).";
  const variants = new Map();
  for (const s of p.sections) for (const r of s.rows) variants.set(r.indicator, r.others.length > 0);
  $("sections").innerHTML = p.sections.map((s) => `<section class="topic${s.dashboard ? " dashboard" : ""}" id="topic-${esc(s.id)}" aria-labelledby="h-${esc(s.id)}">
    <h2 id="h-${esc(s.id)}"><span class="area">${esc(p.name)}</span> ${esc(s.title)}</h2>
    <div class="cards"${s.rows.length > 8 ? ' data-count="many"' : ""}>${s.rows.map((r) => card(r, p.code, variants.get(r.indicator))).join("")}</div></section>`).join("");
  for (const bar of document.querySelectorAll("[data-width]")) bar.style.width = `${bar.dataset.width}%`;
  const first = p.sections[0]?.rows[0];
  $("on-map").href = first ? mapUrl(first, p.code) : ROOT;
  $("credits").textContent = `Built ${p.built_at || ""}. Sources and licences: see “About & sources” on the map.`;
  $("profile").setAttribute("aria-busy", "false");
  document.body.dataset.ready = "true";
}

async function main() {
  $("print").addEventListener("click", () => window.print());
  const url = STATIC ? `../../api/profiles/${encodeURIComponent(CODE)}.json` : `/api/profiles/${encodeURIComponent(CODE)}`;
  try {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error ? body.error.message : response.statusText);
    render(body);
  } catch (error) {
    $("area-name").textContent = "Area not found";
    $("status").hidden = false;
    $("status").textContent = `Could not load this area's profile: ${error.message}`;
    document.body.dataset.ready = "true";
  }
}

main();
