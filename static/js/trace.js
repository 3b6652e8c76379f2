// Reading an exported trace in the page: validate it (with a message that says what is wrong and
// where), then turn it into what the panels draw: a History and the snapshots' detail.

import { History } from "./history.js";

const FORMAT = "backprop-lab-trace";
const VERSION = 1;

export class TraceError extends Error {}

function need(condition, where, message) {
  if (!condition) throw new TraceError(`${where}: ${message}`);
}

/** Throw TraceError naming the first problem, else return the trace. */
export function validateTrace(trace, catalog) {
  const layerStats = catalog.layer_stats;
  need(trace && typeof trace === "object" && !Array.isArray(trace), "file", "a trace is a JSON object");
  need(trace.format === FORMAT, "format", `must be "${FORMAT}" (got ${JSON.stringify(trace.format)})`);
  need(trace.version === VERSION, "version", `${JSON.stringify(trace.version)} is not supported; this page reads ${VERSION}`);
  for (const key of ["config", "data", "layers", "initial", "events", "steps"]) need(key in trace, key, "missing");
  const dataset = trace.config && trace.config.dataset;
  need(dataset && typeof dataset === "object", "config.dataset", "missing");
  need(catalog.choices.datasets.some((d) => d.name === dataset.name), "config.dataset.name", `unknown dataset ${JSON.stringify(dataset.name)}`);
  need(Array.isArray(trace.layers) && trace.layers.length > 0, "layers", "must be a non-empty list");
  need(Array.isArray(trace.steps), "steps", "must be a list");
  let previous = 0;
  trace.steps.forEach((s, k) => {
    need(s && typeof s === "object", `steps[${k}]`, "must be an object");
    need(Number.isInteger(s.step) && s.step > previous, `steps[${k}].step`, `must follow step ${previous}`);
    previous = s.step;
    need(Array.isArray(s.layers) && s.layers.length === trace.layers.length, `steps[${k}].layers`,
      `must hold ${trace.layers.length} entries`);
    need(s.layers[0] && typeof s.layers[0] === "object", `steps[${k}].layers[0]`, "must be an object");
    for (const stat of layerStats) need(stat in s.layers[0], `steps[${k}].layers[0]`, `missing ${stat}`);
  });
  return trace;
}

/** The trace's scalars as a History, its snapshots (with detail) in order, and its 2-D points. */
export function fromTrace(trace, layerStats, label) {
  const history = new History(layerStats, trace.layers.length);
  history.label = label;
  const snapshots = [];
  for (const s of trace.steps) {
    history.appendRow(s.step, s.span || 1, s, s.layers, s.min, s.max);
    if (s.snapshot) {
      snapshots.push({ step: s.step, ...s.snapshot });
      history.appendHistograms(s.step, s.snapshot.detail.layers);
    }
  }
  return { history, snapshots, points: rawPoints(trace) };
}

/** Train and test points in the plane, when the trace's features include x1 and x2. */
function rawPoints(trace) {
  const features = trace.config.dataset.features;
  const i = features.indexOf("x1");
  const j = features.indexOf("x2");
  if (i < 0 || j < 0 || trace.config.dataset.standardize) return null;
  const split = (x, y) => ({ x: x.map((r) => r[i]), y: x.map((r) => r[j]), label: y });
  return { train: split(trace.data.x_train, trace.data.y_train), test: split(trace.data.x_test, trace.data.y_test) };
}
