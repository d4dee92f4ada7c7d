// The hover tooltip: an area's name, value and period, its rank, and, when the map is coloured
// against its country, its index there.

import { PLURAL } from "./controls.js";
import { esc, formatValue, ordinal } from "./format.js";

const $ = (id) => document.getElementById(id);
const NATIONS = { E: "England", W: "Wales", S: "Scotland", N: "Northern Ireland" };

/** The country an area is indexed against, for a NUTS or ONS code. */
export function countryName(code, level) {
  if (level.startsWith("nuts")) return code.slice(0, 2);
  if (code.startsWith("TL")) return { TLL: "Wales", TLM: "Scotland", TLN: "Northern Ireland" }[code.slice(0, 3)] || "England";
  return NATIONS[code[0]] || "its nation";
}

export function showTooltip(feature, point, tileset, mode) {
  const p = feature.properties;
  const tip = $("tooltip");
  const value = p.value === undefined ? "no data" : formatValue(p.value, tileset.unit, tileset.decimals);
  const rank = p.rank ? `${ordinal(p.rank)} of ${tileset.valued} ${PLURAL[tileset.level] || ""}` : "";
  const country = mode === "country" && p.country_index !== undefined
    ? `${Math.round(p.country_index)} against ${countryName(p.code, tileset.level)} (= 100)` : "";
  tip.innerHTML = `<strong>${esc(p.name)}</strong>${esc(value)} · ${esc(tileset.period)}`
    + (rank ? `<br>Rank: ${esc(rank)}` : "") + (country ? `<br>${esc(country)}` : "");
  tip.hidden = false;
  const box = tip.parentElement.getBoundingClientRect();
  tip.style.left = `${Math.max(4, Math.min(point.x + 14, box.width - tip.offsetWidth - 8))}px`;
  tip.style.top = `${Math.max(4, Math.min(point.y + 14, box.height - tip.offsetHeight - 8))}px`;
}

export function hideTooltip() { $("tooltip").hidden = true; }
