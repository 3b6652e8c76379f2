// Step-through: the tensors of the phase just run, as heatmaps with their shapes, and one clicked
// weight's gradient written out with the chain rule's actual numbers.

import { KIND_TENSORS, LAYER_VIEWS, PARAM_SYMBOLS, SHOWN_PARAMS } from "../layers/index.js";
import { decode, rows } from "../packed.js";
import { NEGATIVE, POSITIVE } from "../palette.js";

// The parameters' gradients (dW, db, dgamma, ...) of every layer kind, in the registry's order.
const PARAM_GRADS = Object.values(LAYER_VIEWS).flatMap((v) => v.params.map((p) => [`d${p}`, `dL/d${PARAM_SYMBOLS[p] ?? p}`]));
const ORDER = [...new Set(["x", ...Object.keys(KIND_TENSORS), "z", "a", "output", "losses", "dout", "da", "dz",
  ...PARAM_GRADS.map(([name]) => name), "dx"])]; // kinds share some names (db)
const TITLES = { x: "input", ...KIND_TENSORS, z: "z", a: "a = act(z)", output: "output", losses: "loss per example",
  dout: "dL/d(output)", da: "dL/da", dz: "dL/dz", ...Object.fromEntries(PARAM_GRADS), dx: "dL/dx, to below" };
const SHOWN = 5; // tensors drawn at most
const BAR = 0.075; // of the width, each heatmap's colour bar and its ticks take from its column

export class PhasePanel {
  constructor(element, explainElement) {
    this.element = element;
    this.explainElement = explainElement;
    this.shown = []; // names of the tensors drawn last (read by tests)
    Plotly.newPlot(element, [], {}, { displayModeBar: false, responsive: true });
  }

  /** Heatmaps of a phase message's tensors (at most five, in a fixed order), each with its colour
   * bar (orange negative, blue positive, symmetric about 0) and a two-line title: name, shape. */
  draw(phase) {
    let names = Object.keys(phase.tensors);
    names = phase.phase === "update" ? names.filter((n) => SHOWN_PARAMS.has(n.slice(n.lastIndexOf(".") + 1))).slice(0, SHOWN)
      : ORDER.filter((n) => names.includes(n)).slice(0, SHOWN);
    this.shown = names;
    const traces = [];
    const layout = { margin: { l: 4, r: 4, t: 30, b: 6 }, font: { size: 9 }, showlegend: false, annotations: [] };
    const width = 1 / Math.max(1, names.length);
    names.forEach((name, k) => {
      const t = phase.tensors[name];
      const decoded = decode(t.values);
      const z = decoded.shape.length === 2 ? rows(decoded) : [Array.from(decoded.values)];
      let scale = 0;
      for (const v of decoded.values) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
      scale = scale || 1;
      const axis = k + 1;
      const domain = [k * width + (k ? 0.012 : 0), (k + 1) * width - BAR - 0.008]; // rows and columns: hover names them
      traces.push({ type: "heatmap", z, zmin: -scale, zmax: scale, colorscale: [[0, NEGATIVE], [0.5, "#f7f7f7"], [1, POSITIVE]],
        showscale: true, colorbar: { x: domain[1] + 0.004, xanchor: "left", thickness: 6, len: 1, outlinewidth: 0,
          tickvals: [-scale, 0, scale], ticktext: [-scale, 0, scale].map((v) => (v ? v.toPrecision(2) : "0")), tickfont: { size: 8 } },
        xaxis: `x${axis}`, yaxis: `y${axis}`, hovertemplate: `${name}[%{y}, %{x}] = %{z:.4g}<extra></extra>` });
      layout[`xaxis${axis}`] = { domain, anchor: `y${axis}`, showticklabels: false, ticks: "" };
      layout[`yaxis${axis}`] = { anchor: `x${axis}`, showticklabels: false, ticks: "", autorange: "reversed" };
      layout.annotations.push({ text: `${TITLES[name] ?? `Δ${name}`}<br>[${t.shape.join("×")}]${t.summarized ? " (summarized)" : ""}`,
        showarrow: false, xref: "paper", yref: "paper", x: (k + 0.5) * width, y: 1, yanchor: "bottom", font: { size: 10 } });
    });
    Plotly.react(this.element, traces, layout);
  }

  /** Write out an `explain` reply: the per-example terms, then penalties, clipping and the update. */
  explain(e) {
    const f = (v) => (v === null || v === undefined ? "—" : Number(v).toPrecision(6));
    const k = e.example;
    const lines = [
      `<b>${e.layer_name}.W[${e.row}, ${e.column}]</b> after step ${e.step}: dL/dw = (1/B)·Σ<sub>b</sub> a<sub>b</sub>·δ<sub>b</sub>, B = ${e.batch_size}`,
      `a = input ${e.row} of ${e.layer_name}, δ = B·dL/dz of unit ${e.column}.`,
      `example ${k}: a = ${f(e.a[k])}, δ = ${f(e.delta[k])}, term a·δ = ${f(e.terms[k])}`,
      `all terms: ${e.terms.map(f).join(", ")}`,
      `Σ terms = ${f(e.sum)}; (1/${e.batch_size})·Σ = <b data-testid="explain-mean">${f(e.mean)}</b> = dL/dw from backprop <b data-testid="explain-grad">${f(e.grad)}</b>`,
    ];
    if (e.penalty) {
      const p = e.penalty;
      lines.push(`penalties: g = ${f(e.grad)} + ${p.l1}·sign(${f(p.w)}) + ${p.l2}·${f(p.w)} = ${f(p.penalized)}`);
      const c = e.clip;
      lines.push(c.kind === "none" ? "clipping: none" : `clipping (${c.kind}, threshold ${c.threshold}): global norm ${f(c.norm_before)} → ${f(c.norm_after)}; g = ${f(c.used)}`);
      const u = e.update;
      const state = Object.entries(u.state).map(([slot, s]) => `${slot}: ${f(s.before)} → ${f(s.after)}`).join("; ");
      lines.push(`update (${u.optimizer}, lr ${u.learning_rate}, t = ${u.t}): ${u.rule}`);
      if (state) lines.push(state);
      lines.push(`Δw = ${f(u.delta_w)}: w ${f(u.w_before)} → ${f(u.w_after)}`);
    } else {
      lines.push("The update comes when this step's phases reach it.");
    }
    this.explainElement.innerHTML = lines.map((l) => `<div>${l}</div>`).join("");
    this.explainElement.dataset.terms = JSON.stringify(e.terms);
  }
}
