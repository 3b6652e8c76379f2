// Export: the server's trace reply becomes a download named after the dataset and step; leaving
// the page with steps not exported since asks first.

import { getState, setState } from "./state.js";

const URL_KEPT_MS = 10000; // the download's object URL is released after this

/** Save a trace as a JSON download. */
function download(trace) {
  const blob = new Blob([JSON.stringify(trace)], { type: "application/json" });
  const a = document.createElement("a");
  const last = trace.steps.length ? trace.steps[trace.steps.length - 1].step : 0;
  a.href = URL.createObjectURL(blob);
  a.download = `backprop-lab-${trace.config.dataset.name}-step${last}.json`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), URL_KEPT_MS);
  return last;
}

/** Download each trace the server sends; warn before leaving a run with unexported steps. */
export function installExport(transport) {
  transport.on("trace", (m) => setState({ exportedStep: download(m.trace) }));
  window.addEventListener("beforeunload", (e) => {
    const s = getState();
    if (s.step > 0 && s.step !== s.exportedStep) {
      e.preventDefault();
      e.returnValue = "";
    }
  });
}
