// The step-through panel: each phase's tensors as heatmaps and a line in its log, and the
// server's explanation of a clicked weight.

import { subscribe } from "./state.js";

/** Show the heatmaps (the chart appears with the first phase) and log the phase. */
function showPhase(panel, p) {
  const chart = document.querySelector("#chart-phase");
  if (chart.hidden) {
    chart.hidden = false;
    Plotly.Plots.resize(chart);
  }
  panel.draw(p);
  const log = document.querySelector("#phase-readout");
  if (p.phase === "forward" && p.layer === 0 && (p.t ?? 1) === 1) log.replaceChildren(); // a step's first phase
  const shapes = Object.entries(p.tensors).map(([name, t]) => `${name} [${t.shape.join("×")}]`).join(", ");
  const item = document.createElement("div");
  item.dataset.phase = p.phase;
  item.dataset.layer = p.layer ?? "";
  // "step 0 → 1": the pass that takes the header's step counter (steps done) from 0 to 1
  item.textContent = `step ${p.step - 1} → ${p.step} · ${p.phase}${p.layer_name ? ` · ${p.layer_name}` : ""}${p.t ? ` at t = ${p.t}` : ""}: ${shapes}`;
  log.append(item);
}

/** Empty the panel: a new run (reset, rebuild, preset, new session) has none of the old step's
 * phases, and its weights are not the explained one's. */
function clearPhases() {
  document.querySelector("#chart-phase").hidden = true; // the next phase shows it, redrawn
  document.querySelector("#phase-readout").replaceChildren();
  const explain = document.querySelector("#explain");
  explain.replaceChildren();
  delete explain.dataset.terms;
}

/** Draw each phase into `panel` (a PhasePanel) and write out each explain reply; a new run empties it. */
export function installStepThrough(transport, panel) {
  subscribe((s, changed) => {
    if (changed.has("run")) clearPhases();
    if (changed.has("phase") && s.phase) showPhase(panel, s.phase);
  });
  transport.on("explain", (m) => panel.explain(m)); // the weight editor's button goes to it
}
