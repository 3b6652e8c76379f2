// The classic experiments: the menu of the catalog's presets; choosing one configures its whole
// setup (the engine's full_config, nothing left over) as a new run, with a note on what to watch,
// and names it in the URL hash (a lesson link opens it the same way).

import { getState, subscribe } from "./state.js";
import { setHashParam } from "./urlhash.js";

const $ = (selector) => document.querySelector(selector);

/** The preset menu: its first option ("choose one…") and one per preset. */
function fillPresets(presets) {
  const select = $("#preset");
  select.replaceChildren(select.options[0], ...presets.map((p) =>
    Object.assign(document.createElement("option"), { value: p.id, textContent: p.title })));
}

/** The note under the bar: the preset's title, what to watch, and a button to run its steps. */
function showNote(preset, transport) {
  const note = $("#preset-note");
  note.hidden = false;
  note.dataset.preset = preset.id;
  const run = Object.assign(document.createElement("button"), { textContent: `Run ${preset.steps} steps` });
  run.dataset.action = "preset-run";
  run.addEventListener("click", () => transport.step(preset.steps));
  note.replaceChildren(Object.assign(document.createElement("b"), { textContent: `${preset.title}. ` }), preset.watch, " ", run);
}

/** Put the loss chart on the scale that shows the preset's point (a spike and a plateau: log). */
function showLossScale(scale) {
  const box = $("#loss-log");
  if (box.checked === (scale === "log")) return;
  box.checked = scale === "log";
  box.dispatchEvent(new Event("change"));
}

/** Open the folds that hold the preset's panels (the instruments'), so what it is about shows. */
function openFolds(panels) {
  for (const name of panels) {
    const fold = document.querySelector(`.panel[data-part="${name}"]`)?.closest("details");
    if (fold && !fold.open) fold.open = true;
  }
}

/** Fill the menu from each catalog; a choice configures the preset and starts a new run. Returns
 * `open(preset, config)`: the preset's note and loss scale over `config` (a lesson link's), as a new run. */
export function installPresets(transport) {
  const open = (preset, config) => {
    transport.configure(config);
    transport.reset(); // a new run even when only live settings differ (e.g. just the optimizer)
    showLossScale(preset.loss_scale ?? "linear");
    showNote(preset, transport);
    openFolds(preset.panels ?? []);
    setHashParam("preset", encodeURIComponent(preset.id));
  };
  subscribe((s, changed) => {
    if (changed.has("catalog") && s.catalog) fillPresets(s.catalog.presets);
  });
  if (getState().lesson?.lock.includes("setup")) $("#preset").disabled = true; // the lesson's setup is fixed
  $("#preset").addEventListener("change", (e) => {
    const preset = getState().catalog.presets.find((p) => p.id === e.target.value);
    e.target.value = "";
    if (preset) open(preset, preset.full_config);
  });
  return open;
}
