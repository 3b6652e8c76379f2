// An exported trace (checked by the server's validator) as what the panels draw: a History of its
// steps, its snapshots in order (each with the config in force at its step), and its 2-D points.

import { History } from "./history.js";

/** The trace's scalars (and its snapshots' full-set metrics) as a History, its snapshots in order
 * ({step, epoch?, detail, metrics?, health?, config}), and its 2-D points. */
export function fromTrace(trace, catalog, label) {
  const history = new History(catalog, trace.layers.length);
  history.label = label;
  const snapshots = [];
  for (const s of trace.steps) {
    history.appendRow(s.step, s.span || 1, s, s.layers, s.min, s.max);
    if (s.snapshot) {
      snapshots.push({ step: s.step, ...s.snapshot, config: configAt(trace, s.step) });
      history.appendHistograms(s.step, s.snapshot.detail.layers);
      if (s.snapshot.metrics) history.appendMetrics(s.step, s.snapshot.metrics);
    }
  }
  return { history, snapshots, points: rawPoints(trace), lastStep: trace.steps.at(-1)?.step ?? 0 };
}

/** The config in force after `step`: the trace's config with its config events up to that step
 * merged in (a parameter edit, `set_param`, changes no setting). */
function configAt(trace, step) {
  return trace.events.filter((e) => e.step <= step && e.config).reduce((config, e) => merged(config, e.config), trace.config);
}

/** `partial` merged into `config` as the engine merges (objects merge, lists and values replace). */
function merged(config, partial) {
  const out = { ...config };
  for (const [key, value] of Object.entries(partial)) {
    const base = config[key];
    const nested = value && typeof value === "object" && !Array.isArray(value) && base && typeof base === "object";
    out[key] = nested ? merged(base, value) : value;
  }
  return out;
}

/** Train and test points in the plane, when the trace's data are points whose features include x1
 * and x2 (a sequence set, which has a seq_len, has none). */
function rawPoints(trace) {
  if (trace.config.dataset.seq_len != null) return null;
  const features = trace.config.dataset.features;
  const i = features.indexOf("x1");
  const j = features.indexOf("x2");
  if (i < 0 || j < 0 || trace.config.dataset.standardize) return null;
  const split = (x, y) => ({ x: x.map((r) => r[i]), y: x.map((r) => r[j]), label: y });
  return { train: split(trace.data.x_train, trace.data.y_train), test: split(trace.data.x_test, trace.data.y_test) };
}
