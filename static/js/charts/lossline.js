// The loss along the step: the last minibatch's loss at θ + α·Δθ, with where the step started
// (α = 0) and where it landed (α = 1) marked, the loss along the negative gradient dashed, and a
// sentence on what the curve says (overshot the valley, landed in it, or stopped short).

import { SERIES, WARN } from "../palette.js";
import { PLOT_CONFIG, lineLayout } from "./plotconfig.js";

/** The finite minimum of ys (nulls skipped) and its index: [value, index]. */
function lowest(ys) {
  let best = [Infinity, -1];
  ys.forEach((y, i) => { if (y !== null && y < best[0]) best = [y, i]; });
  return best;
}

/** In words, what the step did along its line. */
export function stepWords(reply) {
  const at = (a) => reply.loss[reply.alpha.indexOf(a)];
  const [start, landed] = [at(0), at(1)];
  const [, i] = lowest(reply.loss);
  if (start === null || landed === null || i < 0) return "The loss is not finite along this step.";
  const floor = reply.alpha[i];
  if (landed > start) return `The step overshot: it landed higher than it started, past the valley's floor (lowest at α = ${floor.toFixed(1)}). The learning rate is too large for this direction.`;
  if (floor > 1) return `The step stopped short: the loss still falls past where it landed (lowest at α = ${floor.toFixed(1)}${i === reply.alpha.length - 1 ? " or beyond" : ""}).`;
  return `The step went down: it landed lower than it started (the lowest point along it at α = ${floor.toFixed(1)}).`;
}

export class LossLineChart {
  constructor(element, note) {
    this.element = element;
    this.note = note;
    Plotly.newPlot(element, [], {}, PLOT_CONFIG);
  }

  /** Draw a `line` reply (null: none in this run yet). */
  draw(reply) {
    if (!reply) {
      this.note.textContent = "No step measured in this run yet: take a step.";
      Plotly.react(this.element, [], { margin: { l: 40, r: 10, t: 10, b: 30 } });
      return;
    }
    const at = (a) => reply.loss[reply.alpha.indexOf(a)];
    const traces = [
      { name: "along the step Δθ", x: reply.alpha, y: reply.loss, mode: "lines", line: { color: SERIES.strong, width: 2 } },
      { name: "along −gradient", x: reply.alpha, y: reply.gradient_loss, mode: "lines", line: { color: SERIES.light, width: 1.5, dash: "dash" } },
      { name: "the step", x: [0, 1], y: [at(0), at(1)], mode: "markers+text", text: ["start α=0", "landed α=1"],
        textposition: "top center", textfont: { size: 10 }, marker: { color: WARN, size: 8 }, hoverinfo: "x+y" },
    ];
    const finite = [...reply.loss, ...reply.gradient_loss].filter((y) => y !== null && y > 0);
    const log = finite.length > 0 && Math.max(...finite) / Math.min(...finite) > 100;
    const layout = lineLayout("α (step length: 1 = the step taken)", "minibatch loss",
      { xaxis: { zeroline: false }, yaxis: { type: log ? "log" : "linear" } });
    layout.shapes = [0, 1].map((a) => ({ type: "line", x0: a, x1: a, yref: "paper", y0: 0, y1: 1, line: { color: "#ccd", width: 1, dash: "dot" } }));
    Plotly.react(this.element, traces, layout);
    const length = reply.step_length.toPrecision(3);
    const sampled = reply.batch < reply.of ? ` (${reply.batch} of its ${reply.of} examples)` : "";
    this.note.textContent = `Step ${reply.step}, ‖Δθ‖ = ${length}${sampled}. ${stepWords(reply)}`;
  }
}
