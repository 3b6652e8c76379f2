// TensorBoard's smoothing of a noisy series: an exponential moving average, debiased so that its
// first points are not pulled towards 0. It changes what a chart draws, never the data: a chart
// keeps one Smoother and extends each series' smoothed copy by the rows it gained since its last draw.

/** Smoothed copies of growing series, by key. */
export class Smoother {
  constructor() {
    this.entries = new Map(); // key -> {source, weight, n, last, decay, out (Float64Array)}
  }

  /** The smoothed `y` (Float64Array of y.length; NaN where y is not finite, which the average
   * skips) with weight w in [0, 1): s_t = (w·m_{t-1} + (1 − w)·y_t) / (1 − w^k) over the k finite
   * values so far. `source` (the History) and `key` (the series) name the series: rows it had at
   * the last call are taken as unchanged, so only the new ones are averaged. */
  smooth(key, source, y, weight) {
    let e = this.entries.get(key);
    if (!e || e.source !== source || e.weight !== weight || y.length < e.n) {
      e = { source, weight, n: 0, last: 0, decay: 1, out: new Float64Array(Math.max(1024, y.length)) };
      this.entries.set(key, e);
    }
    if (e.out.length < y.length) {
      const grown = new Float64Array(Math.max(2 * e.out.length, y.length));
      grown.set(e.out.subarray(0, e.n));
      e.out = grown;
    }
    for (let i = e.n; i < y.length; i++) {
      const v = y[i];
      if (v === null || !Number.isFinite(v)) {
        e.out[i] = NaN;
        continue;
      }
      e.last = weight * e.last + (1 - weight) * v;
      e.decay *= weight;
      e.out[i] = e.last / (1 - e.decay);
    }
    e.n = y.length;
    return e.out.subarray(0, y.length);
  }
}

/** At most `maxPoints` points of a smoothed series: the mean of each bucket's finite values (above
 * 0 if `positive`: a log axis) at the bucket's middle step (a line, where the raw series is drawn
 * as its min–max envelope); a bucket with none is null. */
export function decimateMean(x, y, maxPoints, positive = false) {
  const n = x.length;
  const ok = (v) => Number.isFinite(v) && (!positive || v > 0);
  if (n <= maxPoints) return { x: Array.from(x), y: Array.from(y, (v) => (ok(v) ? v : null)) };
  const outX = [];
  const outY = [];
  for (let b = 0; b < maxPoints; b++) {
    const [start, stop] = [Math.floor((b * n) / maxPoints), Math.floor(((b + 1) * n) / maxPoints)];
    let [sum, count] = [0, 0];
    for (let i = start; i < stop; i++) {
      if (ok(y[i])) {
        sum += y[i];
        count += 1;
      }
    }
    outX.push(x[(start + stop - 1) >> 1]);
    outY.push(count ? sum / count : null);
  }
  return { x: outX, y: outY };
}
