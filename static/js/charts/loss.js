// Loss over steps: every step's minibatch loss, the full-set train and test loss at each frame,
// and an imported run's curves as a ghost to compare against.

import { decimate } from "../history.js";

const LAYOUT = {
  margin: { l: 48, r: 10, t: 6, b: 34 }, uirevision: "loss",
  xaxis: { title: { text: "step" }, zeroline: false },
  yaxis: { title: { text: "loss" }, zeroline: false },
  legend: { orientation: "h", y: 1.12, x: 0, font: { size: 11 } },
  font: { size: 11 }, hovermode: "closest",
};

export class LossChart {
  constructor(element) {
    this.element = element;
    this.log = false;
    Plotly.newPlot(element, [], LAYOUT, { displayModeBar: false, responsive: true });
  }

  /** Redraw from a History (and an optional ghost History). */
  draw(history, ghost) {
    const traces = [];
    if (history) {
      const batch = decimate(history.series("loss").x, history.series("loss").y, 600);
      traces.push({ ...batch, name: "minibatch", type: "scatter", mode: "lines",
        line: { color: "rgba(110,118,135,0.55)", width: 1 } });
      const m = history.metrics;
      traces.push({ ...decimate(m.step, m.train_loss, 600), name: "train", mode: "lines", line: { color: "#0072b2", width: 2 } });
      traces.push({ ...decimate(m.step, m.test_loss, 600), name: "test", mode: "lines", line: { color: "#d55e00", width: 2, dash: "dot" } });
    }
    if (ghost) {
      const g = decimate(ghost.series("loss").x, ghost.series("loss").y, 600);
      traces.push({ ...g, name: `ghost: ${ghost.label}`, mode: "lines", line: { color: "rgba(204,121,167,0.8)", width: 1.5, dash: "dash" } });
    }
    const layout = { ...LAYOUT, yaxis: { ...LAYOUT.yaxis, type: this.log ? "log" : "linear" } };
    Plotly.react(this.element, traces, layout);
  }
}
