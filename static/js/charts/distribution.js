// One layer's distribution of activations or gradients over time, as percentile bands read from
// the histograms of each frame.

import { SERIES } from "../palette.js";
import { LineChart } from "./linechart.js";

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
    this.layer = 0;
    this.key = "act";
    this.chart = new LineChart(element, { title: "" });
    this.median = { x: [], y: [] }; // the median line drawn last (read by tests)
    this.message = ""; // what the chart says instead of bands when it has none (read by tests)
  }

  /** Percentile bands of one layer's activations or gradients, frame by frame; with fewer than two
   * frames' histograms the chart says so (a fast `step` of many steps sends one frame at its end). */
  draw(history, layers) {
    const frames = (history?.histograms || []).filter((f) => f.layers[this.layer]?.[this.key]);
    const x = frames.map((f) => f.step);
    const values = PERCENTILES.map((p) => frames.map((f) => percentile(f.layers[this.layer][this.key], p)));
    const half = (PERCENTILES.length - 1) / 2;
    const drawn = x.length > 1;
    const bands = Array.from({ length: drawn ? half : 0 }, (_, k) => ({ x, low: values[k], high: values[PERCENTILES.length - 1 - k],
      fill: `rgba(122,130,148,${0.12 + 0.08 * k})` })); // SERIES.light // outermost (0–100%) first, darker inwards
    this.median = { x, y: values[half] };
    this.message = drawn ? "" : x.length ? `histograms of one frame only (step ${x[0].toLocaleString("en-US")}): the bands need two or more; play, or step again`
      : `no ${this.key === "act" ? "activation" : "gradient"} histograms of this layer yet: step or play`;
    this.chart.options = { title: `${layers[this.layer]?.name ?? ""} ${this.key === "act" ? "a" : "dL/dW"}`, empty: this.message };
    this.chart.draw({ bands, lines: drawn ? [{ name: `median`, x, y: values[half], color: SERIES.strong, width: 1.5 }] : [] });
  }
}
