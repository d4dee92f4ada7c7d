// A small SVG time-series chart: area lines, the median of peers and its interquartile band.

import { esc, formatValue } from "./format.js";

const M = { left: 56, right: 12, top: 10, bottom: 26 };
// Okabe-Ito: distinguishable with every common colour-vision deficiency.
export const LINE_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
  "#000000", "#8C6D00"];

function niceTicks(low, high, count = 4) {
  const span = high - low || Math.abs(high) || 1;
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const stepSize = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) || raw;
  const first = Math.ceil(low / stepSize) * stepSize;
  const ticks = [];
  for (let v = first; v <= high + 1e-9; v += stepSize) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function compact(value, unit) {
  const abs = Math.abs(value);
  const text = abs >= 1e6 ? `${(value / 1e6).toFixed(1)}m` : abs >= 1e4 ? `${(value / 1e3).toFixed(0)}k`
    : abs >= 1e3 ? `${(value / 1e3).toFixed(1)}k` : `${Number(value.toPrecision(3))}`;
  return unit === "£" ? `£${text}` : unit === "€" ? `€${text}` : unit === "%" ? `${text}%` : text;
}

/**
 * lines: [{label, points: [{year, value}]}]; median: [{year, value}]; band: [{year, low, high}].
 * Returns HTML: the SVG, a key and a data table (the chart's text alternative).
 */
export function lineChart({ lines, median = [], band = [], unit, decimals, year, title, medianLabel,
  width = 360, height = 210 }) {
  const W = width, H = height;
  const all = [...lines.flatMap((l) => l.points), ...median, ...band.flatMap((b) => [
    { year: b.year, value: b.low }, { year: b.year, value: b.high }])].filter((p) => Number.isFinite(p.value));
  if (!all.length) return `<p class="hint">No values to chart.</p>`;
  const years = all.map((p) => p.year);
  const x0 = Math.min(...years), x1 = Math.max(...years);
  let y0 = Math.min(...all.map((p) => p.value)), y1 = Math.max(...all.map((p) => p.value));
  const pad = (y1 - y0) * 0.08 || Math.abs(y1) * 0.1 || 1;
  y0 -= pad; y1 += pad;
  const sx = (v) => M.left + (x1 === x0 ? (W - M.left - M.right) / 2 : (v - x0) / (x1 - x0) * (W - M.left - M.right));
  const sy = (v) => H - M.bottom - (v - y0) / (y1 - y0) * (H - M.top - M.bottom);
  const path = (points) => points.filter((p) => Number.isFinite(p.value))
    .map((p, i) => `${i ? "L" : "M"}${sx(p.year).toFixed(1)},${sy(p.value).toFixed(1)}`).join("");
  const parts = [];
  for (const tick of niceTicks(y0, y1)) {
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${sy(tick)}" y2="${sy(tick)}" stroke="#e5e5e5"/>`,
      `<text x="${M.left - 6}" y="${sy(tick) + 4}" text-anchor="end">${esc(compact(tick, unit))}</text>`);
  }
  const yearTicks = x1 - x0 <= 6 ? years.filter((v, i, a) => a.indexOf(v) === i).sort()
    : niceTicks(x0, x1, 5).filter((v) => Number.isInteger(v));
  for (const tick of yearTicks) {
    parts.push(`<text x="${sx(tick)}" y="${H - 8}" text-anchor="middle">${tick}</text>`);
  }
  const shapes = [];
  const banded = band.filter((b) => Number.isFinite(b.low) && Number.isFinite(b.high));
  if (banded.length > 1) {
    const top = banded.map((b) => `${sx(b.year).toFixed(1)},${sy(b.high).toFixed(1)}`);
    const bottom = banded.slice().reverse().map((b) => `${sx(b.year).toFixed(1)},${sy(b.low).toFixed(1)}`);
    shapes.push(`<polygon points="${[...top, ...bottom].join(" ")}" fill="#b1b4b6" fill-opacity="0.35"/>`);
  }
  if (median.length) {
    shapes.push(`<path d="${path(median)}" fill="none" stroke="#505a5f" stroke-width="2" stroke-dasharray="5 4"/>`);
  }
  if (year && year >= x0 && year <= x1) {
    shapes.push(`<line x1="${sx(year)}" x2="${sx(year)}" y1="${M.top}" y2="${H - M.bottom}" stroke="#0b0c0c" stroke-width="1" stroke-dasharray="2 3"/>`);
  }
  lines.forEach((line, i) => {
    const colour = line.colour || LINE_COLOURS[i % LINE_COLOURS.length];
    if (line.dashed) {
      shapes.push(`<path d="${path(line.points)}" fill="none" stroke="${colour}" stroke-width="2.5" stroke-dasharray="6 3"/>`);
      return;
    }
    shapes.push(`<path d="${path(line.points)}" fill="none" stroke="${colour}" stroke-width="2.5"/>`);
    for (const p of line.points.filter((q) => Number.isFinite(q.value))) {
      shapes.push(`<circle cx="${sx(p.year).toFixed(1)}" cy="${sy(p.value).toFixed(1)}" r="2.5" fill="${colour}"/>`);
    }
  });
  const summary = lines.map((l) => {
    const pts = l.points.filter((p) => Number.isFinite(p.value));
    return pts.length ? `${l.label}: ${formatValue(pts[0].value, unit, decimals)} in ${pts[0].year}, `
      + `${formatValue(pts.at(-1).value, unit, decimals)} in ${pts.at(-1).year}` : `${l.label}: no data`;
  }).join("; ");
  const svg = `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}. ${esc(summary)}">`
    + `<g class="axis">${parts.join("")}</g>${shapes.join("")}</svg>`;
  const key = [...lines.map((l, i) => `<li><span data-colour="${l.colour || LINE_COLOURS[i % LINE_COLOURS.length]}"`
    + `${l.dashed ? ' class="dashed"' : ""}></span>${esc(l.label)}</li>`),
    median.length ? `<li><span data-colour="#505a5f"></span>${esc(medianLabel)} (shaded: middle half)</li>` : ""].join("");
  const allYears = [...new Set(years)].sort((a, b) => a - b);
  const rows = allYears.map((y) => `<tr><td>${y}</td>${lines.map((l) => {
    const p = l.points.find((q) => q.year === y);
    return `<td>${p && Number.isFinite(p.value) ? esc(formatValue(p.value, unit, decimals)) : "–"}</td>`;
  }).join("")}${median.length ? `<td>${(() => {
    const m = median.find((q) => q.year === y);
    return m && Number.isFinite(m.value) ? esc(formatValue(m.value, unit, decimals)) : "–";
  })()}</td>` : ""}</tr>`).join("");
  const table = `<details><summary>Show the data as a table</summary><table class="data"><thead><tr><th>Year</th>`
    + `${lines.map((l) => `<th>${esc(l.label)}</th>`).join("")}${median.length ? `<th>${esc(medianLabel)}</th>` : ""}`
    + `</tr></thead><tbody>${rows}</tbody></table></details>`;
  return `<div class="chart">${svg}<ul class="chart-key">${key}</ul>${table}</div>`;
}
