// The global gradient norm before and after clipping; steps where clipping acted are marked.

import { decimate } from "../history.js";

export class ClipNormChart {
  constructor(element) {
    this.element = element;
    Plotly.newPlot(element, [], this.layout(), { displayModeBar: false, responsive: true });
  }

  layout() {
    return { margin: { l: 52, r: 8, t: 6, b: 30 }, uirevision: "clip", font: { size: 11 }, hovermode: "closest",
      xaxis: { title: { text: "step" } }, yaxis: { title: { text: "global ‖g‖" }, type: "log", exponentformat: "power" },
      legend: { orientation: "h", y: 1.15, font: { size: 10 } } };
  }

  draw(history) {
    if (!history || !history.n) {
      Plotly.react(this.element, [], this.layout());
      return;
    }
    const before = history.series("clip_norm_before");
    const after = history.series("clip_norm_after");
    const clipped = { x: [], y: [] };
    for (let i = 0; i < history.n; i++) {
      if (after.y[i] < before.y[i] * (1 - 1e-9)) {
        clipped.x.push(before.x[i]);
        clipped.y.push(before.y[i]);
      }
    }
    const c = decimate(clipped.x, clipped.y, 600);
    Plotly.react(this.element, [
      { type: "scatter", mode: "lines", name: "before clipping", ...decimate(before.x, before.y, 500), line: { color: "#d55e00", width: 1.4 } },
      { type: "scatter", mode: "lines", name: "after", ...decimate(after.x, after.y, 500), line: { color: "#0072b2", width: 1.4 } },
      { type: "scatter", mode: "markers", name: `clipped (${clipped.x.length} steps)`, ...c, marker: { color: "#d55e00", size: 4, symbol: "x" } },
    ], this.layout());
  }
}
