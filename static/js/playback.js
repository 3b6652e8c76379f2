// The bar's buttons (reset, play, pause, step, phase, export, import) and the speed menu, each as
// a message to the server; returns the actions, which the keyboard shortcuts share.

const PAUSE_HOLD_MS = 500; // longest a pause click holds the drawing while it waits for the reply

/** Wire the buttons; returns {name: action()} for each. */
export function installPlayback(transport, redraws) {
  const actions = {
    play: () => transport.play(),
    pause: () => {
      redraws.hold(PAUSE_HOLD_MS); // no drawing between the click and the reply: it is not delayed
      transport.pause();
    },
    step: () => transport.step(1),
    phase: () => transport.phase(),
    reset: () => transport.reset(),
    export: () => transport.exportTrace(),
    import: () => document.querySelector("#import-file").click(),
  };
  for (const [name, fn] of Object.entries(actions)) document.querySelector(`[data-action=${name}]`).addEventListener("click", fn);
  document.querySelector("#speed").addEventListener("change", (e) =>
    transport.speed({ steps_per_second: e.target.value ? Number(e.target.value) : null }));
  return actions;
}
