// The layer × step map of log10 ‖dW‖: vanishing reads as the first layers fading out, exploding
// as colours climbing without bound.

const COLUMNS = 200; // step buckets drawn at most

export class FlowMap {
  constructor(element) {
    this.element = element;
    this.z = []; // what was drawn last (read by tests)
    Plotly.newPlot(element, [], this.layout([]), { displayModeBar: false, responsive: true });
  }

  layout(names) {
    return { margin: { l: 60, r: 8, t: 6, b: 30 }, uirevision: "flowmap", font: { size: 11 },
      xaxis: { title: { text: "step" } }, yaxis: { tickvals: names.map((_, i) => i), ticktext: names, autorange: "reversed", zeroline: false } };
  }

  /** Redraw from a History and the trace's `layers`: one row per layer with a weight gradient. */
  draw(history, layers) {
    const names = layers.map((l) => l.name);
    if (!history || !history.n) {
      Plotly.react(this.element, [], this.layout(names));
      return;
    }
    const n = history.n;
    const buckets = Math.min(COLUMNS, n);
    const x = [];
    const z = layers.map(() => []);
    for (let b = 0; b < buckets; b++) {
      const start = Math.floor((b * n) / buckets);
      const stop = Math.max(start + 1, Math.floor(((b + 1) * n) / buckets));
      x.push(history.step[stop - 1]);
      layers.forEach((_, i) => {
        let sum = 0;
        let count = 0;
        for (let r = start; r < stop; r++) {
          const v = history.layers.grad_norm[r * history.nLayers + i];
          if (v > 0 && Number.isFinite(v)) {
            sum += Math.log10(v);
            count += 1;
          }
        }
        z[i].push(count ? sum / count : null);
      });
    }
    this.z = z;
    Plotly.react(this.element, [{ type: "heatmap", x, y: names.map((_, i) => i), z, colorscale: "Viridis",
      colorbar: { title: { text: "log₁₀‖dW‖", side: "right" }, thickness: 10 },
      hovertemplate: "%{customdata} up to step %{x}: 10^%{z:.2f}<extra></extra>",
      customdata: z.map((row, i) => row.map(() => names[i])) }], this.layout(names));
  }
}
