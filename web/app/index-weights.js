// "Change the weights": a dialog with the index's domain and pillar weights; building it posts
// the definition with your weights to /api/indexes (allowed where uploads are), which computes
// a new index with its own tiles, ranks and rank intervals.

import { esc } from "./format.js";

let dialog = null;

function slug(text) {
  return text.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40) || "index";
}

function field(id, label, weight, hint = "") {
  return `<div class="weight"><label for="${id}">${esc(label)}${hint ? ` <small>${esc(hint)}</small>` : ""}</label>`
    + `<input id="${id}" type="number" min="0" max="10" step="0.5" value="${weight}" inputmode="decimal"></div>`;
}

function form(entry) {
  const status = entry.status;
  const rows = entry.definition.domain.map((d, i) => {
    const pillars = d.pillar.map((p, j) => (status[p.id]?.status === "empty" ? ""
      : field(`w-${i}-${j}`, p.title, p.weight, status[p.id]?.status === "thin" ? "thin" : "")));
    return `<fieldset class="weights"><legend>${field(`w-${i}`, d.title, d.weight)}</legend>${pillars.join("")}</fieldset>`;
  });
  return `<h2 id="weights-title">Change the weights</h2>`
    + `<p class="hint">Weights are relative within each domain (pillars) and across domains; 0 leaves a part out. `
    + `Your index gets its own map, ranks and likely ranges (a minute or two).</p>`
    + `<div class="field"><label for="weights-name">Name of your index</label><input id="weights-name" maxlength="80" value="My index"></div>`
    + rows.join("")
    + `<p id="weights-status" class="notice" role="status" hidden></p><div id="weights-error" class="error" role="alert" hidden></div>`
    + `<div class="buttons"><button type="button" id="weights-cancel">Cancel</button>`
    + `<button type="submit" class="primary" id="weights-build">Build my index</button></div>`;
}

/** The definition with the weights and name from the form. */
export function withWeights(definition, root) {
  const out = JSON.parse(JSON.stringify(definition));
  out.domain.forEach((d, i) => {
    const dw = root.querySelector(`#w-${i}`);
    if (dw) d.weight = Number(dw.value);
    d.pillar.forEach((p, j) => {
      const pw = root.querySelector(`#w-${i}-${j}`);
      if (pw) p.weight = Number(pw.value);
    });
  });
  const name = root.querySelector("#weights-name").value.trim() || "My index";
  out.title = name;
  out.id = `my-${slug(name)}`.slice(0, 60);
  out.description = `${name}: ${definition.title} with your own weights.`;
  return out;
}

/** Open the dialog for index `indexId`; `onAdded(id)` is called once the new index is built. */
export async function openWeights(indexId, onAdded) {
  const entry = await (await fetch(`/api/indexes/${encodeURIComponent(indexId)}`)).json();
  dialog?.remove();
  dialog = document.createElement("dialog");
  dialog.className = "upload weights-dialog";
  dialog.setAttribute("aria-labelledby", "weights-title");
  dialog.innerHTML = `<form method="dialog">${form(entry)}</form>`;
  document.body.append(dialog);
  const show = (id, text) => { const el = dialog.querySelector(id); el.hidden = !text; el.textContent = text || ""; };
  dialog.querySelector("#weights-cancel").addEventListener("click", () => dialog.close());
  dialog.querySelector("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = withWeights(entry.definition, dialog);
    dialog.querySelector("#weights-build").disabled = true;
    show("#weights-error", "");
    show("#weights-status", "Computing your index, its rank intervals and its tiles…");
    try {
      const response = await fetch("/api/indexes?replace=true", {
        method: "POST", body: JSON.stringify(body),
        headers: { "Content-Type": "application/json", "X-Requested-With": "levelup" },
      });
      const answer = await response.json();
      if (!response.ok) throw new Error(answer.error?.message || response.statusText);
      show("#weights-status", `Built “${answer.title}”: ${answer.areas} districts, ${answer.years[0]}–${answer.years.at(-1)}.`);
      dialog.close();
      await onAdded?.(answer.index);
    } catch (error) {
      show("#weights-status", "");
      show("#weights-error", error.message);
    } finally {
      dialog.querySelector("#weights-build").disabled = false;
    }
  });
  dialog.showModal();
}
