// One per-layer scalar over steps, one line per layer (input side light, output side dark), on a
// log axis where it spans decades; thinned history shows its min–max band.

import { decimate } from "../history.js";

const SEQUENTIAL = ["#f4a259", "#e07b39", "#c65f3c", "#a24a4c", "#7b3d5c", "#55356a", "#312b70", "#14206a"];

/** Colour of layer k of n: light orange near the input, dark blue near the output. */
export function layerColor(k, n) {
  const t = n <= 1 ? 1 : k / (n - 1);
  return SEQUENTIAL[Math.round(t * (SEQUENTIAL.length - 1))];
}

export class LayerSeriesChart {
  /** @param options {stat, title, log, reference: [lo, mid, hi] band and line, yRange} */
  constructor(element, options) {
    this.element = element;
    this.options = options; // also {empty: "what to say when no layer has this scalar"}
    this.series = []; // what was drawn last: [{name, layer, x, y (typed arrays)}] (read by tests)
    Plotly.newPlot(element, [], this.layout(), { displayModeBar: false, responsive: true });
  }

  layout() {
    const o = this.options;
    const shapes = [];
    if (o.reference) {
      const [lo, mid, hi] = o.reference;
      shapes.push({ type: "rect", xref: "paper", x0: 0, x1: 1, y0: lo, y1: hi, fillcolor: "rgba(0,158,115,0.10)", line: { width: 0 }, layer: "below" });
      shapes.push({ type: "line", xref: "paper", x0: 0, x1: 1, y0: mid, y1: mid, line: { color: "#009e73", dash: "dash", width: 1 } });
    }
    return {
      margin: { l: 52, r: 8, t: 6, b: 30 }, uirevision: o.stat, font: { size: 11 }, hovermode: "closest",
      xaxis: { title: { text: "step" }, zeroline: false },
      yaxis: { title: { text: o.title }, type: o.log ? "log" : "linear", zeroline: false, exponentformat: "power", range: o.yRange },
      legend: { font: { size: 10 } }, shapes,
    };
  }

  /** Redraw from a History and the trace's `layers` (named layers in `highlight` stand out). */
  draw(history, layers, highlight = null) {
    const traces = [];
    this.series = [];
    if (!history || !history.n) {
      Plotly.react(this.element, traces, this.layout());
      return;
    }
    const stat = this.options.stat;
    layers.forEach((layer, i) => {
      const { x, y } = history.layerSeries(stat, i);
      if (!y.some((v) => Number.isFinite(v))) return;
      const color = layerColor(i, layers.length);
      if (history.bands) this.addBand(traces, history, stat, i, color);
      const d = decimate(x, this.options.log ? y.map((v) => (v > 0 ? v : NaN)) : y, 500); // a log axis has no 0
      this.series.push({ name: layer.name, layer: i, x, y });
      const lit = !highlight || highlight.includes(layer.name);
      traces.push({ type: "scatter", mode: "lines", name: layer.name, x: d.x, y: d.y, opacity: lit ? 1 : 0.2,
        line: { color, width: highlight && lit ? 3 : 1.6 }, hovertemplate: `${layer.name} step %{x}: %{y:.3e}<extra></extra>` });
    });
    const layout = this.layout();
    if (!this.series.length && this.options.empty) {
      layout.annotations = [{ text: this.options.empty, xref: "paper", yref: "paper", x: 0.5, y: 0.5, showarrow: false, font: { size: 12, color: "#5d6677" } }];
    }
    Plotly.react(this.element, traces, layout);
  }

  addBand(traces, history, stat, i, color) {
    const b = history.bands;
    const low = b.low.map((rows) => rows[i][stat]);
    const high = b.high.map((rows) => rows[i][stat]);
    traces.push({ type: "scatter", mode: "lines", x: b.step, y: low, line: { width: 0, color }, showlegend: false, hoverinfo: "skip" });
    traces.push({ type: "scatter", mode: "lines", x: b.step, y: high, line: { width: 0, color }, fill: "tonexty",
      fillcolor: "rgba(120,120,160,0.18)", showlegend: false, hoverinfo: "skip" });
  }
}
