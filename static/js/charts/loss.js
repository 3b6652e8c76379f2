// Loss over steps: every step's minibatch loss (smoothed over its faint raw values), the full-set
// train and test loss at the server's scheduled steps (every step at first, then 32 per doubling),
// and an imported run's curves as a ghost.

import { SERIES } from "../palette.js";
import { LineChart } from "./linechart.js";
import { Smoother } from "./smoothing.js";

export class LossChart {
  constructor(element) {
    this.log = false;
    this.chart = new LineChart(element, { title: "loss" });
    this.smoother = new Smoother();
  }

  /** Redraw from a History (and an optional ghost History); the minibatch loss smoothed with
   * weight `smoothing` (0: not). */
  draw(history, ghost, smoothing = 0) {
    this.chart.options = { title: "loss", log: this.log };
    const lines = [];
    if (history) {
      const m = history.metrics;
      const minibatch = history.series("loss");
      const smooth = smoothing > 0 ? this.smoother.smooth("loss", history, minibatch.y, smoothing) : undefined;
      lines.push({ name: "minibatch", ...minibatch, color: SERIES.light, width: smooth ? 1.5 : 1, smooth });
      lines.push({ name: "train", x: m.step, y: m.train_loss, color: SERIES.strong, width: 2 });
      lines.push({ name: "test", x: m.step, y: m.test_loss, color: SERIES.strong, width: 2, dash: [4, 3] });
    }
    if (ghost) {
      lines.push({ name: `ghost: ${ghost.label}`, ...ghost.series("loss"), color: SERIES.light, width: 1.5, dash: [8, 4] });
    }
    this.chart.draw({ lines, legend: true });
  }
}
