// Small wrappers round the levelup HTTP API (same origin).

async function getJSON(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try { message = (await response.json()).error.message; } catch { /* not JSON */ }
    throw new Error(message);
  }
  return response.json();
}

export const api = {
  catalogue: () => getJSON("/api/catalogue"),
  tileset: (id) => getJSON(`/api/tilesets/${encodeURIComponent(id)}`),
  area: (code, level) =>
    getJSON(`/api/areas/${encodeURIComponent(code)}${level ? `?level=${encodeURIComponent(level)}` : ""}`),
  indicatorAreas: (id, variant, level) =>
    getJSON(`/api/indicators/${encodeURIComponent(id)}/areas?variant=${encodeURIComponent(variant)}&level=${encodeURIComponent(level)}`),
  search: (q, level) =>
    getJSON(`/api/areas?q=${encodeURIComponent(q)}&limit=12${level ? `&level=${encodeURIComponent(level)}` : ""}`),
};

export function tilesetId(state) {
  return `${state.indicator}.${state.variant}.${state.level}.${state.year}`;
}
