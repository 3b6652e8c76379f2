// The bar's buttons (reset, play, pause, step, phase, flat out, export, import) and the speed
// menu, each as a message to the server, except in replay, where play, pause and step move
// through the trace and the others do nothing (replay.js disables them); returns the actions,
// which the keyboard shortcuts share. Every session starts at the menu's speed (a pace a person
// can watch learning at); flat out is one click away.

import { getState } from "./state.js";

const PAUSE_HOLD_MS = 500; // longest a pause click holds the drawing while it waits for the reply

/** Wire the buttons; returns {name: action()} for each. `trace` is the replay's {play, pause, step}. */
export function installPlayback(transport, redraws, trace) {
  const live = (fn) => () => (getState().replay ? undefined : fn());
  const either = (onTrace, onLive) => () => (getState().replay ? onTrace() : onLive());
  const speed = document.querySelector("#speed");
  const flatOut = document.querySelector("[data-action=flat-out]");
  const sendSpeed = () => {
    transport.speed({ steps_per_second: speed.value ? Number(speed.value) : null });
    flatOut.disabled = !speed.value; // already flat out
  };
  const actions = {
    play: either(trace.play, () => transport.play()),
    pause: either(trace.pause, () => {
      redraws.hold(PAUSE_HOLD_MS); // no drawing between the click and the reply: it is not delayed
      transport.pause();
    }),
    step: either(trace.step, () => transport.step(1)),
    phase: live(() => transport.phase()),
    "flat-out": live(() => {
      speed.value = "";
      sendSpeed();
    }),
    reset: live(() => transport.reset()),
    export: live(() => transport.exportTrace()),
    import: () => document.querySelector("#import-file").click(),
  };
  for (const [name, fn] of Object.entries(actions)) document.querySelector(`[data-action=${name}]`).addEventListener("click", fn);
  speed.addEventListener("change", sendSpeed);
  transport.on("hello", sendSpeed); // a new session (first visit or reconnect) trains at the chosen speed
  return actions;
}
