// One layer's distribution of activations or gradients over time, as percentile bands read from
// the histograms of each frame.

const PERCENTILES = [0, 7, 16, 31, 50, 69, 84, 93, 100]; // TensorBoard's distribution bands

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
