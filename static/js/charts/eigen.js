// Recurrent eigenvalues: W_h's eigenvalues in the complex plane with the unit circle (for an LSTM,
// of each gate's block), and in words what their place means for the gradient through time.

import { SERIES } from "../palette.js";
import { PLOT_CONFIG } from "./plotconfig.js";

const SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x"]; // blocks told apart by shape: colour means nothing here

export class EigenChart {
  constructor(element, note) {
    this.element = element;
    this.note = note;
    this.drawn = null; // read by tests: {layer, source (the detail drawn), blocks, real [[..]], imag [[..]]}
  }

  /** Draw layer `layer`'s (named `name`) `spectrum` detail. */
  draw(layer, name, spectrum) {
    if (!spectrum) {
      this.drawn = null;
      this.note.textContent = "The spectrum comes with the next full frame.";
      return;
    }
    const { blocks, real, imag, spectral_radius: radius } = spectrum;
    let reach = 1.15;
    blocks.forEach((_, b) => real[b].forEach((re, k) => { reach = Math.max(reach, 1.1 * Math.hypot(re ?? 0, imag[b][k] ?? 0)); }));
    const traces = blocks.map((block, b) => ({ type: "scatter", mode: "markers", x: real[b], y: imag[b],
      name: blocks.length > 1 ? `${block} gate` : "W_h", marker: { symbol: SYMBOLS[b % SYMBOLS.length], size: 7,
        color: b ? SERIES.light : SERIES.strong, line: { width: 1, color: SERIES.strong } },
      hovertemplate: `${block}: λ = %{x:.3f} %{y:+.3f}i<extra></extra>` }));
    const layout = { margin: { l: 40, r: 10, t: 10, b: 34 }, font: { size: 10 }, showlegend: blocks.length > 1,
      legend: { orientation: "h", y: -0.22, font: { size: 9 } },
      xaxis: { range: [-reach, reach], title: { text: "Re λ", standoff: 2 }, zeroline: true, constrain: "domain" },
      yaxis: { range: [-reach, reach], scaleanchor: "x", title: { text: "Im λ", standoff: 2 }, zeroline: true },
      shapes: [{ type: "circle", xref: "x", yref: "y", x0: -1, y0: -1, x1: 1, y1: 1, line: { color: "#009e73", width: 1.5, dash: "dot" } }] };
    Plotly.react(this.element, traces, layout, PLOT_CONFIG);
    this.drawn = { layer, source: spectrum, blocks, real, imag };
    const worst = Math.max(...radius.filter(Number.isFinite));
    const where = worst < 1 ? "inside the unit circle: each step back in time shrinks the gradient along them, so it fades into the past"
      : "outside the unit circle: along them the gradient can grow with each step back in time (exploding)";
    this.note.textContent = `${name}: largest |λ| = ${worst.toFixed(3)} (${blocks.map((b, k) => `${b} ${radius[k].toFixed(2)}`).join(", ")}): `
      + `${where}. Inside the dotted circle (|λ| < 1) gradients shrink through time; outside they can grow.`;
  }
}
