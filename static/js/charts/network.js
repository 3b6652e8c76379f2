// The network view, painted on a canvas: a deep net has thousands of links, which took Plotly's
// SVG over 100 ms a frame and a canvas takes a few. Links are coloured by sign and as wide as their
// magnitude (relative to the largest in view, or on a log scale); neurons show their mean or their
// map, inputs their feature's map (faded when off). Hovering names a link or a neuron; what a click
// or a hover does beyond that is the page's (the on* handlers).

import { decode } from "../packed.js";
import { divergingRgb, NEGATIVE, POSITIVE, WARN } from "../palette.js";
import { canvasIn, fitCanvas, FONT, INK, showTip } from "./canvas.js";
import { featureMap, hiddenUnitMap, mapImage } from "./mapviews.js";
import { networkScene } from "./networkscene.js";

const MARGIN = 6; // px
const LABELS_PX = 25; // px under the lowest neuron: a layer's two-line label ("dense1", "tanh")
const RADIUS = 11; // px, a neuron
const NAMES_PX = 40; // room for the input features' names, left of the diagram
const MAP_SIZE = 0.62; // a neuron map's side, in diagram units (at most 3 radii)
const LEVELS = 6; // link widths are painted in this many steps (one path per sign and step)
const HIT_PX = 5; // a pointer this close to a link hovers it
const NEG = NEGATIVE;
const POS = POSITIVE;
const NONFINITE = WARN;
const LUT = Uint8Array.from([...Array(255).keys()].flatMap((k) => divergingRgb(k / 127 - 1)).concat(divergingRgb(NaN)));

/** Every unit's map in one canvas, a grid of (rows, cols) tiles, orange below 0 and blue above, all
 * on one scale so that maps compare: the median of the maps' largest |value|s (beyond it a map
 * takes the end colours, so a few large units do not wash the rest out): {canvas, tiles: Map
 * "column:unit" -> [sx, sy], n, m, scale}. One canvas, since one per unit cost ms each. */
function mapAtlas(maps) {
  const [n, m] = [maps.y.length, maps.x.length];
  const across = Math.ceil(Math.sqrt(maps.units.length)) || 1;
  const canvas = document.createElement("canvas");
  canvas.width = across * m;
  canvas.height = Math.ceil(maps.units.length / across) * n || 1;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(canvas.width, canvas.height);
  const tiles = new Map();
  const all = maps.maps.map((map) => decode(map).values);
  const largest = all.map((values) => values.reduce((s, v) => (Number.isFinite(v) ? Math.max(s, Math.abs(v)) : s), 0));
  const scale = largest.sort((p, q) => p - q)[Math.floor((largest.length - 1) / 2)] ?? 0;
  maps.units.forEach(([k, unit], u) => {
    const [sx, sy] = [(u % across) * m, Math.floor(u / across) * n];
    tiles.set(`${k + 1}:${unit}`, [sx, sy]); // hidden block k is column k + 1
    const values = all[u];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        const v = values[(n - 1 - i) * m + j] / (scale || 1); // row 0 is the lowest y: the bottom
        const c = Number.isFinite(v) ? 3 * Math.round((Math.max(-1, Math.min(1, v)) + 1) * 127) : 3 * 255;
        const o = 4 * ((sy + i) * canvas.width + sx + j);
        img.data[o] = LUT[c];
        img.data[o + 1] = LUT[c + 1];
        img.data[o + 2] = LUT[c + 2];
        img.data[o + 3] = 255;
      }
    }
  });
  ctx.putImageData(img, 0, 0);
  return { canvas, tiles, n, m, scale };
}

