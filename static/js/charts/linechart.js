// A line chart over steps painted on a canvas: lines (or × marks; a smoothed line over its faint
// raw values), filled bands, a reference band, linear or log y (exact zeros marked under the axis),
// hover to read a value, drag across to zoom into steps and double-click to undo.
// As Plotly traces, a deep net's per-layer charts took 25–100 ms a redraw; painted, a few.

import { decimate } from "../history.js";
import { decadeTicks, linearTicks, powerText, tickTexts } from "./axes.js";
import { canvasIn, fitCanvas, FONT, INK, MUTED, showTip } from "./canvas.js";
import { paintBand, paintLine, paintMarks, paintReference, paintZeroNote, paintZeros } from "./linepaint.js";
import { decimateMean } from "./smoothing.js";

const MARGIN = { l: 52, r: 10, t: 8, b: 30 }; // px
const HIT_PX = 8;
const GRID = "#eceef3";
const RAW_ALPHA = 0.2; // of a smoothed line's raw values, drawn under it

/** First index i with xs[i] >= x in an increasing array. */
function lowerBound(xs, x) {
  let [lo, hi] = [0, xs.length];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class LineChart {
  /** @param options {title, log, yRange: fixed [lo, hi], reference: [lo, mid, hi] band and line,
   * empty: what to say when there is no line} */
  constructor(element, options) {
    this.element = element;
    this.options = options;
    this.spec = null;
    this.painted = []; // the lines as painted: [{name, color, marks, x, y, zeros}], at most ~2 points per px
    this.zeros = []; // the painted lines that are exactly 0 somewhere on a log axis (read by tests)
    this.zoom = null; // [first, last] step shown, or null for all
    this.shown = null; // the last paint's plot area and transform
    this.drag = null;
    this.pointer = null;
    Object.assign(this, canvasIn(this)); // hover and resize; then the drag to zoom:
    this.canvas.addEventListener("pointerdown", (e) => { this.drag = { from: e.offsetX, to: e.offsetX }; });
    this.canvas.addEventListener("pointermove", (e) => {
      if (this.drag) {
        this.drag.to = e.offsetX;
        this.paint();
      }
    });
    this.canvas.addEventListener("pointerup", () => this.endDrag());
    this.canvas.addEventListener("pointerleave", () => { this.drag = null; });
    this.canvas.addEventListener("dblclick", () => {
      this.zoom = null;
      this.paint();
    });
  }

  /** Draw `lines` [{name, x, y, color, width?, alpha?, dash?, marks? (× marks, not a line), smooth?
   * (y smoothed: drawn as the line, over y drawn faintly)}] and `bands` [{x, low, high, fill}] (x
   * increasing); `legend` names the lines in the corner. */
  draw({ lines = [], bands = [], legend = false }) {
    this.spec = { lines, bands, legend };
    this.paint();
    if (this.pointer) this.hover(this.pointer.x, this.pointer.y);
  }

  /** The steps shown: all, or the zoomed range within them. */
  stepRange() {
    const ends = [...this.spec.lines, ...this.spec.bands].flatMap((s) => (s.x.length ? [s.x[0], s.x[s.x.length - 1]] : []));
    let range = ends.length ? [Math.min(...ends), Math.max(...ends)] : [0, 1];
    if (this.zoom) range = [Math.max(range[0], this.zoom[0]), Math.min(range[1], this.zoom[1])];
    return range[1] > range[0] ? range : [range[0] - 0.5, range[0] + 0.5];
  }

  /** The lines within `range`, decimated to `points` each (a log axis has no 0 or below: the
   * steps where a line is exactly 0 are kept as `zeros`, marked on the axis). A smoothed line is
   * two: its raw values, faint (`raw`), then the smoothed line, decimated to its buckets' means. */
  clip(range, points) {
    const log = this.options.log;
    return this.spec.lines.flatMap((l) => {
      const [a, b] = [Math.max(0, lowerBound(l.x, range[0]) - 1), Math.min(l.x.length, lowerBound(l.x, range[1]) + 1)];
      const zeros = []; // at most one a point's width apart
      const gap = (range[1] - range[0]) / points;
      for (let k = a; log && k < b; k++) if (l.y[k] === 0 && !(zeros.length && l.x[k] - zeros[zeros.length - 1] < gap)) zeros.push(l.x[k]);
      const { smooth, ...line } = l;
      const y = Array.from(l.y.slice(a, b), (v) => (v === null || (log && !(v > 0)) ? NaN : v));
      const raw = { ...line, ...decimate(l.x.slice(a, b), y, points), zeros };
      if (!smooth) return [raw];
      return [{ ...raw, name: `${l.name} (raw)`, alpha: (l.alpha ?? 1) * RAW_ALPHA, width: 1, dash: undefined, zeros: [], raw: true },
        { ...line, ...decimateMean(l.x.slice(a, b), smooth.subarray(a, b), points / 2, log), zeros, smoothed: true }];
    });
  }

  /** [lo, hi] of the values shown (log10 units on a log axis). */
  valueRange() {
    if (this.options.yRange) return this.options.yRange;
    const log = this.options.log;
    let [lo, hi] = [Infinity, -Infinity];
    const take = (v) => {
      if (v === null || !Number.isFinite(v) || (log && !(v > 0))) return;
      const t = log ? Math.log10(v) : v;
      [lo, hi] = [Math.min(lo, t), Math.max(hi, t)];
    };
    for (const l of this.painted) l.y.forEach(take);
    for (const b of this.spec.bands) [...b.low, ...b.high].forEach(take);
    const ref = this.options.reference;
    if (ref && Number.isFinite(lo)) [ref[0], ref[2]].forEach(take);
    if (!Number.isFinite(lo)) return log ? [-1, 1] : [0, 1];
    const least = log ? 0.2 : 0.02 * Math.max(Math.abs(lo), Math.abs(hi)) || 1; // a flat line sits mid-axis
    if (hi - lo < least) [lo, hi] = [(lo + hi - least) / 2, (lo + hi + least) / 2];
    const pad = 0.05 * (hi - lo);
    return [lo - pad, hi + pad];
  }

  /** The plot area in CSS px and the transforms for the shown steps and values. */
  frame(width, height, xRange, yRange, left = MARGIN.l) {
    const log = this.options.log;
    const top = MARGIN.t + (this.spec.legend ? 14 : 0); // the legend's row sits above the plot
    const [x, y, w, h] = [left, top, width - left - MARGIN.r, height - top - MARGIN.b];
    return { x, y, w, h, xRange, yRange,
      X: (v) => x + ((v - xRange[0]) / (xRange[1] - xRange[0])) * w,
      Y: (v) => y + h - (((log ? Math.log10(v) : v) - yRange[0]) / (yRange[1] - yRange[0] || 1)) * h,
      step: (px) => xRange[0] + ((px - x) / w) * (xRange[1] - xRange[0]) };
  }

  paint() {
    const ctx = this.spec && fitCanvas(this.canvas, this.element);
    if (!ctx) return;
    const [width, height] = [this.element.clientWidth, this.element.clientHeight];
    const xRange = this.stepRange();
    this.painted = this.clip(xRange, Math.max(50, 2 * (width - MARGIN.l - MARGIN.r)));
    const yRange = this.valueRange();
    let f = this.frame(width, height, xRange, yRange);
    ctx.font = `11px ${FONT}`;
    const widest = Math.max(0, ...this.yTicks(f).map(([, text]) => ctx.measureText(text).width));
    if (widest > MARGIN.l - 24) f = this.frame(width, height, xRange, yRange, widest + 24); // room for the title
    this.shown = f;
    this.paintAxes(ctx, f);
    ctx.save();
    ctx.beginPath();
    ctx.rect(f.x, f.y, f.w, f.h);
    ctx.clip();
    if (this.options.reference) paintReference(ctx, f, this.options.reference);
    for (const b of this.spec.bands) paintBand(ctx, f, b, this.options.log);
    for (const l of this.painted) {
      if (l.marks) paintMarks(ctx, f, l);
      else paintLine(ctx, f, l);
    }
    this.zeros = this.options.log ? this.painted.filter((l) => l.zeros.length) : [];
    for (const l of this.zeros) paintZeros(ctx, f, l);
    ctx.globalAlpha = 1;
    if (this.drag && Math.abs(this.drag.to - this.drag.from) > 4) {
      ctx.fillStyle = "rgba(0,114,178,0.12)";
      ctx.fillRect(Math.min(this.drag.from, this.drag.to), f.y, Math.abs(this.drag.to - this.drag.from), f.h);
    }
    ctx.restore();
    if (this.spec.legend) this.paintLegend(ctx, f);
    if (this.zeros.length) paintZeroNote(ctx, f);
    if (!this.spec.lines.length && !this.spec.bands.length && this.options.empty) {
      ctx.fillStyle = MUTED;
      ctx.font = `12px ${FONT}`;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText(this.options.empty, f.x + f.w / 2, f.y + f.h / 2);
    }
  }

  /** The value axis's ticks for a frame: [[value, text]]. */
  yTicks(f) {
    const [lo, hi] = f.yRange;
    const count = Math.max(2, Math.floor(f.h / 36));
    const decades = this.options.log ? decadeTicks(lo, hi, count).map((e) => [10 ** e, powerText(e)]) : [];
    if (decades.length >= 2) return decades;
    const ticks = linearTicks(this.options.log ? 10 ** lo : lo, this.options.log ? 10 ** hi : hi, count) // within a decade or two
      .filter((v) => !this.options.log || v > 0);
    const texts = tickTexts(ticks);
    return ticks.map((v, k) => [v, texts[k]]);
  }

  paintAxes(ctx, f) {
    const yTicks = this.yTicks(f);
    const xTicks = linearTicks(f.xRange[0], f.xRange[1], Math.max(2, Math.floor(f.w / 70))).filter(Number.isInteger); // steps
    ctx.lineWidth = 1;
    ctx.strokeStyle = GRID;
    ctx.beginPath();
    for (const [v] of yTicks) {
      const y = Math.round(f.Y(v)) + 0.5;
      ctx.moveTo(f.x, y);
      ctx.lineTo(f.x + f.w, y);
    }
    for (const v of xTicks) {
      const x = Math.round(f.X(v)) + 0.5;
      ctx.moveTo(x, f.y);
      ctx.lineTo(x, f.y + f.h);
    }
    ctx.stroke();
    ctx.fillStyle = MUTED;
    ctx.font = `11px ${FONT}`;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const [v, text] of yTicks) ctx.fillText(text, f.x - 4, f.Y(v));
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    tickTexts(xTicks).forEach((text, k) => ctx.fillText(text, f.X(xTicks[k]), f.y + f.h + 3));
    ctx.fillStyle = INK;
    ctx.fillText(this.zoom ? "step (double-click: all)" : "step", f.x + f.w / 2, f.y + f.h + 16);
    ctx.save();
    ctx.translate(12, f.y + f.h / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(this.options.title, 0, -6);
    ctx.restore();
  }

  paintLegend(ctx, f) {
    ctx.font = `10px ${FONT}`;
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    let x = f.x + 6;
    for (const l of this.spec.lines) {
      ctx.fillStyle = l.color;
      ctx.fillText(l.marks ? "×" : l.dash ? "- -" : "—", x, f.y - 8);
      ctx.fillStyle = INK;
      ctx.fillText(l.name, x + 14, f.y - 8);
      x += 24 + ctx.measureText(l.name).width;
    }
  }

  endDrag() {
    const d = this.drag;
    this.drag = null;
    if (d && this.shown && Math.abs(d.to - d.from) > 4) {
      this.zoom = [d.from, d.to].map((px) => this.shown.step(px)).sort((p, q) => p - q);
    }
    this.paint();
  }

  /** Hover at (x, y) CSS px, or nowhere (x null): the nearest painted point names its line. */
  hover(x, y) {
    this.pointer = x === null ? null : { x, y };
    let text = null;
    const f = this.shown;
    if (this.pointer && f && !this.drag) {
      let best = null;
      for (const l of this.painted) {
        l.x.forEach((step, k) => {
          const v = l.y[k];
          if (v === null || !Number.isFinite(v) || (this.options.log && !(v > 0))) return;
          const d = Math.hypot(f.X(step) - x, f.Y(v) - y);
          if (d <= HIT_PX && (!best || d < best.d)) best = { d, name: l.smoothed ? `${l.name} (smoothed)` : l.name, step, v };
        });
      }
      if (best) text = `${best.name} step ${best.step.toLocaleString("en-US")}: ${best.v.toExponential(3)}`;
    }
    showTip(this.tip, this.element, text, x, y);
  }
}
