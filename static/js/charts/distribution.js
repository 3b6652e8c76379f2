// Per-layer histograms of activations and gradients as small multiples (linear or log-magnitude
// bins, as the engine computed them), and one layer's distribution over time as percentile bands.

const PERCENTILES = [0, 7, 16, 31, 50, 69, 84, 93, 100]; // TensorBoard's distribution bands
const MAX_PANELS = 6; // small multiples drawn at most (evenly spaced layers beyond that)

/** Value at percentile p of a histogram {edges, counts}, interpolated within its bin. */
export function percentile(hist, p) {
  const total = hist.counts.reduce((a, b) => a + b, 0);
  if (!total) return null;
  let target = (p / 100) * total;
  for (let k = 0; k < hist.counts.length; k++) {
    const c = hist.counts[k];
    if (target <= c || k === hist.counts.length - 1) {
      const t = c ? Math.min(1, target / c) : 0;
      return hist.edges[k] + t * (hist.edges[k + 1] - hist.edges[k]);
    }
    target -= c;
  }
  return null;
}

export class HistogramGrid {
  constructor(element) {
    this.element = element;
    this.logMagnitude = false;
    this.note = "";
    Plotly.newPlot(element, [], {}, { displayModeBar: false, responsive: true });
  }

  /** Bars per layer: activations in the top row, gradients in the bottom row. */
  draw(layers, detail) {
    if (!detail) return;
    const all = layers.map((l, i) => i).filter((i) => detail.layers[i].hist.act);
    const shown = all.length <= MAX_PANELS ? all
      : [...new Set(Array.from({ length: MAX_PANELS }, (_, k) => all[Math.round((k * (all.length - 1)) / (MAX_PANELS - 1))]))];
    this.note = shown.length < all.length ? `showing ${shown.length} of ${all.length} layers, evenly spaced` : "";
    const traces = [];
    const layout = { margin: { l: 30, r: 6, t: 18, b: 24 }, uirevision: "hist", font: { size: 9 }, showlegend: false,
      grid: { rows: 2, columns: Math.max(1, shown.length), pattern: "independent" }, annotations: [] };
    shown.forEach((i, k) => {
      for (const [row, key, color] of [[0, "act", "#0072b2"], [1, "grad", "#d55e00"]]) {
        const h = detail.layers[i].hist[key];
        const edges = this.logMagnitude ? h.log_edges : h.edges;
        const counts = this.logMagnitude ? h.log_counts : h.counts;
        const axis = row * shown.length + k + 1;
        traces.push({ type: "bar", x: edges.slice(0, -1).map((e, j) => (e + edges[j + 1]) / 2), y: counts,
          marker: { color }, xaxis: `x${axis}`, yaxis: `y${axis}`,
          hovertemplate: `${layers[i].name} ${key}${this.logMagnitude ? " log₁₀|v|" : ""} %{x:.3g}: %{y}<extra></extra>` });
        layout[`xaxis${axis}`] = { tickfont: { size: 8 }, nticks: 4 };
        layout[`yaxis${axis}`] = { tickfont: { size: 8 }, nticks: 3 };
        layout.annotations.push({ text: `${layers[i].name} ${key === "act" ? "a" : "dL/dW"}`, showarrow: false,
          xref: `x${axis} domain`, yref: `y${axis} domain`, x: 0.5, y: 1.15, font: { size: 9 } });
      }
    });
    Plotly.react(this.element, traces, layout);
  }
}

export class DistributionOverTime {
  constructor(element) {
    this.element = element;
    this.layer = 0;
    this.key = "act";
    Plotly.newPlot(element, [], {}, { displayModeBar: false, responsive: true });
  }

  /** Percentile bands of one layer's activations or gradients, frame by frame. */
  draw(history, layers) {
    const frames = (history?.histograms || []).filter((f) => f.layers[this.layer]?.[this.key]);
    const x = frames.map((f) => f.step);
    const bands = PERCENTILES.map((p) => frames.map((f) => percentile(f.layers[this.layer][this.key], p)));
    const traces = [];
    for (let k = 0; k < PERCENTILES.length; k++) {
      const inner = Math.min(k, PERCENTILES.length - 1 - k);
      traces.push({ type: "scatter", mode: "lines", x, y: bands[k], showlegend: false,
        line: { width: k === 4 ? 1.5 : 0, color: "#0072b2" }, fill: k ? "tonexty" : "none",
        fillcolor: `rgba(0,114,178,${0.1 + 0.08 * inner})`, hovertemplate: `p${PERCENTILES[k]} %{y:.3g}<extra></extra>` });
    }
    const name = layers[this.layer]?.name ?? "";
    Plotly.react(this.element, traces, { margin: { l: 46, r: 8, t: 6, b: 30 }, uirevision: "dist", font: { size: 11 },
      xaxis: { title: { text: "step" } }, yaxis: { title: { text: `${name} ${this.key === "act" ? "a" : "dL/dW"}` } } });
  }
}
