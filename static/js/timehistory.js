// The recurrent entries' ‖dL/dh_t‖ for every t, step by step (the frames' `through_time`, or an
// imported trace's `signal_norm_by_time`), thinned evenly to at most MAX_ROWS steps for the
// t × step heatmap; the latest step's row is always kept whole.

import { decode } from "./packed.js";

const MAX_ROWS = 600; // steps kept for the heatmap: beyond, every other one goes and the stride doubles

export class TimeHistory {
  constructor() {
    this.layers = null; // the recurrent entries' indices into `layers`
    this.steps = []; // the kept steps
    this.rows = []; // per kept step: [R][T] norms (NaN where not finite)
    this.latest = null; // {step, norms [R][T]} of the last appended step
    this.stride = 1; // keep every stride-th appended step
    this.seen = 0; // steps appended so far
  }

  /** Append one step's norms: [R][T]. */
  append(step, norms) {
    this.latest = { step, norms };
    if (this.seen++ % this.stride) return;
    this.steps.push(step);
    this.rows.push(norms);
    if (this.rows.length > MAX_ROWS) {
      this.steps = this.steps.filter((_, i) => i % 2 === 0);
      this.rows = this.rows.filter((_, i) => i % 2 === 0);
      this.stride *= 2;
    }
  }

  /** Append a frame's `through_time` block; `steps` are the frame's rows' steps. */
  appendFrame(steps, block) {
    this.layers = block.layers;
    const signals = decode(block.signal_norm_by_time);
    const [, r, t] = signals.shape;
    steps.forEach((step, n) => {
      const norms = [];
      for (let k = 0; k < r; k++) norms.push(Array.from(signals.values.subarray((n * r + k) * t, (n * r + k + 1) * t)));
      this.append(step, norms);
    });
  }

  /** Append an imported trace's step from its `layers` rows (recurrent ones hold signal_norm_by_time). */
  appendRow(step, layerRows) {
    const recurrent = layerRows.map((row, i) => [i, row.signal_norm_by_time]).filter(([, v]) => v !== undefined);
    if (!recurrent.length) return;
    this.layers = recurrent.map(([i]) => i);
    this.append(step, recurrent.map(([, v]) => (v ?? []).map((x) => x ?? NaN)));
  }

  /** One recurrent entry's heatmap: {steps, z [T][steps] of log10 norms (null where not positive)}. */
  heatmap(k) {
    const t = this.rows.length ? this.rows[0][k].length : 0;
    const z = [];
    for (let i = 0; i < t; i++) z.push(this.rows.map((row) => (row[k][i] > 0 ? Math.log10(row[k][i]) : null)));
    return { steps: this.steps, z };
  }
}
