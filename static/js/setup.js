// The setup panels' life: built from the first hello's catalog, then showing the config in force
// (again after an error reply, since a refused change must not stay on screen, with the reason
// beside its field) and the notes on what a change brought with it.

import { Controls } from "./controls.js";
import { getState, subscribe } from "./state.js";

/** Build the setup panels when the catalog arrives; every change a person makes is configured. */
export function installSetup(transport) {
  let controls = null; // built once, from the first catalog
  subscribe((s, changed) => {
    if (changed.has("catalog") && !controls) controls = new Controls(s.catalog, (partial) => transport.configure(partial));
    if (changed.has("config") && controls) controls.render(s.config);
  });
  transport.on("config", (m) => controls?.applied(m.id));
  transport.on("error", (m) => { // show the config in force again, and why beside the field
    controls?.render(getState().config);
    controls?.refused(m);
  });
}
