// The setup panels' life: built from the first hello's catalog, then showing the config in force
// (again after an error reply, since a refused change must not stay on screen, with the reason
// beside its field) and the notes on what a change brought with it; in replay the trace's config
// at the snapshot on show, read-only; read-only too in a lesson that locks the setup.

import { Controls } from "./controls.js";
import { getState, subscribe, view } from "./state.js";

const SETUP = "#group-data, #group-features, #group-training, #group-network";

/** Show the config on view; in replay or a locked lesson every setup control is disabled and a
 * note says why (back live, the controls enable again and render disables those it needs, e.g.
 * "+ layer" at the limit). */
function show(controls) {
  const { replay, lesson } = getState();
  const readOnly = Boolean(replay) || Boolean(lesson?.lock.includes("setup"));
  const setAll = (disabled) => {
    for (const control of document.querySelectorAll(`:is(${SETUP}) :is(input, select, button)`)) control.disabled = disabled;
  };
  if (!readOnly) setAll(false);
  controls.render(view().config);
  if (readOnly) setAll(true);
  const note = document.querySelector("#setup-replay-note");
  note.hidden = !readOnly;
  if (replay) note.textContent = `The trace's setup at step ${view().step.toLocaleString("en-US")}, read-only: back to the live run to change yours.`;
  else if (readOnly) note.textContent = "This lesson's setup is fixed: its controls are read-only.";
}

/** Build the setup panels when the catalog arrives; every change a person makes is configured. */
export function installSetup(transport) {
  let controls = null; // built once, from the first catalog
  subscribe((s, changed) => {
    if (changed.has("catalog") && !controls) controls = new Controls(s.catalog, (partial) => transport.configure(partial));
    if ((changed.has("config") || changed.has("replay")) && controls) show(controls);
  });
  transport.on("config", (m) => controls?.applied(m.id));
  transport.on("error", (m) => { // show the config in force again, and why beside the field
    if (controls) show(controls);
    controls?.refused(m);
  });
}
