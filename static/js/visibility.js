// A hidden tab trains nobody: training pauses while the page is hidden and plays again when it is
// shown, if it was playing then.

import { getState, setState } from "./state.js";

/** Pause on hide, resume on show. */
export function installVisibility(transport) {
  document.addEventListener("visibilitychange", () => {
    const s = getState();
    if (document.hidden && s.status === "running") {
      setState({ resumeWhenVisible: true });
      transport.pause();
    } else if (!document.hidden && s.resumeWhenVisible) {
      setState({ resumeWhenVisible: false });
      transport.play();
    }
  });
}
