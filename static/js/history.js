// Every step's scalars, column-wise in growable typed arrays, plus the full-set metrics on the
// server's schedule of steps (or at an imported trace's snapshots). Charts read series from here; long series are decimated for display only.

import { decode } from "./packed.js";
import { TimeHistory } from "./timehistory.js";

export class History {
  /** An empty history of the catalog's step scalars and layer stats, for `nLayers` layers. */
  constructor({ step_scalars: stepScalars, layer_stats: layerStats }, nLayers = 0) {
    this.stepScalars = stepScalars;
    this.layerStats = layerStats;
    this.nLayers = nLayers;
    this.n = 0;
    this.capacity = 1024;
    this.step = new Float64Array(this.capacity);
    this.span = new Float64Array(this.capacity);
    this.scalars = Object.fromEntries(stepScalars.map((k) => [k, new Float64Array(this.capacity)]));
    this.layers = Object.fromEntries(layerStats.map((k) => [k, new Float64Array(this.capacity * nLayers)]));
    this.metrics = { step: [], train_loss: [], test_loss: [], train_accuracy: [], test_accuracy: [] };
    this.bands = null; // {stat: {low, high}} per layer, for an imported trace's thinned rows
    this.histograms = []; // per frame: {step, layers: [hist per layer]} for distributions over time
    this.time = new TimeHistory(); // the recurrent entries' ‖dL/dh_t‖ through time, step by step
  }

  grow(needed) {
    if (needed <= this.capacity) return;
    let capacity = this.capacity;
    while (capacity < needed) capacity *= 2;
    const grown = (a, width = 1) => {
      const b = new Float64Array(capacity * width);
      b.set(a);
      return b;
    };
    this.step = grown(this.step);
    this.span = grown(this.span);
    for (const k of this.stepScalars) this.scalars[k] = grown(this.scalars[k]);
    for (const k of this.layerStats) this.layers[k] = grown(this.layers[k], this.nLayers);
    this.capacity = capacity;
  }

  /** Append a frame's `scalars` block (packed columns). */
  appendFrame(scalars) {
    const count = scalars.count;
    if (!count) return 0;
    this.grow(this.n + count);
    this.step.set(decode(scalars.step).values, this.n);
    this.span.set(decode(scalars.span).values, this.n);
    for (const k of this.stepScalars) this.scalars[k].set(decode(scalars[k]).values, this.n);
    for (const k of this.layerStats) this.layers[k].set(decode(scalars.layers[k]).values, this.n * this.nLayers);
    if (scalars.through_time) this.time.appendFrame(Array.from(this.step.subarray(this.n, this.n + count)), scalars.through_time);
    this.n += count;
    return count;
  }

  /** Append one row from plain values (an imported trace's step, with min/max when thinned). */
  appendRow(step, span, values, layerRows, low = null, high = null) {
    this.grow(this.n + 1);
    this.step[this.n] = step;
    this.span[this.n] = span;
    for (const k of this.stepScalars) this.scalars[k][this.n] = values[k] ?? NaN;
    layerRows.forEach((row, i) => {
      for (const k of this.layerStats) this.layers[k][this.n * this.nLayers + i] = row[k] ?? NaN;
    });
    if (low && high) this.addBand(step, low.layers, high.layers);
    this.time.appendRow(step, layerRows);
    this.n += 1;
  }

  addBand(step, lowRows, highRows) {
    if (!this.bands) this.bands = { step: [], low: [], high: [] };
    this.bands.step.push(step);
    this.bands.low.push(lowRows);
    this.bands.high.push(highRows);
  }

  /** Keep a frame's per-layer histograms (at most `keep`, evenly thinned when over). */
  appendHistograms(step, layers, keep = 400) {
    this.histograms.push({ step, layers: layers.map((l) => l.hist) });
    if (this.histograms.length > keep) this.histograms = this.histograms.filter((_, i) => i % 2 === 0);
  }

  /** Append one step's full-set metrics (an imported trace's snapshot). */
  appendMetrics(step, metrics) {
    const m = this.metrics;
    if (m.step.length && m.step[m.step.length - 1] === step) return;
    m.step.push(step);
    for (const k of ["train_loss", "test_loss", "train_accuracy", "test_accuracy"]) m[k].push(metrics[k] ?? NaN);
  }

  /** Append a frame's `evaluations` block (packed columns: the full-set metrics at scheduled steps). */
  appendEvaluations(evaluations) {
    if (!evaluations.count) return;
    const m = this.metrics;
    for (const k of Object.keys(m)) m[k].push(...decode(evaluations[k]).values);
  }

  /** A step scalar's series: {x, y} views. */
  series(name) {
    return { x: this.step.subarray(0, this.n), y: this.scalars[name].subarray(0, this.n) };
  }

  /** One layer's series of a per-layer stat: {x, y}. */
  layerSeries(stat, layer) {
    const y = new Float64Array(this.n);
    const all = this.layers[stat];
    for (let i = 0; i < this.n; i++) y[i] = all[i * this.nLayers + layer];
    return { x: this.step.subarray(0, this.n), y };
  }
}

/** At most `maxPoints` real points of a series, keeping each bucket's min and max (its envelope):
 * decimated for drawing, yet every drawn point is an exact value at its exact step. */
export function decimate(x, y, maxPoints = 2000) {
  const n = x.length;
  if (n <= maxPoints) return { x: Array.from(x), y: Array.from(y, (v) => (Number.isFinite(v) ? v : null)) };
  const buckets = Math.floor(maxPoints / 2);
  const size = n / buckets;
  const outX = [];
  const outY = [];
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor(b * size);
    const stop = Math.min(n, Math.floor((b + 1) * size));
    let lo = -1;
    let hi = -1;
    for (let i = start; i < stop; i++) {
      if (!Number.isFinite(y[i])) continue;
      if (lo < 0 || y[i] < y[lo]) lo = i;
      if (hi < 0 || y[i] > y[hi]) hi = i;
    }
    if (lo < 0) continue;
    for (const i of lo <= hi ? [lo, hi] : [hi, lo]) {
      if (outX.length && outX[outX.length - 1] === x[i]) continue;
      outX.push(x[i]);
      outY.push(y[i]);
    }
  }
  return { x: outX, y: outY };
}
