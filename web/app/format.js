// Numbers, units and ranks as people read them.

const grouped = (value, decimals) =>
  value.toLocaleString("en-GB", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });

/** A value with its unit, e.g. "£25,821", "74.2%", "£1,203m", "63.4 years". */
export function formatValue(value, unit, decimals = 0) {
  if (value === null || value === undefined || Number.isNaN(value)) return "no data";
  const abs = Math.abs(value);
  const digits = abs >= 1e5 ? 0 : decimals;
  const text = grouped(value, digits);
  switch (unit) {
    case "£": return `£${text}`;
    case "€": return `€${text}`;
    case "%": return `${text}%`;
    case "£ million": return `£${text}m`;
    case "€ million": return `€${text}m`;
    default: return `${text} ${unit}`;
  }
}

/** A change with sign and unit, e.g. "+£1,200" or "−0.4 percentage points". */
export function formatChange(change, unit, decimals = 0) {
  if (change === null || change === undefined || Number.isNaN(change)) return "no data";
  const sign = change > 0 ? "+" : change < 0 ? "−" : "±";
  if (unit === "%") return `${sign}${grouped(Math.abs(change), decimals)} percentage points`;
  return sign + formatValue(Math.abs(change), unit, decimals);
}

/** A percentage change, e.g. "+18%". */
export function formatPercent(ratio) {
  if (!Number.isFinite(ratio)) return "";
  const sign = ratio > 0 ? "+" : ratio < 0 ? "−" : "±";
  return `${sign}${grouped(Math.abs(ratio * 100), Math.abs(ratio) < 0.1 ? 1 : 0)}%`;
}

/** 1st, 2nd, 3rd, 4th … */
export function ordinal(n) {
  const mod100 = n % 100;
  const suffix = mod100 >= 11 && mod100 <= 13 ? "th" : ({ 1: "st", 2: "nd", 3: "rd" }[n % 10] || "th");
  return `${n.toLocaleString("en-GB")}${suffix}`;
}

/** Escape text for HTML. */
export function esc(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => (
    { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}
