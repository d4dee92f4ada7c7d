// A small chart over time for a profile card: the area (solid), the median of its peers
// (dashed) and the national figure (dotted), with a text alternative.

import { esc, formatValue } from "./format.js";

const W = 240, H = 64, PAD = 4;

function path(points, sx, sy) {
  return points.map(([x, y], i) => `${i ? "L" : "M"}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join("");
}

/** SVG for a profile row's series: [[year, value, median, national], ...]. */
export function sparkline(row) {
  const series = row.series.filter((s) => Number.isFinite(s[1]));
  if (series.length < 2) return "";
  const lines = [1, 2, 3].map((k) => series.filter((s) => Number.isFinite(s[k])).map((s) => [s[0], s[k]]));
  const all = lines.flat();
  const x0 = series[0][0], x1 = series.at(-1)[0];
  let y0 = Math.min(...all.map((p) => p[1])), y1 = Math.max(...all.map((p) => p[1]));
  if (y0 === y1) { y0 -= 1; y1 += 1; }
  const sx = (x) => PAD + (x - x0) / (x1 - x0 || 1) * (W - 2 * PAD);
  const sy = (y) => H - PAD - (y - y0) / (y1 - y0) * (H - 2 * PAD);
  const [area, median, national] = lines;
  const first = series[0], last = series.at(-1);
  const label = `${row.title}: ${formatValue(first[1], row.unit, row.decimals)} in ${first[0]}, `
    + `${formatValue(last[1], row.unit, row.decimals)} in ${last[0]}`;
  const parts = [
    national.length > 1 ? `<path class="national" d="${path(national, sx, sy)}"/>` : "",
    median.length > 1 ? `<path class="median" d="${path(median, sx, sy)}"/>` : "",
    `<path class="area" d="${path(area, sx, sy)}"/>`,
    `<circle class="area" cx="${sx(last[0]).toFixed(1)}" cy="${sy(last[1]).toFixed(1)}" r="2.6"/>`,
  ];
  return `<figure class="spark"><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(label)}">${parts.join("")}</svg>`
    + `<figcaption><span>${first[0]}</span><span>${last[0]}</span></figcaption></figure>`;
}
