// The model's output over the input plane with the data on top, painted on a canvas as Playground
// does: a decision boundary for classification, the fitted surface for regression; a colour bar
// with numbers on its right says what each colour is. (As a Plotly
// heatmap under hundreds of SVG markers it took 30–90 ms a redraw; the canvas takes a few.)

import { decode } from "../packed.js";
import { CLASS_COLORS, divergingRgb, rgbOf } from "../palette.js";
import { canvasIn, fitCanvas, FONT, INK, MUTED, pixelCanvas, showTip } from "./canvas.js";
import { paintColorBar } from "./colorbar.js";
import { mapImage } from "./mapviews.js";

const MARGIN = { l: 30, r: 10, t: 6, b: 26 }; // px
const BAR = { gap: 12, w: 10, room: 76 }; // px: the colour bar right of the plane, and the room it takes with its numbers
const TICK_SPANS = 6; // the axes are ticked at both ends and at 5 points between
const OPACITY = 0.75; // of the output under the points
const POINT_RADIUS = 3; // px
const HIT_PX = 5;

const CLASS_RGB = CLASS_COLORS.map(rgbOf);

/** The colour of an output value: classes by their colour, probabilities and values diverging. */
function outputRgb(v, kind, discretize) {
  if (!Number.isFinite(v)) return divergingRgb(NaN);
  if (kind === "class") return CLASS_RGB[Math.round(v) % CLASS_RGB.length];
  const cut = kind === "value" ? 0 : 0.5; // a probability's 0.5 is white, like a value's 0
  const t = kind === "value" ? v : 2 * v - 1;
  return divergingRgb(discretize ? (v > cut ? 1 : -1) : t);
}

/** The colour bar of an output kind: {rgbAt (t in [0, 1] -> [r, g, b], 0 at the bottom), ticks
 * [[t, text]], label}: a probability from 0 to 1, a value from −1 to 1 (beyond takes the ends), or
 * one block per class. */
function outputScale(kind, nClasses, discretize) {
  if (kind === "class") {
    const n = Math.max(1, nClasses);
    return { rgbAt: (t) => CLASS_RGB[Math.min(n - 1, Math.floor(t * n)) % CLASS_RGB.length],
      ticks: Array.from({ length: n }, (_, k) => [(k + 0.5) / n, String(k)]), label: "class" };
  }
  if (kind === "value") {
    return { rgbAt: (t) => outputRgb(2 * t - 1, kind, discretize), label: "output value",
      ticks: [[0, "≤ −1"], [0.25, "−0.5"], [0.5, "0"], [0.75, "0.5"], [1, "≥ 1"]] };
  }
  return { rgbAt: (t) => outputRgb(t, kind, discretize), label: "P(class 1)",
    ticks: [[0, "0"], [0.25, "0.25"], [0.5, "0.5"], [0.75, "0.75"], [1, "1"]] };
}

/** A neuron map's colour bar while it is shown in place of the output: its diverging scale, ±scale. */
function previewScale({ title, scale }) {
  const s = scale || 1;
  return { rgbAt: (t) => divergingRgb(2 * t - 1), label: title,
    ticks: [[0, `−${s.toPrecision(2)}`], [0.5, "0"], [1, s.toPrecision(2)]] };
}

export class OutputChart {
  constructor(element) {
    this.element = element;
    this.showTest = false;
    this.discretize = false;
    this.drawn = null; // what was drawn last: {kind, shape, values, points} (read by tests)
    this.input = null;
    this.image = null; // the output grid as a canvas of one pixel per grid point
    this.previewed = null; // a neuron's map shown instead of the output: {title, values, n, m, scale} (read by tests)
    this.previewImage = null;
    this.colorBar = null; // the colour bar painted last: {label, ticks (texts), box (CSS px)} (read by tests)
    Object.assign(this, canvasIn(this));
  }

  /** Draw an output grid (packed or plain, may be null) and the points {train, test} over the plane
   * `extent` ([low, high] on both axes: the catalog's plane). */
  draw(grid, points, nClasses, extent) {
    this.input = { grid, points, nClasses, extent };
    const decoded = grid ? decode(grid.values) : null;
    this.drawn = { kind: grid?.kind ?? null, shape: decoded?.shape ?? null, values: decoded?.values ?? null,
      points: points ? (this.showTest ? ["train", "test"] : ["train"]).reduce((n, s) => n + points[s].x.length, 0) : 0 };
    this.image = decoded ? this.gridImage(decoded, grid.kind) : null;
    this.paint();
  }

  /** Show a neuron's map ({title, values, n, m, scale}, row 0 the lowest y) over the plane in
   * place of the model's output, or the output again (null). */
  preview(map) {
    this.previewed = map;
    this.previewImage = map && mapImage(map);
    this.paint();
  }

  gridImage({ values, shape: [n, m] }, kind) { // row 0 of the grid is the plane's lowest y: the bottom
    return pixelCanvas(m, n, (j, i) => outputRgb(values[(n - 1 - i) * m + j], kind, this.discretize));
  }

  /** The square plot area in CSS px: {x, y, side, X (plane -> px), Y, planeX (px -> plane), planeY}. */
  area() {
    const [width, height] = [this.element.clientWidth, this.element.clientHeight];
    const room = width - MARGIN.l - MARGIN.r - BAR.room;
    const side = Math.max(10, Math.min(room, height - MARGIN.t - MARGIN.b));
    const x = MARGIN.l + (room - side) / 2;
    const y = MARGIN.t;
    const [low, high] = this.input.extent;
    const span = high - low;
    return { x, y, side, X: (v) => x + ((v - low) / span) * side, Y: (v) => y + ((high - v) / span) * side,
      planeX: (px) => low + ((px - x) / side) * span, planeY: (py) => high - ((py - y) / side) * span,
      ticks: Array.from({ length: TICK_SPANS + 1 }, (_, k) => low + (k * span) / TICK_SPANS) };
  }

