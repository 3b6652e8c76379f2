// The unrolled view: a recurrent layer through time, time steps left to right; each h_t (or
// dL/dh_t) a column of cells coloured by the shown example's values, its inputs below and the
// net's outputs above. In the middle of a phase-by-phase step it shows what that step has computed
// so far, the time step being computed highlighted and those not computed yet blank on grey.

import { rows } from "../packed.js";
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

/** A light grey box below the cells (which leave them blank) over the time steps a pass has not
 * computed yet, in the bands from y0 up (paper coordinates). */
function pending(x0, x1, y0) {
  return { type: "rect", layer: "below", xref: "x", yref: "paper", x0: x0 - 0.5, x1: x1 + 0.5, y0, y1: 1,
    fillcolor: "#e4e7ec", line: { width: 0 } };
}

/** The note under the view. */
function words(shown, name, symbol, T) {
  const { highlight: h, inProgress, states, first } = shown;
  if (!inProgress) return `${name}, training example ${shown.index ?? "in the step in progress"}: ${symbol === "h" ? "its hidden states h_t" : "the gradient dL/dh_t"}, t = 1 … ${T}`;
  const computed = !states ? "none computed yet" : first === 1 && states.shape[0] === T ? `all ${T} computed`
    : `t = ${first} … ${first + states.shape[0] - 1} computed, the grey ones not yet`;
  const what = symbol === "h" ? "h_t" : "dL/dh_t";
  const where = h ? `${h.direction} pass at t = ${h.t} of ${T}: `
    + (h.direction === "forward" ? "h_t from x_t and h_(t−1), left to right" : "dL/dh_t flows back, right to left")
    : `${name} in the step in progress`;
  return `${where}; ${what} of this step: ${computed}`;
}

export class UnrolledChart {
  constructor(element, note) {
    this.element = element;
    this.note = note;
    this.mode = "h"; // "h": h_t; "dh": dL/dh_t
    this.drawn = null; // what was drawn last (read by tests): {layer, mode, source (the through_time drawn from), z (H × T, null where not computed), input, output, highlight}
  }

  /** Draw layer `layer` (its index) named `name` from `shown` (unrolledsource.js: the last step's
   * detail, or what the step in progress has computed so far), its phase's `t` highlighted; null:
   * no forward pass yet. */
  draw(layer, name, H, shown) {
    if (!shown || (!shown.states && !shown.inProgress)) {
      this.drawn = null;
      this.note.textContent = !shown ? "No forward pass yet: press Step or Phase."
        : "No backward pass yet: dL/dh_t appears once the step's backward has run.";
      Plotly.react(this.element, [], { margin: { t: 4 } }, PLOT_CONFIG);
      return;
    }
    const { T, first, states } = shown;
    const rowsOf = states ? rows(states) : [];
    const steps = Array.from({ length: T }, (_, t) => t + 1);
    const byUnit = Array.from({ length: H }, (_, u) => steps.map((t) => rowsOf[t - first]?.[u] ?? null)); // H × T: each h_t a column
    const s = halfWidth(states ? states.values : []);
    const symbol = this.mode === "h" ? "h" : "dL/dh";
    const traces = [band(byUnit, steps, "y2", DOMAINS.state, -s, s, this.mode === "h" ? "h_t" : "dL/dh_t",
      `${symbol}[t=%{x}, unit %{y}] = %{z:.4g}`)];
    const input = shown.x ? shown.x[0].map((_, c) => shown.x.map((step) => step[c])) : null; // C × T
    if (input) {
      const si = halfWidth(input.flat());
      traces.push(band(input, steps, "y", DOMAINS.input, -si, si, "x_t", "x[t=%{x}, channel %{y}] = %{z:.4g}"));
    }
    const output = shown.output ? [shown.output] : null; // 1 × T, or 1 × 1 at t = T
    if (output) {
      const so = halfWidth(output[0]);
      traces.push(band(output, output[0].length === T ? steps : [T], "y3", DOMAINS.output, -so, so, "output",
        "output[t=%{x}] = %{z:.4g}"));
    }
    const highlight = shown.highlight;
    const count = states ? states.shape[0] : 0;
    const grey = [];
    if (shown.inProgress && count < T) grey.push(first === 1 ? pending(count + 1, T, DOMAINS.state[0]) : pending(1, T - count, DOMAINS.state[0]));
    if (shown.inProgress && !output) grey.push(pending(shown.outputFrom, T, DOMAINS.output[0]));
    const layout = { margin: { l: 46, r: 70, t: 8, b: 30 }, font: { size: 10 }, showlegend: false,
      xaxis: { range: [0.5, T + 0.5], title: { text: "time step t", standoff: 4 }, dtick: T > 30 ? 10 : T > 10 ? 5 : 1, showgrid: false },
      yaxis: { domain: DOMAINS.input, title: { text: "in", font: { size: 10 } }, showticklabels: false, ticks: "", zeroline: false },
      yaxis2: { domain: DOMAINS.state, range: [-0.5, H - 0.5], title: { text: `${name}: unit`, font: { size: 10 } }, showgrid: false, zeroline: false },
      yaxis3: { domain: DOMAINS.output, range: [-0.5, 0.5], title: { text: "out", font: { size: 10 } }, showticklabels: false, ticks: "", zeroline: false, showgrid: false },
      shapes: [...grey, ...(highlight ? [{ type: "rect", xref: "x", yref: "paper", x0: highlight.t - 0.5,
        x1: highlight.t + 0.5, y0: 0, y1: 1, line: { color: "#1d2330", width: 2 } }] : [])] };
    Plotly.react(this.element, traces, layout, PLOT_CONFIG);
    this.drawn = { layer, mode: this.mode, source: shown.source, z: byUnit, input, output, highlight };
    this.note.textContent = words(shown, name, this.mode === "h" ? "h" : "dh", T);
  }
}
