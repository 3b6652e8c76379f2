// What the unrolled view shows of a recurrent layer: the last completed step's states from the
// detail, or, in the middle of a phase-by-phase step, what that step's phases have computed so far
// (the time steps not computed yet left blank), so phase stepping walks the cells forward in time
// and then backward.

import { decode } from "./packed.js";

/** Whether a phase-by-phase step is in progress in `v` (the view): its phases began after the last
 * completed step and have not reached its update. */
export function stepInProgress(v) {
  return Boolean(v.phase && v.phase.phase !== "update" && v.phase.step === v.step + 1);
}

/** The step in progress after phase reply `m`, from `kept` (the same, before it): {step, x, output,
 * layers: {entry index: its latest through_time}}; a step's first phase starts it anew, and a phase
 * of a net without recurrent entries keeps nothing. */
export function passAfter(kept, m) {
  const first = m.phase === "forward" && m.layer === 0 && (m.t ?? 1) === 1;
  const same = kept && !first && kept.step === m.step ? kept : null;
  if (!m.through_time) return same;
  const { x, output } = m.through_time;
  return { step: m.step, x, output, layers: { ...(same?.layers ?? {}), [m.layer]: m.through_time } };
}

/** What to draw of recurrent entry `i` in `mode` ("h" or "dh"): {source (the through_time drawn
 * from, or null), T, first (the time step of the states' first row), states (decoded (k, H), or
 * null: none computed), x (T × C lists) or null, output or null, outputFrom (in progress: the first
 * time step with an output, 1 or T), index (the example's row in the training set, or null), inProgress, highlight ({t, direction} of this entry's phase, or null)};
 * null before any forward. `pass` is the step in progress (passAfter). */
export function unrolledShown(v, i, mode, pass) {
  const T = v.layers[i].in_shape[0];
  if (stepInProgress(v)) {
    const source = pass?.layers[i] ?? null; // null: the step has not reached this entry yet
    const states = source && decode(mode === "h" ? source.h : source.dh);
    const first = mode === "h" ? 1 : T - (states?.shape[0] ?? 0) + 1; // dL/dh_t fills in from t = T down
    const p = v.phase;
    const highlight = p.layer === i && p.t ? { t: p.t, direction: p.phase } : null;
    const manyToMany = v.layers.filter((l) => "returns_sequence" in l).at(-1).returns_sequence; // else an output at t = T only
    return { source, T, first, states, x: pass?.x ?? null, output: pass?.output ?? null, outputFrom: manyToMany ? 1 : T,
      index: null, inProgress: true, highlight };
  }
  const through = v.detail?.layers[i]?.recurrent?.through_time;
  if (!through) return null;
  const example = v.detail.sequence?.example;
  return { source: through, T, first: 1, states: decode(mode === "h" ? through.h : through.dh), x: example?.x ?? null,
    output: example?.output ?? null, index: through.index, inProgress: false, highlight: null };
}
