// The ghost overlay's own switch, beside the loss chart: an imported run chosen as a ghost (in the
// replay bar) stays on the live charts after the replay bar is gone, until this turns it off.

import { setState, subscribe } from "./state.js";

const $ = (selector) => document.querySelector(selector);

/** Show the switch once a ghost was chosen; it turns that ghost off and on again. */
export function installGhostSwitch() {
  let chosen = null; // the last ghost chosen (a History): turned off, it can be turned back on
  const box = $("#ghost-shown");
  box.addEventListener("change", () => setState({ ghost: box.checked ? chosen : null }));
  subscribe((s, changed) => {
    if (!changed.has("ghost")) return;
    if (s.ghost) chosen = s.ghost;
    $("#ghost-option").hidden = !chosen;
    $("#ghost-name").textContent = chosen ? `overlay ${chosen.label}` : "";
    box.checked = Boolean(s.ghost);
    $("#ghost-toggle").checked = Boolean(s.ghost); // the replay bar's toggle says the same
  });
}
