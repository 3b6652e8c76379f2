// The bar's buttons (reset, play, pause, step, phase, export, import) and the speed menu, each as
// a message to the server, except in replay, where play, pause and step move through the trace
// and the others do nothing (replay.js disables them); returns the actions, which the keyboard
// shortcuts share.

import { getState } from "./state.js";

const PAUSE_HOLD_MS = 500; // longest a pause click holds the drawing while it waits for the reply

/** Wire the buttons; returns {name: action()} for each. `trace` is the replay's {play, pause, step}. */
export function installPlayback(transport, redraws, trace) {
  const live = (fn) => () => (getState().replay ? undefined : fn());
  const either = (onTrace, onLive) => () => (getState().replay ? onTrace() : onLive());
  const actions = {
    play: either(trace.play, () => transport.play()),
    pause: either(trace.pause, () => {
      redraws.hold(PAUSE_HOLD_MS); // no drawing between the click and the reply: it is not delayed
      transport.pause();
    }),
    step: either(trace.step, () => transport.step(1)),
    phase: live(() => transport.phase()),
    reset: live(() => transport.reset()),
    export: live(() => transport.exportTrace()),
    import: () => document.querySelector("#import-file").click(),
  };
  for (const [name, fn] of Object.entries(actions)) document.querySelector(`[data-action=${name}]`).addEventListener("click", fn);
  document.querySelector("#speed").addEventListener("change", (e) =>
    transport.speed({ steps_per_second: e.target.value ? Number(e.target.value) : null }));
  return actions;
}
