// The model's output over the input plane with the data on top: a decision boundary for
// classification, the fitted surface for regression.

import { decode, rows } from "../packed.js";
import { CLASS_COLORS, DIVERGING } from "../palette.js";

const LAYOUT = {
  margin: { l: 30, r: 10, t: 6, b: 26 }, uirevision: "output", showlegend: false,
  xaxis: { range: [-6, 6], zeroline: false, constrain: "domain" },
  yaxis: { range: [-6, 6], zeroline: false, scaleanchor: "x" }, font: { size: 11 },
};

function discreteScale(n) {
  const stops = [];
  for (let k = 0; k < n; k++) {
    stops.push([k / n, CLASS_COLORS[k]], [(k + 1) / n, CLASS_COLORS[k]]);
  }
  return stops;
}

export class OutputChart {
  constructor(element) {
    this.element = element;
    this.showTest = false;
    this.discretize = false;
    Plotly.newPlot(element, [], LAYOUT, { displayModeBar: false, responsive: true });
  }

  /** Draw an output grid (packed or plain) and the points {train, test}. */
  draw(grid, points, nClasses) {
    const traces = [];
    if (grid) {
      let z = rows(decode(grid.values));
      const kind = grid.kind;
      let colorscale = DIVERGING;
      let zmin = 0;
      let zmax = 1;
      if (kind === "class") {
        colorscale = discreteScale(nClasses);
        zmin = -0.5;
        zmax = nClasses - 0.5;
      } else if (kind === "value") {
        zmin = -1;
        zmax = 1;
      }
      if (this.discretize && kind !== "class") {
        const cut = kind === "value" ? 0 : 0.5;
        z = z.map((row) => row.map((v) => (v === null || Number.isNaN(v) ? v : v > cut ? zmax : zmin)));
      }
      traces.push({ type: "heatmap", x: grid.x, y: grid.y, z, zmin, zmax, colorscale, opacity: 0.75,
        showscale: false, hovertemplate: "x₁ %{x:.2f}<br>x₂ %{y:.2f}<br>output %{z:.3f}<extra></extra>" });
    }
    if (points) {
      const splits = this.showTest ? ["train", "test"] : ["train"];
      for (const split of splits) {
        const p = points[split];
        const regression = nClasses === 0;
        traces.push({
          type: "scatter", mode: "markers", x: p.x, y: p.y, name: split,
          marker: regression
            ? { color: p.label, colorscale: DIVERGING, cmin: -1, cmax: 1, size: 6,
              line: { color: split === "train" ? "#fff" : "#000", width: 1 } }
            : { color: p.label.map((c) => CLASS_COLORS[c % CLASS_COLORS.length]), size: 6,
              line: { color: split === "train" ? "#fff" : "#000", width: 1 } },
          hovertemplate: `${split} (%{x:.2f}, %{y:.2f})<extra></extra>`,
        });
      }
    }
    Plotly.react(this.element, traces, LAYOUT);
  }
}
