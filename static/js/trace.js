// An exported trace (checked by the server's validator) as what the panels draw: a History of its
// steps, its snapshots' detail in order, and its points in the plane.

import { History } from "./history.js";

/** The trace's scalars as a History, its snapshots (with detail) in order, and its 2-D points. */
export function fromTrace(trace, catalog, label) {
  const history = new History(catalog, trace.layers.length);
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
