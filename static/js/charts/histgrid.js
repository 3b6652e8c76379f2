// Per-layer histograms of activations (top row) and weight gradients (bottom row) at the latest
// frame, as small multiples painted on a canvas (as Plotly subplots, 24 axes took 70+ ms a draw).
// Each panel has its own x range, since gradients differ by decades between layers: its ends are
// written under it. Linear bins, or log₁₀|v| bins, as the engine computed them.

import { SERIES, WARN } from "../palette.js";
import { canvasIn, fitCanvas, FONT, INK, MUTED, showTip } from "./canvas.js";

const MAX_PANELS = 12; // layers shown at most (evenly spaced beyond that)
const MIN_PANEL_PX = 96; // and fewer if the panels would be narrower
const MARGIN = 4; // px
const ROWS = [{ key: "act", label: "a" }, { key: "grad", label: "dL/dW" }]; // bars in grey: a bar's colour means nothing

/** A bin edge as written under a panel: `digits` significant digits (3 or more), or 1eN in
 * log-magnitude bins. */
function edgeText(v, log, digits = 3) {
  if (log) return Number.isInteger(v) ? `1e${v}` : `1e${v.toFixed(1)}`;
  if (v === 0) return "0";
  return Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(digits - 2) : String(Number(v.toPrecision(digits)));
}

/** The texts of a panel's two ends, with the digits it takes for them to differ (a narrow range's
 * 0.22412 … 0.22438 is not "0.224 … 0.224"). */
function edgeTexts(lo, hi, log) {
  for (let digits = 3; ; digits++) {
    const texts = [edgeText(lo, log, digits), edgeText(hi, log, digits)];
    if (texts[0] !== texts[1] || lo === hi || digits >= 15) return texts;
  }
}

/** Evenly spaced picks of at most `n` of `all`, the first and last included. */
function spread(all, n) {
  if (all.length <= n) return all;
  return [...new Set(Array.from({ length: n }, (_, k) => all[Math.round((k * (all.length - 1)) / Math.max(1, n - 1))]))];
}

export class HistogramGrid {
  constructor(element) {
    this.element = element;
    this.logMagnitude = false;
    this.note = "";
    this.panels = []; // what was drawn last: [{layer, name, key, edges, counts, ends (texts), box}] (read by tests)
    this.input = null;
    this.pointer = null;
    Object.assign(this, canvasIn(this));
  }

  /** Draw the histograms of a frame's `detail` for the trace's `layers`. */
  draw(layers, detail) {
    if (!detail) return;
    this.input = { layers, detail };
    this.paint();
    if (this.pointer) this.hover(this.pointer.x, this.pointer.y);
  }

  paint() {
    const ctx = this.input && fitCanvas(this.canvas, this.element);
    if (!ctx) return;
    const { layers, detail } = this.input;
    const [width, height] = [this.element.clientWidth, this.element.clientHeight];
    const all = layers.map((_, i) => i).filter((i) => detail.layers[i].hist?.act);
    const shown = spread(all, Math.max(1, Math.min(MAX_PANELS, Math.floor((width - 2 * MARGIN) / MIN_PANEL_PX))));
    this.note = shown.length < all.length ? `showing ${shown.length} of ${all.length} layers, evenly spaced` : "";
    const [w, h] = [(width - 2 * MARGIN) / Math.max(1, shown.length), (height - 2 * MARGIN) / ROWS.length];
    this.panels = [];
    shown.forEach((layer, column) => ROWS.forEach((row, r) => {
      const hist = detail.layers[layer].hist[row.key];
      const panel = { layer, name: layers[layer].name, key: row.key, label: row.label,
        edges: Array.from(this.logMagnitude ? hist.log_edges : hist.edges),
        counts: Array.from(this.logMagnitude ? hist.log_counts : hist.counts),
        zeros: hist.zeros, nonfinite: hist.nonfinite,
        box: { x: MARGIN + column * w + 6, y: MARGIN + r * h + 14, w: w - 12, h: h - 30 } };
      this.panels.push(panel);
      this.paintPanel(ctx, panel);
    }));
  }

  paintPanel(ctx, p) {
    const { x, y, w, h } = p.box;
    ctx.fillStyle = INK;
    ctx.font = `10px ${FONT}`;
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    ctx.fillText(`${p.name} ${p.label}`, x + w / 2, y - 2, w);
    ctx.strokeStyle = "#c9ced8";
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(x, y + h + 0.5);
    ctx.lineTo(x + w, y + h + 0.5);
    ctx.stroke();
    const [lo, hi] = [p.edges[0], p.edges[p.edges.length - 1]];
    const top = Math.max(0, ...p.counts);
    if (top > 0) {
      ctx.fillStyle = SERIES.light;
      const bin = w / p.counts.length;
      p.counts.forEach((c, k) => c && ctx.fillRect(x + k * bin, y + h * (1 - c / top), Math.max(1, bin - 0.5), h * (c / top)));
    }
    if (!this.logMagnitude && lo < 0 && hi > 0) { // where 0 is: dead ReLUs and vanishing gradients pile up there
      const zero = x + (w * (0 - lo)) / (hi - lo);
      ctx.strokeStyle = MUTED;
      ctx.setLineDash([2, 2]);
      ctx.beginPath();
      ctx.moveTo(zero, y);
      ctx.lineTo(zero, y + h);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    ctx.font = `9px ${FONT}`;
    ctx.textBaseline = "top";
    ctx.fillStyle = MUTED;
    if (!p.edges.length) {
      ctx.textAlign = "center";
      ctx.fillText("no finite values", x + w / 2, y + h / 2, w);
    } else {
      p.ends = edgeTexts(lo, hi, this.logMagnitude);
      ctx.textAlign = "left";
      ctx.fillText(p.ends[0], x, y + h + 3, w / 2);
      ctx.textAlign = "right";
      ctx.fillText(p.ends[1], x + w, y + h + 3, w / 2);
    }
    const extra = [this.logMagnitude && p.zeros ? `${p.zeros} zeros` : "", p.nonfinite ? `${p.nonfinite} non-finite` : ""].filter(Boolean);
    if (extra.length) {
      ctx.textAlign = "right";
      ctx.fillStyle = p.nonfinite ? WARN : MUTED;
      ctx.fillText(extra.join(", "), x + w, y, w);
    }
  }

  /** Hover at (x, y) CSS px, or nowhere (x null): the tooltip names the bin and its count. */
  hover(x, y) {
    this.pointer = x === null ? null : { x, y };
    const p = this.pointer && this.panels.find(({ box }) => x >= box.x && x < box.x + box.w && y >= box.y - 12 && y <= box.y + box.h);
    let text = null;
    if (p && p.counts.length) {
      const k = Math.min(p.counts.length - 1, Math.floor(((x - p.box.x) / p.box.w) * p.counts.length));
      const [lo, hi] = this.logMagnitude ? [p.edges[k], p.edges[k + 1]].map((e) => `1e${e.toFixed(2)}`) : edgeTexts(p.edges[k], p.edges[k + 1], false);
      text = `${p.name} ${p.label}${this.logMagnitude ? " |v|" : ""} in [${lo}, ${hi}): ${p.counts[k]}`
        + `${p.zeros && this.logMagnitude ? `\n${p.zeros} zeros, not binned` : ""}${p.nonfinite ? `\n${p.nonfinite} non-finite` : ""}`;
    }
    showTip(this.tip, this.element, text, x, y);
  }
}
