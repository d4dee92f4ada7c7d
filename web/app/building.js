// While `levelup run` builds the rest of the catalogue behind the first map: a banner with
// the build's progress, and the catalogue refreshed (quietly) as tilesets are written.

import { STATIC } from "./api.js";

const EVERY_MS = 10000;

/** The build's progress from /healthz: {planned, done, finished, running} or null. */
async function progress() {
  try {
    const response = await fetch("/healthz", { cache: "no-store" });
    return response.ok ? (await response.json()).build || null : null;
  } catch {
    return null; // the server is restarting: try again next time
  }
}

/** The banner's text for a build still running. */
export function buildingText(build) {
  const share = build.planned ? Math.floor((100 * build.done) / build.planned) : 0;
  return `Still building the catalogue: ${build.done.toLocaleString("en-GB")} of `
    + `${build.planned.toLocaleString("en-GB")} tilesets ready (${share}%). `
    + "More indicators, years and geographies appear here as they are built.";
}

/** Poll the build while it runs; `onMore()` is awaited whenever more tilesets are served.
 * Returns a function that checks at once (for automated checks). */
export function watchBuild(banner, onMore) {
  if (STATIC) return async () => {};
  let served = null;
  let timer = null;
  const tick = async () => {
    clearTimeout(timer);
    const build = await progress();
    const running = Boolean(build && build.running); // a stopped build is not "building"
    banner.hidden = !running;
    if (running) banner.textContent = buildingText(build);
    const count = build ? build.done : null;
    if (served !== null && count !== null && count !== served) await onMore();
    served = count;
    if (running || build === null) timer = setTimeout(tick, EVERY_MS);
  };
  tick();
  return tick;
}
