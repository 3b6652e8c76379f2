// Loss over steps: every step's minibatch loss, the full-set train and test loss at the server's
// scheduled steps (every step at first, then 32 per doubling), and an imported run's curves as a ghost.

import { SERIES } from "../palette.js";
import { LineChart } from "./linechart.js";

export class LossChart {
  constructor(element) {
    this.log = false;
    this.chart = new LineChart(element, { title: "loss" });
  }

  /** Redraw from a History (and an optional ghost History). */
  draw(history, ghost) {
    this.chart.options = { title: "loss", log: this.log };
    const lines = [];
    if (history) {
      const m = history.metrics;
      lines.push({ name: "minibatch", ...history.series("loss"), color: "rgba(110,118,135,0.55)", width: 1 });
      lines.push({ name: "train", x: m.step, y: m.train_loss, color: SERIES.strong, width: 2 });
      lines.push({ name: "test", x: m.step, y: m.test_loss, color: SERIES.strong, width: 2, dash: [4, 3] });
    }
    if (ghost) {
      lines.push({ name: `ghost: ${ghost.label}`, ...ghost.series("loss"), color: SERIES.light, width: 1.5, dash: [8, 4] });
    }
    this.chart.draw({ lines, legend: true });
  }
}