/** Distance from (px, py) to the segment (ax, ay)–(bx, by). */
function segmentDistance(px, py, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

export class NetworkChart {
  constructor(element) {
    this.element = element;
    this.mode = "weights"; // weights | grads | updates
    this.neuronMode = "neuron_act"; // neuron_act | neuron_signal
    this.widthScale = "relative"; // relative | log: the links' widths
    this.showMaps = true;
    this.summary = "";
    this.scene = null; // what was drawn last (read by tests)
    this.detail = null; // and the detail it was drawn from
    this.hovered = null; // the scene's link or neuron under the pointer
    this.pointer = null; // where the pointer is on the canvas, in CSS px
    this.mapSource = null; // the frame's neuron maps as sent
    this.atlas = null; // and rendered, once
    this.featureMaps = null; // the catalog's input feature maps, {name: rows}
    this.featureImages = new Map(); // and rendered, once: name -> canvas
    this.previewKey = null; // "column:unit" of the neuron whose map was last offered to onNeuronHover
    this.previewSource = null; // and the maps it came from
    this.onLinkClick = null; // (link, x, y CSS px): a click on a link
    this.readOnly = false; // a trace on view: its links and inputs offer no click
    this.onInputClick = null; // (feature {name, label, row}): a click on an input feature
    this.onNeuronHover = null; // ({title, values, n, m, scale} or null): the map of the neuron under the pointer
    this.onPaint = null; // (columns: [{column, x (CSS px)}]): where each drawn column sits, after each paint
    Object.assign(this, canvasIn(this));
    this.canvas.addEventListener("click", (e) => {
      this.hover(e.offsetX, e.offsetY);
      if (this.hovered?.cd) this.onLinkClick?.(this.hovered, e.offsetX, e.offsetY);
      if (this.hovered?.feature) this.onInputClick?.(this.hovered.feature);
    });
  }

  /** Draw layers (the trace's `layers`), a detail, the inputs (schema.inputFeatures), the neuron
   * maps and the phase highlight. */
  draw(layers, detail, inputs, maps, phase, highlight = null) {
    if (!layers.length || !detail) return;
    this.scene = networkScene(layers, detail, inputs, { mode: this.mode, neuronMode: this.neuronMode, widthScale: this.widthScale, phase, highlight });
    this.summary = this.scene.summary;
    this.detail = detail;
    if (this.mapSource !== maps) { // maps come with heavy frames; render them once, not each draw
      this.mapSource = maps;
      this.atlas = null;
    }
    this.hover(this.pointer?.x ?? null, this.pointer?.y); // the value under a still pointer changes too
  }

  /** Diagram units -> CSS px for the canvas's size: {X, Y, unit (px per diagram unit)}. */
  transform(width, height) {
    const { slots, half } = this.scene;
    const [x0, x1, top, bottom] = [-0.5, slots - 0.4, half + 0.8, -half - 0.7]; // bottom: the labels' top
    const left = MARGIN + NAMES_PX; // the inputs' names go left of their column
    const sx = (width - left - MARGIN) / (x1 - x0);
    const sy = (height - 2 * MARGIN - LABELS_PX) / (top - bottom);
    return { X: (x) => left + (x - x0) * sx, Y: (y) => MARGIN + (top - y) * sy, unit: Math.min(sx, sy) };
  }

  /** The map of a scene neuron, {title, values, n, m, scale}, or null: an input's feature over the
   * plane, a hidden unit's output. */
  mapOf(neuron) {
    if (neuron.feature) return this.featureMaps?.[neuron.feature.name] ? featureMap(this.featureMaps, neuron.feature.name, `input ${neuron.feature.label}`) : null;
    const column = this.scene.columns[neuron.column];
    return hiddenUnitMap(this.mapSource, neuron.column - 1, neuron.unit, `${column.label} unit ${neuron.unit}`);
  }

  /** Paints an input feature's map in a square of `side` px centred on (x, y), faded when it is off. */
  paintFeature(ctx, feature, x, y, side) {
    if (!this.featureImages.has(feature.name)) this.featureImages.set(feature.name, mapImage(featureMap(this.featureMaps, feature.name, "")));
    ctx.globalAlpha = feature.row >= 0 ? 1 : 0.3;
    ctx.drawImage(this.featureImages.get(feature.name), x - side / 2, y - side / 2, side, side);
    ctx.globalAlpha = 1;
    ctx.setLineDash(feature.row >= 0 ? [] : [3, 2]);
    ctx.strokeRect(x - side / 2, y - side / 2, side, side);
    ctx.setLineDash([]);
    this.paintInputName(ctx, feature, x - side / 2 - 4, y);
  }

  /** Writes an input's name (a feature, or a sequence's channel) ending at (right, y), grey when off. */
  paintInputName(ctx, feature, right, y) {
    ctx.fillStyle = feature.row >= 0 ? INK : "#8a93a3";
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    ctx.font = `11px ${FONT}`;
    ctx.fillText(feature.label, right, y);
  }

  /** Paints the unit's map in a square of `side` px centred on (x, y); false if it has none. */
  paintMap(ctx, column, unit, x, y, side) {
    if (!this.showMaps || !this.mapSource || column === 0) return false;
    this.atlas ??= mapAtlas(this.mapSource);
    const tile = this.atlas.tiles.get(`${column}:${unit}`);
    if (!tile) return false;
    ctx.drawImage(this.atlas.canvas, tile[0], tile[1], this.atlas.m, this.atlas.n, x - side / 2, y - side / 2, side, side);
    ctx.strokeRect(x - side / 2, y - side / 2, side, side);
    return true;
  }

  paint() {
    const s = this.scene;
    const ctx = s && fitCanvas(this.canvas, this.element);
    if (!ctx) return;
    const [width, height] = [this.element.clientWidth, this.element.clientHeight];
    const t = this.transform(width, height);
    for (const r of s.rects) {
      if (r.kind !== "phase") continue;
      ctx.fillStyle = r.color;
      ctx.fillRect(t.X(r.x0), MARGIN, t.X(r.x1) - t.X(r.x0), height - 2 * MARGIN);
    }
    this.paintLinks(ctx, t);
    this.paintNeurons(ctx, t);
    ctx.setLineDash([4, 3]);
    ctx.strokeStyle = NONFINITE;
    ctx.lineWidth = 2;
    for (const r of s.rects) {
      if (r.kind === "highlight") ctx.strokeRect(t.X(r.x0), MARGIN + 1, t.X(r.x1) - t.X(r.x0), height - 2 * MARGIN - 2);
    }
    ctx.setLineDash([]);
    ctx.fillStyle = INK;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const spacing = t.X(1) - t.X(0);
    const size = spacing < 56 ? 9 : 10; // px: narrow columns: "dense10" must fit
    const every = Math.ceil(44 / spacing); // and very narrow ones are labelled every few columns
    for (const l of s.labels) {
      ctx.font = `${l.size ?? size}px ${FONT}`;
      if (l.always || l.x % every === 0) l.text.split("\n").forEach((line, k) => ctx.fillText(line, t.X(l.x), t.Y(l.y) + 12 * k));
    }
    if (s.caption) {
      ctx.font = `12px ${FONT}`;
      ctx.fillText(s.caption, width / 2, MARGIN);
    }
    this.onPaint?.(s.columns.flatMap((c, k) => (s.xOf[k] === null ? [] : [{ column: k, x: t.X(s.xOf[k]) }])));
  }

  paintLinks(ctx, t) {
    const groups = new Map(); // one path per colour and width step
    for (const link of this.scene.links) {
      const level = Math.min(LEVELS - 1, Math.floor(link.width * LEVELS));
      const key = Number.isFinite(link.value) ? `${link.value < 0 ? 0 : 1}:${level}` : "nonfinite";
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(link);
    }
    for (const [key, links] of groups) {
      const [sign, level] = key.split(":").map(Number);
      ctx.beginPath();
      for (const l of links) {
        ctx.moveTo(t.X(l.x0), t.Y(l.y0));
        ctx.lineTo(t.X(l.x1), t.Y(l.y1));
      }
      ctx.strokeStyle = key === "nonfinite" ? NONFINITE : sign ? POS : NEG;
      ctx.globalAlpha = key === "nonfinite" ? 1 : 0.25 + (0.65 * level) / (LEVELS - 1);
      ctx.lineWidth = key === "nonfinite" ? 2 : 0.6 + 0.8 * level;
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    const h = this.hovered;
    if (h?.cd) {
      ctx.beginPath();
      ctx.moveTo(t.X(h.x0), t.Y(h.y0));
      ctx.lineTo(t.X(h.x1), t.Y(h.y1));
      ctx.strokeStyle = INK;
      ctx.lineWidth = 2.5;
      ctx.stroke();
    }
  }

  paintNeurons(ctx, t) {
    const { neurons, scale } = this.scene;
    const side = Math.min(MAP_SIZE * t.unit, 3 * RADIUS);
    ctx.lineWidth = 1;
    for (const n of neurons) {
      const [x, y] = [t.X(n.x), t.Y(n.y)];
      ctx.strokeStyle = n === this.hovered ? INK : "#555";
      ctx.lineWidth = n === this.hovered ? 2.5 : 1;
      if (n.feature && this.featureMaps?.[n.feature.name]) {
        this.paintFeature(ctx, n.feature, x, y, side);
        continue;
      }
      if (this.paintMap(ctx, n.column, n.unit, x, y, side)) continue;
      const v = n.value === null ? 0 : Number.isFinite(n.value) ? n.value / (scale || 1) : NaN;
      ctx.fillStyle = `rgb(${divergingRgb(v).join(",")})`;
      ctx.beginPath();
      ctx.arc(x, y, RADIUS, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
      if (n.feature) this.paintInputName(ctx, n.feature, x - RADIUS - 4, y);
    }
  }

  /** The neuron or link at (x, y) CSS px, or null: a neuron first, then the nearest link, ties
   * going to the link whose marked point is nearest. */
  hit(x, y) {
    const t = this.transform(this.element.clientWidth, this.element.clientHeight);
    const reach = Math.max(RADIUS, Math.min(MAP_SIZE * t.unit, 3 * RADIUS) / 2);
    const neuron = this.scene.neurons.find((n) => Math.abs(t.X(n.x) - x) <= reach && Math.abs(t.Y(n.y) - y) <= reach);
    if (neuron) return neuron;
    let best = null;
    let bestScore = Infinity;
    for (const l of this.scene.links) {
      const d = segmentDistance(x, y, t.X(l.x0), t.Y(l.y0), t.X(l.x1), t.Y(l.y1));
      if (d > HIT_PX) continue;
      const score = Math.round(d * 2) * 1e6 + Math.hypot(t.X(l.x) - x, t.Y(l.y) - y);
      if (score < bestScore) [best, bestScore] = [l, score];
    }
    return best;
  }

  /** Hover at (x, y) CSS px on the canvas, or nowhere (x null): tooltip, emphasis, cursor. */
  hover(x, y) {
    this.pointer = x === null || !this.scene ? null : { x, y };
    this.hovered = this.pointer ? this.hit(x, y) : null;
    const h = this.hovered;
    const editable = !this.readOnly && (h?.cd || h?.feature);
    this.canvas.style.cursor = editable ? "pointer" : "";
    const action = !editable ? "" : h.cd ? "\nclick: explain, or set its value" : `\nclick: ${h.feature.row >= 0 ? "take it out" : "feed it to the net"}`;
    showTip(this.tip, this.element, h ? `${h.text}${action}` : null, x, y);
    this.offerPreview(h && !h.cd ? h : null);
    this.paint();
  }

  /** Tell onNeuronHover the map of the neuron under the pointer (null: none, or one without a
   * map) when it changes: another neuron, or new maps of the same one. */
  offerPreview(neuron) {
    const key = neuron && `${neuron.column}:${neuron.unit}`;
    const source = neuron && (neuron.feature ? this.featureMaps : this.mapSource);
    if (key === this.previewKey && source === this.previewSource) return;
    [this.previewKey, this.previewSource] = [key, source];
    this.onNeuronHover?.(neuron ? this.mapOf(neuron) : null);
  }
}
