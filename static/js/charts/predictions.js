// Predictions on test sequences: for a many-to-many set (sine) a few test sequences' targets and
// predictions over time; for a many-to-one set each test example's prediction against its target,
// with the test metric.

import { SERIES } from "../palette.js";
import { PLOT_CONFIG } from "./plotconfig.js";

export class PredictionsChart {
  constructor(element, note) {
    this.element = element;
    this.note = note;
    this.drawn = null; // read by tests: the predictions drawn ({kind, targets, outputs})
  }

  /** Draw a `sequence.predictions` detail and the full-set `metrics`. */
  draw(predictions, metrics) {
    const { kind, targets, outputs, loss } = predictions;
    const traces = [];
    const layout = { margin: { l: 44, r: 10, t: 8, b: 34 }, font: { size: 10 }, showlegend: false };
    if (kind === "many_to_many") {
      const share = 1 / targets.length;
      targets.forEach((target, k) => {
        const axis = k ? `${k + 1}` : "";
        const x = target.map((_, t) => t + 1);
        traces.push({ type: "scatter", mode: "lines", x, y: target, yaxis: `y${axis}`, name: "target",
          line: { color: SERIES.light, dash: "dash", width: 1.5 }, hovertemplate: `sequence ${k + 1}, t=%{x}: target %{y:.3f}<extra></extra>` });
        traces.push({ type: "scatter", mode: "lines", x, y: outputs[k], yaxis: `y${axis}`, name: "prediction",
          line: { color: SERIES.strong, width: 1.5 }, hovertemplate: `sequence ${k + 1}, t=%{x}: predicted %{y:.3f}<extra></extra>` });
        layout[`yaxis${axis}`] = { domain: [k * share + 0.02, (k + 1) * share - 0.02], tickfont: { size: 8 }, nticks: 3 };
      });
      layout.xaxis = { title: { text: "time step t (dashed: target, solid: prediction)", standoff: 4 } };
    } else {
      const lo = Math.min(...targets, ...outputs.filter(Number.isFinite));
      const hi = Math.max(...targets, ...outputs.filter(Number.isFinite));
      traces.push({ type: "scatter", mode: "lines", x: [lo, hi], y: [lo, hi], line: { color: SERIES.light, dash: "dot" }, hoverinfo: "skip" });
      traces.push({ type: "scatter", mode: "markers", x: targets, y: outputs, marker: { color: SERIES.strong, size: 5, opacity: 0.6 },
        hovertemplate: "target %{x:.3f}, predicted %{y:.3f}<extra></extra>" });
      const classifier = loss !== "mse";
      layout.xaxis = { title: { text: classifier ? "target class" : "target", standoff: 4 } };
      layout.yaxis = { title: { text: classifier ? "predicted P(class 1)" : "predicted", standoff: 2 } };
    }
    Plotly.react(this.element, traces, layout, PLOT_CONFIG);
    this.drawn = predictions;
    const test = metrics && [`test loss ${metrics.test_loss?.toPrecision(3) ?? "—"}`,
      Number.isFinite(metrics.test_accuracy) ? `test accuracy ${(100 * metrics.test_accuracy).toFixed(1)}%` : null].filter(Boolean).join(" · ");
    this.note.textContent = `${kind === "many_to_many" ? `The first ${targets.length} test sequences` : `The first ${targets.length} test examples (dotted: perfect)`}`
      + `${test ? `; on the whole test set: ${test}` : ""}.`;
  }
}
