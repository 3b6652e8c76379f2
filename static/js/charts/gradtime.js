// Gradient through time: ‖dL/dh_t‖ against t on a log axis for the latest step (one line per
// recurrent layer), and a t × training-step heatmap of log10 ‖dL/dh_t‖ for the chosen layer, so
// the fade into the past (or the blow-up) reads at a glance.

import { layerColor, VIRIDIS_SCALE } from "../palette.js";
import { PLOT_CONFIG } from "./plotconfig.js";

const LINE = [0, 0.4]; // the line chart's share of the width
const MAP = [0.5, 0.9]; // the heatmap's

export class GradTimeChart {
  constructor(element, note) {
    this.element = element;
    this.note = note;
    this.drawn = null; // read by tests: {step, lines [{layer, name, y}], heatmap {layer, steps, z}}
  }

  /** Draw a TimeHistory (history.time) for `layers` (the trace's), the heatmap of recurrent entry `chosen`. */
  draw(time, layers, chosen) {
    if (!time.latest) {
      this.drawn = null;
      this.note.textContent = "No step yet: ‖dL/dh_t‖ appears after the first backward pass.";
      Plotly.react(this.element, [], { margin: { t: 4 } }, PLOT_CONFIG);
      return;
    }
    const k = Math.max(0, time.layers.indexOf(chosen));
    const lines = time.latest.norms.map((norms, r) => ({ layer: time.layers[r], name: layers[time.layers[r]].name,
      y: norms.map((v) => (v > 0 && Number.isFinite(v) ? v : null)) }));
    const heatmap = { layer: time.layers[k], ...time.heatmap(k) };
    const traces = lines.map((line, r) => ({ type: "scatter", mode: "lines+markers", x: line.y.map((_, t) => t + 1), y: line.y,
      name: layers[line.layer].name, line: { color: layerColor(r, lines.length), width: 2 }, marker: { size: 4 },
      hovertemplate: `${layers[line.layer].name}: ‖dL/dh_%{x}‖ = %{y:.3g}<extra></extra>` }));
    traces.push({ type: "heatmap", x: heatmap.steps, y: heatmap.z.map((_, t) => t + 1), z: heatmap.z, colorscale: VIRIDIS_SCALE,
      xaxis: "x2", yaxis: "y2", hovertemplate: "step %{x}, t = %{y}: log₁₀‖dL/dh_t‖ = %{z:.2f}<extra></extra>",
      colorbar: { title: { text: "log₁₀‖dL/dh_t‖", side: "right", font: { size: 10 } }, x: MAP[1] + 0.01, thickness: 8,
        tickfont: { size: 9 }, outlinewidth: 0 } });
    const layout = { margin: { l: 50, r: 10, t: 24, b: 34 }, font: { size: 10 }, showlegend: lines.length > 1,
      legend: { x: LINE[0], y: 1.12, orientation: "h", font: { size: 9 } },
      xaxis: { domain: LINE, title: { text: "time step t", standoff: 4 } },
      yaxis: { type: "log", title: { text: "‖dL/dh_t‖", standoff: 2 }, exponentformat: "power" },
      xaxis2: { domain: MAP, anchor: "y2", title: { text: "training step", standoff: 4 } },
      yaxis2: { anchor: "x2", title: { text: `t (${layers[heatmap.layer].name})`, standoff: 2 } } };
    Plotly.react(this.element, traces, layout, PLOT_CONFIG);
    this.drawn = { step: time.latest.step, lines, heatmap };
    const first = lines[k].y[0];
    const last = lines[k].y[lines[k].y.length - 1];
    this.note.textContent = first && last
      ? `Step ${time.latest.step}, ${layers[heatmap.layer].name}: ‖dL/dh_1‖ / ‖dL/dh_T‖ = ${(first / last).toExponential(1)}`
        + (first / last < 1e-2 && layers[heatmap.layer].kind === "lstm"
          ? ": ‖dL/dh_t‖ fades into the past, but an LSTM carries its memory back along its cell c, which this does not measure."
          : first / last < 1e-2 ? ": the gradient fades into the past (vanishing through time)."
          : first / last > 100 ? ": the gradient grows into the past (exploding through time)." : ": the gradient reaches back in time.")
      : `Step ${time.latest.step}: no finite gradient through time.`;
  }
}
