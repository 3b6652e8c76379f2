// The setup panels' life: built from the first hello's catalog, then showing the config in force
// (again after an error reply, since a refused change must not stay on screen, with the reason
// beside its field) and the notes on what a change brought with it; in replay the trace's config
// at the snapshot on show, read-only.

import { Controls } from "./controls.js";
import { getState, subscribe, view } from "./state.js";

const SETUP = "#group-data, #group-features, #group-training, #group-network";

/** Show the config on view; in replay every setup control is disabled and a note says whose it is
 * (back live, the controls enable again and render disables those it needs, e.g. "+ layer" at the limit). */
function show(controls) {
  const { replay } = getState();
  const setAll = (disabled) => {
    for (const control of document.querySelectorAll(`:is(${SETUP}) :is(input, select, button)`)) control.disabled = disabled;
  };
  if (!replay) setAll(false);
  controls.render(view().config);
  if (replay) setAll(true);
  const note = document.querySelector("#setup-replay-note");
  note.hidden = !replay;
  if (replay) note.textContent = `The trace's setup at step ${view().step.toLocaleString("en-US")}, read-only: back to the live run to change yours.`;
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
