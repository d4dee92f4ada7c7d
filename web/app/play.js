// Playing through the years: one history step for the whole run (Back returns to before it).

const $ = (id) => document.getElementById(id);
const PLAY_MS = 1400;

/** The ▶ button's behaviour for `app`; `apply` shows the state, `normalise` checks it. */
export function player(app, { apply, normalise }) {
  function stop() {
    if (app.playing) clearInterval(app.playing);
    app.playing = null;
    $("play").setAttribute("aria-pressed", "false");
    $("play").textContent = "▶";
    $("play").setAttribute("aria-label", "Play through the years");
  }

  function toggle() {
    if (app.playing) { stop(); return; }
    let first = true;
    const list = app.years();
    if (app.state.year === list.at(-1)) { app.state = normalise({ ...app.state, year: list[0] }); apply(); first = false; }
    $("play").setAttribute("aria-pressed", "true");
    $("play").textContent = "❚❚";
    $("play").setAttribute("aria-label", "Pause");
    app.playing = setInterval(() => {
      const all = app.years();
      const next = all[all.indexOf(app.state.year) + 1];
      if (next === undefined) { stop(); return; }
      app.state = normalise({ ...app.state, year: next });
      apply({ step: first });
      first = false;
    }, PLAY_MS);
  }

  return { stop, toggle };
}
