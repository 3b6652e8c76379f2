// The global gradient norm before and after clipping (smoothed over their faint raw values); steps
// where clipping acted are marked.

import { SERIES, WARN } from "../palette.js";
import { LineChart } from "./linechart.js";
import { Smoother } from "./smoothing.js";

export class ClipNormChart {
  constructor(element) {
    this.chart = new LineChart(element, { title: "global ‖g‖", log: true });
    this.clipped = 0; // steps where clipping acted, in the last draw (read by tests)
    this.smoother = new Smoother();
  }

  /** Redraw from a History, the norms smoothed with weight `smoothing` (0: not). */
  draw(history, smoothing = 0) {
    if (!history || !history.n) {
      this.clipped = 0;
      this.chart.draw({});
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
    this.clipped = clipped.x.length;
    const smooth = (key, y) => (smoothing > 0 ? this.smoother.smooth(key, history, y, smoothing) : undefined);
    this.chart.draw({ legend: true, lines: [
      { name: "before clipping", ...before, color: SERIES.light, width: 1.4, smooth: smooth("before", before.y) },
      { name: "after", ...after, color: SERIES.strong, width: 1.4, dash: [4, 3], smooth: smooth("after", after.y) },
      { name: `clipped (${clipped.x.length} steps)`, ...clipped, color: WARN, marks: true },
    ] });
  }
}
