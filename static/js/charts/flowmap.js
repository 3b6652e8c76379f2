// The layer × step map of log10 ‖dW‖ (or of ‖dL/da‖, as the panel's "Show" chooses): vanishing
// reads as the first layers fading out, exploding as colours climbing without bound. Painted on a
// canvas as an image of one pixel per cell.

import { magnitudeRgb } from "../palette.js";
import { linearTicks, tickTexts } from "./axes.js";
import { canvasIn, fitCanvas, FONT, INK, MUTED, pixelCanvas, showTip } from "./canvas.js";
import { paintColorBar } from "./colorbar.js";

const COLUMNS = 200; // step buckets drawn at most
const MARGIN = { l: 60, r: 66, t: 8, b: 30 }; // px; the colour bar sits in the right margin
const LABELS = { grad_norm: "‖dW‖", signal_norm: "‖dL/da‖" }; // the per-layer norms it can show

export class FlowMap {
  constructor(element) {
    this.element = element;
    this.stat = "grad_norm"; // the per-layer scalar shown: grad_norm or signal_norm
    this.z = []; // what was drawn last: mean log10 of `stat` per layer and bucket, null if none (read by tests)
    this.x = []; // the last step of each bucket
    this.names = [];
    this.colorBar = null; // the colour bar painted last: {label, ticks (texts), box (CSS px)} (read by tests)
    Object.assign(this, canvasIn(this));
  }

  /** Redraw from a History and the trace's `layers`: one row per layer, one column per bucket of steps. */
  draw(history, layers) {
    this.names = layers.map((l) => l.name);
    const n = history?.n ?? 0;
    const buckets = Math.min(COLUMNS, n);
    this.x = [];
    this.z = layers.map(() => []);
    for (let b = 0; b < buckets; b++) {
      const start = Math.floor((b * n) / buckets);
      const stop = Math.max(start + 1, Math.floor(((b + 1) * n) / buckets));
      this.x.push(history.step[stop - 1]);
      layers.forEach((_, i) => {
        let sum = 0;
        let count = 0;
        for (let r = start; r < stop; r++) {
          const v = history.layers[this.stat][r * history.nLayers + i];
          if (v > 0 && Number.isFinite(v)) {
            sum += Math.log10(v);
            count += 1;
          }
        }
        this.z[i].push(count ? sum / count : null);
      });
    }
    const all = this.z.flat().filter((v) => v !== null);
    this.range = all.length ? [Math.min(...all), Math.max(...all)] : null;
    this.image = this.range ? this.cells() : null;
    this.paint();
  }

  /** The map as a canvas of (layers × buckets) pixels; cells with no value are light grey. */
  cells() {
    const [lo, hi] = this.range;
    return pixelCanvas(this.x.length, this.z.length, (j, i) => {
      const v = this.z[i][j];
      return v === null ? [235, 236, 240] : magnitudeRgb(hi > lo ? (v - lo) / (hi - lo) : 0.5);
    });
  }

  area() {
    const [width, height] = [this.element.clientWidth, this.element.clientHeight];
    return { x: MARGIN.l, y: MARGIN.t, w: width - MARGIN.l - MARGIN.r, h: height - MARGIN.t - MARGIN.b };
  }

  paint() {
    const ctx = fitCanvas(this.canvas, this.element);
    if (!ctx) return;
    const a = this.area();
    ctx.font = `11px ${FONT}`;
    ctx.fillStyle = MUTED;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    const rowH = a.h / Math.max(1, this.names.length);
    this.names.forEach((name, i) => ctx.fillText(name, a.x - 4, a.y + (i + 0.5) * rowH, MARGIN.l - 6));
    this.colorBar = null;
    if (!this.image) return;
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.image, a.x, a.y, a.w, a.h);
    const [first, last] = [this.x[0], this.x[this.x.length - 1]];
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const steps = linearTicks(first, last, Math.max(2, Math.floor(a.w / 80)));
    tickTexts(steps).forEach((text, k) => ctx.fillText(text, a.x + ((steps[k] - first) / (last - first || 1)) * a.w, a.y + a.h + 3));
    ctx.fillStyle = INK;
    ctx.fillText("step", a.x + a.w / 2, a.y + a.h + 16);
    this.paintScale(ctx, a);
  }

  /** The colour bar: log10 of the shown norm from the smallest to the largest cell. */
  paintScale(ctx, a) {
    const [lo, hi] = this.range;
    const values = hi > lo ? linearTicks(lo, hi, 4) : [lo];
    const ticks = tickTexts(values).map((text, k) => [hi > lo ? (values[k] - lo) / (hi - lo) : 0.5, text]);
    const label = `log₁₀${LABELS[this.stat]}`;
    const box = { x: a.x + a.w + 10, y: a.y, w: 10, h: a.h };
    paintColorBar(ctx, box, magnitudeRgb, ticks, label, 36); // the label in the margin's last 10 px
    this.colorBar = { label, ticks: ticks.map(([, text]) => text), box };
  }

  /** Hover at (x, y) CSS px, or nowhere: the layer, the bucket's last step and its mean norm. */
  hover(x, y) {
    let text = null;
    const a = this.area();
    if (x !== null && this.image && x >= a.x && x < a.x + a.w && y >= a.y && y < a.y + a.h) {
      const i = Math.floor(((y - a.y) / a.h) * this.z.length);
      const j = Math.floor(((x - a.x) / a.w) * this.x.length);
      const v = this.z[i][j];
      text = `${this.names[i]} ${LABELS[this.stat]} up to step ${this.x[j].toLocaleString("en-US")}: ${v === null ? "no value" : `10^${v.toFixed(2)}`}`;
    }
    showTip(this.tip, this.element, text, x, y);
  }
}
