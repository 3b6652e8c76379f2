// Sharpness over training against the 2/lr line: the server's measurements of this run, and a
// sentence on where the latest stands.

import { SERIES, WARN } from "../palette.js";
import { PLOT_CONFIG, lineLayout } from "./plotconfig.js";

export class SharpnessChart {
  constructor(element, note) {
    this.element = element;
    this.note = note;
    Plotly.newPlot(element, [], {}, PLOT_CONFIG);
  }

  /** Draw this run's `sharpness` replies ([] : none yet), in the order of their steps. */
  draw(points) {
    const steps = points.map((p) => p.step);
    const traces = [
      { name: "sharpness (top Hessian eigenvalue)", x: steps, y: points.map((p) => p.value), mode: "lines+markers",
        line: { color: SERIES.strong, width: 2 }, marker: { size: 5 }, cliponaxis: false },
      { name: "2/lr", x: steps, y: points.map((p) => p.two_over_lr), mode: points.length > 1 ? "lines" : "markers",
        line: { color: WARN, width: 1.5, dash: "dash", shape: "hv" }, marker: { color: WARN, symbol: "line-ew-open", size: 12 }, cliponaxis: false },
    ];
    const layout = lineLayout("step", "sharpness", { xaxis: { rangemode: "tozero" }, yaxis: { rangemode: "tozero" } });
    Plotly.react(this.element, traces, layout);
    const last = points[points.length - 1];
    if (!last) {
      this.note.textContent = "Measured as training reaches each multiple of the steps above.";
    } else if (last.value === null) {
      this.note.textContent = `Step ${last.step}: the sharpness is not finite.`;
    } else {
      const ratio = last.value / last.two_over_lr;
      this.note.textContent = `Step ${last.step}: sharpness ${last.value.toPrecision(3)}, ${ratio.toPrecision(2)} × 2/lr `
        + `(2/lr = ${last.two_over_lr.toPrecision(3)}; on the first ${last.batch} training examples).`;
    }
  }
}
