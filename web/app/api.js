// Small wrappers round the levelup HTTP API (same origin), or the JSON files of a static
// export (`levelup export`), whose page says so with <meta name="levelup-static">.

/** "xyz" or "pmtiles" on a static export; null when a levelup server answers. */
export const STATIC = document.querySelector('meta[name="levelup-static"]')?.content || null;

async function getJSON(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try { message = (await response.json()).error.message; } catch { /* not JSON */ }
    throw new Error(message);
  }
  return response.json();
}

/** A link from the API or an export made absolute (map workers resolve nothing themselves). */
export function absolute(url) {
  if (!url) return url;
  return new URL(url, document.baseURI).href.replace(/%7B/g, "{").replace(/%7D/g, "}"); // keep {z}/{x}/{y}
}

let searchIndex = null;

/** Search a static export's index the way the server searches: names first, then codes. */
async function searchStatic(q, level) {
  searchIndex ||= getJSON("api/search.json");
  const text = q.trim().toLowerCase();
  if (text.length < 2) return { areas: [] };
  const hits = (await searchIndex).areas.filter((a) => (!level || a.level === level)
    && (a.name.toLowerCase().includes(text) || a.code.toLowerCase().includes(text)));
  const rank = (a) => (a.name.toLowerCase().startsWith(text) ? 0 : 1);
  hits.sort((a, b) => rank(a) - rank(b) || a.name.length - b.name.length || a.name.localeCompare(b.name));
  return { areas: hits.slice(0, 12) };
}

const e = encodeURIComponent;

export const api = STATIC ? {
  catalogue: () => getJSON("api/catalogue.json"),
  tileset: (id) => getJSON(`api/tilesets/${e(id)}.json`),
  area: (code, level) => getJSON(`api/areas/${e(code)}.${e(level)}.json`),
  indicatorAreas: async () => ({ bounds: null }),
  search: searchStatic,
} : {
  catalogue: () => getJSON("/api/catalogue"),
  tileset: (id) => getJSON(`/api/tilesets/${e(id)}`),
  area: (code, level) => getJSON(`/api/areas/${e(code)}${level ? `?level=${e(level)}` : ""}`),
  indicatorAreas: (id, variant, level) =>
    getJSON(`/api/indicators/${e(id)}/areas?variant=${e(variant)}&level=${e(level)}`),
  search: (q, level) => getJSON(`/api/areas?q=${e(q)}&limit=12${level ? `&level=${e(level)}` : ""}`),
};

export function tilesetId(state) {
  const id = `${state.indicator}.${state.variant}.${state.level}.${state.year}`;
  return state.shape === "hex" ? `${id}.hex` : id;
}
