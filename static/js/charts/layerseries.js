// One per-layer scalar over steps, one line per layer in the layer-order palette (input side light pink, output side deep purple), on a
// log axis where it spans decades; an imported trace's thinned rows show their min–max band.

import { layerColor } from "../palette.js";
import { LineChart } from "./linechart.js";
import { Smoother } from "./smoothing.js";

/** The layers' colours, shared by every layer chart, as a row of swatches in `element` (layers
 * named in `highlight` stand out). */
export function layerLegend(element, layers, highlight = null) {
  element.replaceChildren(...layers.map((layer, i) => {
    const item = document.createElement("span");
    item.className = "legend-item";
    item.style.setProperty("--swatch", layerColor(i, layers.length));
    item.style.opacity = !highlight || highlight.includes(layer.name) ? 1 : 0.35;
    item.textContent = layer.name;
    return item;
  }));
}

export class LayerSeriesChart {
  /** @param options {stat, title, log, reference: [lo, mid, hi] band and line, yRange, empty:
   * what to say when no layer has this scalar, smooth: whether the smoothing applies} */
  constructor(element, options) {
    this.options = options;
    this.chart = new LineChart(element, options);
    this.smoother = new Smoother();
    this.series = []; // the data drawn last: [{name, layer, x, y (typed arrays)}] (read by tests)
  }

  /** Redraw from a History and the trace's `layers` (named layers in `highlight` stand out), the
   * lines smoothed with weight `smoothing` if the chart's options say so (0: not). */
  draw(history, layers, highlight = null, smoothing = 0) {
    this.chart.options = this.options; // the flow chart's statistic can change
    const stat = this.options.stat;
    this.series = [];
    if (history && history.n) {
      layers.forEach((layer, i) => {
        const { x, y } = history.layerSeries(stat, i);
        if (y.some((v) => Number.isFinite(v))) this.series.push({ name: layer.name, layer: i, x, y });
      });
    }
    const lit = (s) => !highlight || highlight.includes(s.name);
    const lines = [...this.series.filter((s) => !lit(s)), ...this.series.filter(lit)].map((s) => ({ // lit lines on top
      name: s.name, x: s.x, y: s.y, color: layerColor(s.layer, layers.length),
      alpha: lit(s) ? 1 : 0.2, width: highlight && lit(s) ? 3 : 1.6,
      smooth: this.options.smooth && smoothing > 0 ? this.smoother.smooth(`${stat}:${s.layer}`, history, s.y, smoothing) : undefined }));
    const b = history?.bands;
    const bands = b ? this.series.map((s) => ({ x: b.step, low: b.low.map((rows) => rows[s.layer][stat]),
      high: b.high.map((rows) => rows[s.layer][stat]), fill: "rgba(120,120,160,0.18)" })) : [];
    this.chart.draw({ lines, bands });
  }
}
