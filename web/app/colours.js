// Colour schemes (colour-blind safe, ColorBrewer) and the matching MapLibre expressions.
// The sequential palette and no-data colour are the ones the server's styles use.

export const PALETTE = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"];
export const NO_DATA = "#c8c8c8";
// PuOr: orange = worse than the median, purple = better; neutral in between.
export const DIVERGING = ["#e66101", "#fdb863", "#f7f7f7", "#b2abd2", "#5e3c99"];
// BrBG: below and above, for measures where neither direction is better.
export const NEUTRAL = ["#a6611a", "#dfc27d", "#f5f5f5", "#80cdc1", "#018571"];

/** The diverging colours of "against its country", from far below its country to far above. */
export function countryColours(polarity) {
  if (polarity === "neither") return NEUTRAL;
  return polarity === "lower" ? [...DIVERGING].reverse() : DIVERGING;
}

/** Class colours, lowest values first; reversed when lower is better (dark = better). */
export function classColours(classes, polarity) {
  const picks = Array.from({ length: classes },
    (_, i) => Math.round(i * (PALETTE.length - 1) / Math.max(1, classes - 1)));
  const colours = picks.map((i) => PALETTE[i]);
  return polarity === "lower" ? colours.reverse() : colours;
}

function step(property, colours, stops) {
  const expression = ["step", ["get", property], colours[0]];
  stops.forEach((stop, i) => expression.push(stop, colours[i + 1]));
  return expression;
}

/** The fill-color expression for a colouring mode ("value", "rank", "z" or "country"). */
export function fillColour(mode, tileset) {
  if (mode === "country") {
    const stops = tileset.country_breaks || [];
    if (!stops.length) return ["case", ["has", "value"], NEUTRAL[2], NO_DATA];
    return ["case", ["has", "country_index"], step("country_index", countryColours(tileset.polarity), stops),
      NO_DATA];
  }
  if (mode === "rank") {
    return ["case", ["has", "percentile"], step("percentile", PALETTE, [20, 40, 60, 80]), NO_DATA];
  }
  if (mode === "z") {
    return ["case", ["has", "z"], step("z", DIVERGING, [-2, -1, 1, 2]),
      ["has", "value"], DIVERGING[2], NO_DATA];
  }
  const breaks = tileset.breaks;
  if (!breaks.length) return ["case", ["has", "value"], PALETTE[2], NO_DATA];
  return ["case", ["has", "value"], step("value", classColours(breaks.length + 1, tileset.polarity), breaks), NO_DATA];
}

/** Legend rows for a colouring mode: [{colour, label}], plus a no-data row. */
export function legendItems(mode, tileset, format) {
  let items;
  const neither = tileset.polarity === "neither"; // ranked by size: never "best" or "better"
  if (mode === "country") {
    const [a, b, c, d] = tileset.country_breaks || [];
    const n = (v) => Number(v.toFixed(1)).toLocaleString("en-GB");
    const labels = a === undefined ? [] : [`far below: under ${n(a)}`, `below: ${n(a)} to ${n(b)}`,
      `close: ${n(b)} to ${n(c)}`, `above: ${n(c)} to ${n(d)}`, `far above: ${n(d)} and over`];
    items = labels.map((label, i) => ({ colour: countryColours(tileset.polarity)[i], label }));
  } else if (mode === "rank") {
    const labels = neither
      ? ["lowest fifth", "second fifth from the bottom", "middle fifth", "second fifth from the top", "highest fifth"]
      : ["bottom fifth", "second fifth from the bottom", "middle fifth", "second fifth from the top", "top fifth (best)"];
    items = PALETTE.map((colour, i) => ({ colour, label: labels[i] }));
  } else if (mode === "z") {
    const labels = neither
      ? ["well below the median", "below the median", "similar to the median", "above the median", "well above the median"]
      : ["much worse than the median", "worse than the median", "similar to the median",
        "better than the median", "much better than the median"];
    items = DIVERGING.map((colour, i) => ({ colour, label: labels[i] }));
  } else {
    items = tileset.legend.classes.map((c) => {
      let label;
      if (c.min === null && c.max !== null) label = `under ${format(c.max)}`;
      else if (c.max === null && c.min !== null) label = `${format(c.min)} and over`;
      else if (c.min !== null) label = `${format(c.min)} to under ${format(c.max)}`;
      else label = "all values";
      return { colour: c.color, label };
    });
  }
  return [...items, { colour: NO_DATA, label: "no data", nodata: true }];
}
