// The area panel: where an area stands now, how it has changed, and its other indicators.

import { STATIC } from "./api.js";
import { lineChart } from "./chart.js";
import { esc, formatChange, formatPercent, formatValue, ordinal } from "./format.js";

const BASE_YEAR = 2010;

function seriesOf(detail, state) {
  return detail.series.find((s) => s.indicator === state.indicator && s.variant === state.variant
    && s.level === state.level);
}

function chip(band) {
  if (!band) return "";
  const text = {
    better: "better than the median", similar: "similar to the median", worse: "worse than the median",
    above: "above the median", below: "below the median",
  }[band];
  return `<span class="chip ${band}">${text}</span>`;
}

function changeSentence(values, current, unit, decimals) {
  const valued = values.filter((v) => Number.isFinite(v.value) && v.year <= current.year);
  if (valued.length < 2) return "";
  const base = valued.find((v) => v.year >= BASE_YEAR && v.year < current.year) || valued[0];
  const previous = valued.at(-2);
  const parts = [];
  if (base && base.year < current.year) {
    const change = current.value - base.value;
    parts.push(`<li>Since ${esc(base.period)}: <strong>${esc(formatChange(change, unit, decimals))}</strong>`
      + ` ${unit === "%" ? "" : `(${formatPercent(change / Math.abs(base.value))})`}</li>`);
  }
  if (previous && previous !== base) {
    const change = current.value - previous.value;
    parts.push(`<li>Since ${esc(previous.period)}: ${esc(formatChange(change, unit, decimals))}</li>`);
  }
  return parts.join("");
}

/** For an area the map's indicator has no values for: the indicators that have some. */
function offers(detail, state, context) {
  const seen = new Set();
  const choices = detail.series.filter((s) => s.values.some((v) => Number.isFinite(v.value))
    && context.mapped(s.indicator, s.level) && !seen.has(s.indicator) && seen.add(s.indicator));
  choices.sort((a, b) => Number(b.theme === context.theme()) - Number(a.theme === context.theme()));
  const what = `${esc(context.indicatorTitle())} has no values for ${esc(detail.name || detail.code)}`
    + ` (${esc(context.levelLabel(detail.boundaries[0]?.level || state.level))}).`;
  if (!choices.length) return `<p class="notice">${what}</p>`;
  return `<p class="notice">${what} Show it on the map with:</p><ul class="offers">${choices.map((s) =>
    `<li><button type="button" data-action="show" data-indicator="${esc(s.indicator)}" data-variant="${esc(s.variant)}"`
    + ` data-level="${esc(s.level)}">${esc(s.title)}</button></li>`).join("")}</ul>`;
}

/** Panel HTML for the primary area, with comparison areas charted alongside. */
export function renderPanel(detail, compared, state, context) {
  const series = seriesOf(detail, state);
  const boundary = detail.boundaries.find((b) => b.level === state.level) || detail.boundaries[0];
  const levelLabel = context.levelLabel(boundary ? boundary.level : state.level);
  const out = [`<p class="meta">${esc(levelLabel)} · ${esc(detail.code)}${boundary ? ` · boundaries ${esc(boundary.vintage)}` : ""}</p>`,
    `<p class="profile-link"><a href="${STATIC ? "" : "/"}areas/${encodeURIComponent(detail.code)}${STATIC ? "/" : ""}">`
    + `Everything about ${esc(detail.name || detail.code)}: its profile ›</a></p>`];
  if (detail.successors.length) {
    out.push(`<p class="notice">This area no longer exists: ${detail.successors.map((s) =>
      `${esc(s.kind)} ${s.year ? `in ${s.year}` : ""} into <strong>${esc(s.name || s.code)}</strong> (${esc(s.code)})`).join("; ")}.</p>`);
  }
  if (detail.predecessors.length) {
    out.push(`<p class="notice">Formed from ${detail.predecessors.map((p) => esc(p.name || p.code)).join(", ")}.</p>`);
  }
  if (!series) {
    out.push(offers(detail, state, context));
  } else {
    const { unit, decimals } = series;
    const current = series.values.find((v) => v.year === state.year)
      || series.values.filter((v) => Number.isFinite(v.value)).at(-1);
    out.push(`<h3>${esc(context.indicatorTitle())}</h3>`);
    if (current && Number.isFinite(current.value)) {
      out.push(`<p class="big">${esc(formatValue(current.value, unit, decimals))} <small>${esc(current.period)}</small></p>`);
      const facts = [];
      if (current.rank) {
        const scale = series.polarity === "neither" ? "1st = highest; neither direction is better"
          : `1st = best; ${series.polarity === "higher" ? "higher" : "lower"} is better`;
        facts.push(`<li>Ranked <strong>${ordinal(current.rank)}</strong> of ${current.of} ${esc(context.levelPlural(state.level))}`
          + ` (${scale})</li>`);
      }
      if (Number.isFinite(current.median)) {
        const gap = (current.value - current.median) / Math.abs(current.median);
        facts.push(`<li>${esc(formatPercent(gap))} against the ${esc(context.medianName(state.level, current.of))} of `
          + `${esc(formatValue(current.median, unit, decimals))} ${chip(current.band)}</li>`);
      }
      if (Number.isFinite(current.index)) {
        const nation = { K02000001: "UK", K03000001: "Great Britain", K04000001: "England and Wales",
          E92000001: "England" }[current.national_code] || current.national_code;
        facts.push(`<li>Index <strong>${Math.round(current.index)}</strong> (${esc(nation)} = 100)</li>`);
      }
      facts.push(changeSentence(series.values, current, unit, decimals));
      out.push(`<ul class="facts">${facts.join("")}</ul>`);
    } else {
      out.push(`<p>No value for ${esc(current ? current.period : state.year)}.</p>`);
    }
    const lines = [{ label: detail.name, points: series.values }];
    for (const other of compared) {
      const s = seriesOf(other, state);
      lines.push({ label: other.name, points: s ? s.values : [] });
    }
    out.push(`<h3>Over time</h3>`, lineChart({
      lines, unit, decimals, year: state.year,
      median: series.values.map((v) => ({ year: v.year, value: v.median })),
      band: series.values.map((v) => ({ year: v.year, low: v.p25, high: v.p75 })),
      title: `${context.indicatorTitle()} over time`,
      medianLabel: context.medianName(state.level),
    }));
  }
  out.push(`<div class="compare-actions">`
    + (state.areas.length < 4 ? `<button type="button" data-action="compare">Compare with another area</button>` : "")
    + compared.map((c) => `<button type="button" data-action="remove" data-code="${esc(c.code)}">Remove ${esc(c.name)}</button>`).join("")
    + `</div>`);
  const others = detail.series.filter((s) => s !== series && s.level === state.level)
    .map((s) => ({ s, v: s.values.filter((x) => Number.isFinite(x.value)).at(-1) }))
    .filter(({ v }) => v);
  if (others.length) {
    out.push(`<h3>Other indicators here</h3><ul class="others">${others.map(({ s, v }) =>
      `<li><button type="button" data-action="show" data-indicator="${esc(s.indicator)}" data-variant="${esc(s.variant)}">`
      + `${esc(s.title)}${s.variant_label && context.variantCount(s.indicator) > 1 ? ` (${esc(s.variant_label)})` : ""}</button>`
      + `<span class="value">${esc(formatValue(v.value, s.unit, s.decimals))}</span>`
      + `<span class="reading">${esc(v.period)} · ${v.rank ? `${ordinal(v.rank)} of ${v.of}` : ""} ${chip(v.band)}</span></li>`).join("")}</ul>`);
  }
  return out.join("");
}