  paint() {
    const ctx = this.input && fitCanvas(this.canvas, this.element);
    if (!ctx) return;
    const a = this.area();
    ctx.save();
    ctx.beginPath();
    ctx.rect(a.x, a.y, a.side, a.side);
    ctx.clip();
    const image = this.previewImage ?? this.image;
    if (image) { // grid points are cell centres: the cells reach half a cell past the plane
      const [m, n] = [image.width, image.height];
      const [cw, ch] = [a.side / (m - 1), a.side / (n - 1)];
      ctx.globalAlpha = OPACITY;
      ctx.drawImage(image, a.x - cw / 2, a.y - ch / 2, a.side + cw, a.side + ch);
      ctx.globalAlpha = 1;
    }
    this.paintPoints(ctx, a);
    if (this.previewed) this.paintCaption(ctx, a);
    ctx.restore();
    ctx.strokeStyle = "#c9ced8";
    ctx.lineWidth = 1;
    ctx.strokeRect(a.x + 0.5, a.y + 0.5, a.side - 1, a.side - 1);
    ctx.fillStyle = MUTED;
    ctx.font = `11px ${FONT}`;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const t of a.ticks) ctx.fillText(String(t), a.X(t), a.y + a.side + 4);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const t of a.ticks) ctx.fillText(String(t), a.x - 4, a.Y(t));
    this.colorBar = null;
    if (this.drawn.kind || this.previewed) {
      const scale = this.previewed ? previewScale(this.previewed)
        : outputScale(this.drawn.kind, this.input.nClasses, this.discretize);
      const onWhite = (t) => scale.rgbAt(t).map((c) => Math.round(255 + (c - 255) * OPACITY)); // as the plane shows it
      const box = { x: a.x + a.side + BAR.gap, y: a.y, w: BAR.w, h: a.side };
      paintColorBar(ctx, box, onWhite, scale.ticks, scale.label, 44);
      this.colorBar = { label: scale.label, ticks: scale.ticks.map(([, text]) => text), box };
    }
  }

  /** Says whose map is shown, on the plane's top edge. */
  paintCaption(ctx, a) {
    const p = this.previewed;
    const text = `${p.title}: full colour at ±${p.scale.toPrecision(3)}`;
    ctx.font = `12px ${FONT}`;
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    ctx.fillStyle = "rgba(255, 255, 255, 0.85)";
    ctx.fillRect(a.x, a.y, ctx.measureText(text).width + 12, 20);
    ctx.fillStyle = INK;
    ctx.fillText(text, a.x + 6, a.y + 4);
  }

  /** The points to draw: [{split, x, y, label}] (train, and test if shown). */
  points() {
    const { points } = this.input;
    if (!points) return [];
    return (this.showTest ? ["train", "test"] : ["train"]).flatMap((split) =>
      points[split].x.map((x, k) => ({ split, x, y: points[split].y[k], label: points[split].label[k] })));
  }

  paintPoints(ctx, a) {
    const regression = this.input.nClasses === 0;
    ctx.lineWidth = 1;
    for (const p of this.points()) {
      // a value as a value, also a regression set's point still on show when a class set's config came
      const asValue = regression || !Number.isInteger(p.label);
      const rgb = asValue ? divergingRgb(Math.max(-1, Math.min(1, p.label))) : CLASS_RGB[p.label % CLASS_RGB.length];
      ctx.fillStyle = `rgb(${rgb.join(",")})`;
      ctx.strokeStyle = p.split === "train" ? "#fff" : "#000";
      ctx.beginPath();
      ctx.arc(a.X(p.x), a.Y(p.y), POINT_RADIUS, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
  }

  /** Hover at (x, y) CSS px, or nowhere (x null): the plane point, the output there, a point's label. */
  hover(x, y) {
    let text = null;
    const a = this.input && this.area();
    if (x !== null && a && x >= a.x && x <= a.x + a.side && y >= a.y && y <= a.y + a.side) {
      const [px, py] = [a.planeX(x), a.planeY(y)];
      text = `x₁ ${px.toFixed(2)}, x₂ ${py.toFixed(2)}`;
      const d = this.drawn;
      if (d.values) {
        const [n, m] = d.shape;
        const [low, high] = this.input.extent;
        const col = Math.round(((px - low) / (high - low)) * (m - 1));
        const row = Math.round(((py - low) / (high - low)) * (n - 1));
        const v = d.values[row * m + col];
        text += `\noutput ${Number.isFinite(v) ? (d.kind === "class" ? `class ${v}` : v.toFixed(3)) : "non-finite"}`;
      }
      const near = this.points().find((p) => Math.hypot(a.X(p.x) - x, a.Y(p.y) - y) <= HIT_PX);
      if (near) text += `\n${near.split} point (${near.x.toFixed(2)}, ${near.y.toFixed(2)}): ${this.input.nClasses === 0 ? "target" : "class"} ${Number.isInteger(near.label) ? near.label : near.label.toFixed(3)}`;
    }
    showTip(this.tip, this.element, text, x, y);
  }
}
