// Keyboard shortcuts, outside form fields: space plays or pauses, → steps, Shift+→ runs one phase.

import { getState } from "./state.js";

/** Bind the shortcuts to the playback actions. */
export function installKeyboard(actions) {
  document.addEventListener("keydown", (e) => {
    if (e.target.closest("input, select, textarea")) return;
    if (e.key === " ") {
      e.preventDefault();
      const s = getState();
      (s.replay ? s.replay.playing : s.status === "running") ? actions.pause() : actions.play();
    } else if (e.key === "ArrowRight") {
      e.preventDefault();
      (e.shiftKey ? actions.phase : actions.step)();
    }
  });
}
