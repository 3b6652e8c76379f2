// The unrolled view: a recurrent layer through time, time steps left to right; each h_t (or
// dL/dh_t) a column of cells coloured by the shown example's values, its inputs below and the
// net's outputs above. Phase stepping highlights the time step being computed.

import { decode, rows } from "../packed.js";
import { DIVERGING_SCALE } from "../palette.js";
import { PLOT_CONFIG } from "./plotconfig.js";

const DOMAINS = { output: [0.86, 1], state: [0.2, 0.8], input: [0, 0.14] };

/** The largest finite |v| of `values`, or 1 when there is none (a colour scale's half-width). */
function halfWidth(values) {
  let m = 0;
  for (const v of values) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  return m || 1;
}

/** A heatmap trace of `z` (rows × columns at time steps `x`) on the rows' axis, with its own
 * colour bar beside its band. */
function band(z, x, axis, domain, zmin, zmax, title, hover) {
  return { type: "heatmap", z, x, zmin, zmax,
    colorscale: DIVERGING_SCALE, xaxis: "x", yaxis: axis, hovertemplate: `${hover}<extra></extra>`,
    colorbar: { title: { text: title, side: "right", font: { size: 10 } }, x: 1.01, y: (domain[0] + domain[1]) / 2,
      len: domain[1] - domain[0] + 0.04, thickness: 8, tickfont: { size: 9 }, outlinewidth: 0 } };
}

/** A white veil over the time steps a pass has not reached yet: right of t going forward, left of
 * t going backward. */
function ahead({ t, direction }, T) {
  const [x0, x1] = direction === "forward" ? [t + 0.5, T + 0.5] : [0.5, t - 0.5];
  return { type: "rect", xref: "x", yref: "paper", x0, x1, y0: DOMAINS.input[1] + 0.02, y1: 1, // the inputs are all known
    fillcolor: "rgba(255,255,255,0.65)", line: { width: 0 } };
}

export class UnrolledChart {
  constructor(element, note) {
    this.element = element;
    this.note = note;
    this.mode = "h"; // "h": h_t; "dh": dL/dh_t
    this.drawn = null; // what was drawn last (read by tests): {layer, mode, source (the detail drawn), z (H × T), input, output, highlight}
  }

  /** Draw layer `layer` (its index) from its `through_time` detail, the `example` {x, output} and
   * the phase in progress (its `t` highlighted when it is this layer's). */
  draw(layer, name, through, example, phase) {
    const states = through && (this.mode === "h" ? through.h : through.dh);
    if (!states) {
      this.drawn = null;
      this.note.textContent = !through ? "No forward pass yet: press Step or Phase."
        : "No backward pass yet: dL/dh_t appears once the step's backward has run.";
      Plotly.react(this.element, [], { margin: { t: 4 } }, PLOT_CONFIG);
      return;
    }
    const decoded = decode(states);
    const [T, H] = decoded.shape;
    const z = rows(decoded);
    const byUnit = Array.from({ length: H }, (_, u) => z.map((row) => row[u])); // H × T: each h_t a column
    const s = halfWidth(decoded.values);
    const symbol = this.mode === "h" ? "h" : "dL/dh";
    const steps = byUnit[0].map((_, t) => t + 1);
    const traces = [band(byUnit, steps, "y2", DOMAINS.state, -s, s, this.mode === "h" ? "h_t" : "dL/dh_t",
      `${symbol}[t=%{x}, unit %{y}] = %{z:.4g}`)];
    const input = example ? example.x[0].map((_, c) => example.x.map((step) => step[c])) : null; // C × T
    if (input) {
      const si = halfWidth(input.flat());
      traces.push(band(input, steps, "y", DOMAINS.input, -si, si, "x_t", "x[t=%{x}, channel %{y}] = %{z:.4g}"));
    }
    const output = example?.output ? [example.output] : null; // 1 × T, or 1 × 1 at t = T
    if (output) {
      const so = halfWidth(output[0]);
      traces.push(band(output, output[0].length === T ? steps : [T], "y3", DOMAINS.output, -so, so, "output",
        "output[t=%{x}] = %{z:.4g}"));
    }
    const highlight = phase && phase.layer === layer && phase.t ? { t: phase.t, direction: phase.phase } : null;
    const layout = { margin: { l: 46, r: 70, t: 8, b: 30 }, font: { size: 10 }, showlegend: false,
      xaxis: { range: [0.5, T + 0.5], title: { text: "time step t", standoff: 4 }, dtick: T > 30 ? 10 : T > 10 ? 5 : 1 },
      yaxis: { domain: DOMAINS.input, title: { text: "in", font: { size: 10 } }, showticklabels: false, ticks: "", zeroline: false },
      yaxis2: { domain: DOMAINS.state, title: { text: `${name}: unit`, font: { size: 10 } } },
      yaxis3: { domain: DOMAINS.output, title: { text: "out", font: { size: 10 } }, showticklabels: false, ticks: "", zeroline: false },
      shapes: highlight ? [ahead(highlight, T), { type: "rect", xref: "x", yref: "paper", x0: highlight.t - 0.5,
        x1: highlight.t + 0.5, y0: 0, y1: 1, line: { color: "#1d2330", width: 2 } }] : [] };
    Plotly.react(this.element, traces, layout, PLOT_CONFIG);
    this.drawn = { layer, mode: this.mode, source: through, z: byUnit, input, output, highlight };
    this.note.textContent = highlight ? `${highlight.direction} pass at t = ${highlight.t} of ${T}` +
      (highlight.direction === "forward" ? ": h_t from x_t and h_(t−1), left to right" : ": dL/dh_t flows back, right to left")
      + " (faded: the time steps this pass has not reached yet, as the last step left them)"
      : `${name}, training example ${through.index ?? "in the step in progress"}: ${this.mode === "h" ? "its hidden states h_t" : "the gradient dL/dh_t"}, t = 1 … ${T}`;
  }
}
