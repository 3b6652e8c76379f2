// The network as Playground draws it: neurons in columns, links coloured by sign and as wide as
// their magnitude on a log scale (so 1e-6 and 1e-2 differ), grouped into a few traces by bucket.
// Shows W, dL/dW or the last ΔW; neurons coloured by mean activation or mean dL/da.

import { decode } from "../packed.js";
import { CLASS_COLORS, DIVERGING } from "../palette.js";

const MAX_NODES = 12; // a wider layer shows its first 6 and last 5 units, and says so
const MAX_MAPS = 48; // neuron maps drawn at most (each is an image)
const DECADES = 6; // link widths span this many orders of magnitude below the largest
const WIDTH_BUCKETS = 4;
const NEG = CLASS_COLORS[0];
const POS = CLASS_COLORS[1];

/** Which units of an n-wide layer are drawn. */
function drawnUnits(n) {
  if (n <= MAX_NODES) return [...Array(n).keys()];
  return [...Array(6).keys(), ...Array.from({ length: 5 }, (_, k) => n - 5 + k)];
}

/** Columns of the diagram: inputs, then one per dense entry; batch-norm entries join their dense. */
export function columnsOf(layers, features) {
  const columns = [{ label: "inputs", units: layers[0].fan_in, names: features, entry: null }];
  const columnOfEntry = [];
  layers.forEach((l, i) => {
    if (l.kind === "dense") {
      columns.push({ label: l.name, units: l.fan_out, entry: i, activation: l.activation, bn: false });
    } else {
      columns[columns.length - 1].bn = true;
    }
    columnOfEntry[i] = columns.length - 1;
  });
  return { columns, columnOfEntry };
}

function logWidth(v, top) {
  const m = Math.abs(v);
  if (!(m > 0) || !Number.isFinite(m)) return 0;
  return Math.max(0, Math.min(1, (Math.log10(m) - (top - DECADES)) / DECADES));
}

function mapImage(values, shape) {
  const [n, m] = shape;
  const canvas = document.createElement("canvas");
  canvas.width = m;
  canvas.height = n;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(m, n);
  let scale = 0;
  for (const v of values) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  scale = scale || 1;
  const neg = [230, 159, 0];
  const pos = [0, 114, 178];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const v = values[(n - 1 - i) * m + j] / scale; // row 0 is y = −6: draw it at the bottom
      const c = v < 0 ? neg : pos;
      const t = Math.min(1, Math.abs(v));
      const o = 4 * (i * m + j);
      for (let k = 0; k < 3; k++) img.data[o + k] = Math.round(247 + (c[k] - 247) * t);
      img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
  return canvas.toDataURL();
}

export class NetworkChart {
  constructor(element, onWeightClick) {
    this.element = element;
    this.mode = "weights"; // weights | grads | updates
    this.neuronMode = "neuron_act"; // neuron_act | neuron_signal
    this.showMaps = true;
    this.summary = "";
    Plotly.newPlot(element, [], { margin: { l: 4, r: 4, t: 4, b: 4 } }, { displayModeBar: false, responsive: true });
    element.on("plotly_click", (e) => {
      const p = e.points.find((q) => q.customdata && q.customdata.length === 3);
      if (p) onWeightClick(...p.customdata);
    });
  }

  /** Draw layers (the trace's `layers`), a detail, the neuron maps and the phase highlight. */
  draw(layers, detail, features, maps, phase, highlight = null) {
    if (!layers.length || !detail) return;
    const { columns, columnOfEntry } = columnsOf(layers, features);
    const widest = Math.min(MAX_NODES, Math.max(...columns.map((c) => c.units)));
    const y = (j, n) => (drawnUnits(n).indexOf(j) - (Math.min(n, MAX_NODES) - 1) / 2) * (widest > 8 ? 1 : 1.4);
    const notes = [];
    // links, by sign and width bucket
    const matrices = [];
    let top = -Infinity;
    for (const [i, l] of layers.entries()) {
      if (l.kind !== "dense") continue;
      const t = detail.layers[i][this.mode];
      const decoded = decode(t.values);
      const rows = t.summarized ? t.summarized.rows : [...Array(t.shape[0]).keys()];
      const cols = t.summarized ? t.summarized.cols : [...Array(t.shape[1]).keys()];
      matrices.push({ i, decoded, rows, cols, width: decoded.shape[1] });
      for (const v of decoded.values) if (Number.isFinite(v) && v !== 0) top = Math.max(top, Math.log10(Math.abs(v)));
    }
    const buckets = [];
    for (let s = 0; s < 2; s++) for (let b = 0; b < WIDTH_BUCKETS; b++) buckets.push({ x: [], y: [], s, b });
    const mid = { x: [], y: [], text: [], customdata: [] };
    for (const m of matrices) {
      const to = columnOfEntry[m.i];
      const from = to - 1;
      const fanIn = columns[from].units;
      const fanOut = columns[to].units;
      const drawnIn = new Set(drawnUnits(fanIn));
      const drawnOut = new Set(drawnUnits(fanOut));
      m.rows.forEach((r, ri) => {
        if (!drawnIn.has(r)) return;
        m.cols.forEach((c, ci) => {
          if (!drawnOut.has(c)) return;
          const v = m.decoded.values[ri * m.width + ci];
          const w = logWidth(v, top);
          const bucket = buckets[(v < 0 ? 0 : 1) * WIDTH_BUCKETS + Math.min(WIDTH_BUCKETS - 1, Math.floor(w * WIDTH_BUCKETS))];
          const [x0, y0, x1, y1] = [from, y(r, fanIn), to, y(c, fanOut)];
          bucket.x.push(x0, x1, null);
          bucket.y.push(y0, y1, null);
          const t = 0.3 + (0.4 * (ci + 0.5)) / m.cols.length; // a distinct point on each link
          mid.x.push(x0 + t * (x1 - x0));
          mid.y.push(y0 + t * (y1 - y0));
          mid.text.push(`${layers[m.i].name} W[${r}, ${c}]<br>${this.label()} = ${Number.isFinite(v) ? v.toPrecision(4) : "non-finite"}`);
          mid.customdata.push([m.i, r, c]);
        });
      });
    }
    const traces = buckets.filter((b) => b.x.length).map((b) => ({
      type: "scatter", mode: "lines", x: b.x, y: b.y, hoverinfo: "skip", showlegend: false,
      line: { color: b.s ? POS : NEG, width: 0.6 + 1.3 * b.b },
      opacity: 0.25 + 0.22 * b.b,
    }));
    traces.push({ type: "scatter", mode: "markers", x: mid.x, y: mid.y, text: mid.text, customdata: mid.customdata,
      hovertemplate: "%{text}<extra>click: explain</extra>", marker: { size: 7, color: "rgba(0,0,0,0.02)" }, showlegend: false,
      name: "links" });
    // neurons
    const nx = [];
    const ny = [];
    const nc = [];
    const nt = [];
    let scale = 0;
    columns.forEach((col, k) => {
      const values = col.entry === null ? null : detail.layers[col.entry][this.neuronMode];
      for (const j of drawnUnits(col.units)) {
        nx.push(k);
        ny.push(y(j, col.units));
        const v = values ? values[j] : null;
        nc.push(v ?? 0);
        if (v !== null && v !== undefined) scale = Math.max(scale, Math.abs(v));
        nt.push(col.entry === null ? `input ${col.names[j] ?? j}` : `${col.label} unit ${j}<br>${this.neuronMode === "neuron_act" ? "mean a" : "mean dL/da"} = ${v === null || v === undefined ? "—" : v.toPrecision(4)}`);
      }
      if (col.units > MAX_NODES) notes.push(`${col.label}: ${col.units} units, ${MAX_NODES - 1} drawn`);
    });
    traces.push({ type: "scatter", mode: "markers", x: nx, y: ny, text: nt, hovertemplate: "%{text}<extra></extra>",
      marker: { size: 22, color: nc, colorscale: DIVERGING, cmin: -(scale || 1), cmax: scale || 1,
        line: { color: "#555", width: 1 } }, showlegend: false, name: "neurons" });
    const annotations = columns.map((col, k) => ({
      x: k, y: -((Math.min(MAX_NODES, widest) - 1) / 2) * (widest > 8 ? 1 : 1.4) - 1.1, showarrow: false,
      text: `${col.label}${col.bn ? "+BN" : ""}${col.activation && col.activation !== "linear" ? `<br>${col.activation}` : ""}`, font: { size: 10 },
    }));
    const shapes = [];
    if (phase) this.highlight(phase, columnOfEntry, columns.length, widest, shapes, annotations);
    if (highlight) {
      const half = ((widest - 1) / 2) * (widest > 8 ? 1 : 1.4) + 1.2;
      columns.forEach((col, k) => {
        if (col.entry !== null && highlight.includes(layers[col.entry].name)) {
          shapes.push({ type: "rect", x0: k - 0.45, x1: k + 0.45, y0: -half, y1: half, line: { color: "#d55e00", width: 2, dash: "dot" } });
        }
      });
    }
    const images = this.showMaps && maps ? this.mapImages(maps, columns, y) : [];
    this.summary = notes.join("; ");
    const half = ((widest - 1) / 2) * (widest > 8 ? 1 : 1.4) + 1.6;
    Plotly.react(this.element, traces, {
      margin: { l: 4, r: 4, t: 4, b: 4 }, uirevision: "network", hovermode: "closest",
      xaxis: { visible: false, range: [-0.6, columns.length - 0.4] },
      yaxis: { visible: false, range: [-half, half - 0.8] }, shapes, annotations, images,
      plot_bgcolor: "#fff",
    });
  }

  label() {
    return { weights: "W", grads: "dL/dW", updates: "ΔW" }[this.mode];
  }

  mapImages(maps, columns, y) {
    if (this.cachedMaps !== maps) { // render each map once per heavy frame, not once per draw
      this.cachedMaps = maps;
      this.mapSources = new Map();
    }
    const images = [];
    const shape = [maps.y.length, maps.x.length];
    maps.units.forEach(([k, unit], m) => {
      const col = k + 1; // hidden block k is column k + 1
      if (!columns[col] || !drawnUnits(columns[col].units).includes(unit) || images.length >= MAX_MAPS) return;
      if (!this.mapSources.has(m)) this.mapSources.set(m, mapImage(decode(maps.maps[m]).values, shape));
      images.push({ source: this.mapSources.get(m), xref: "x", yref: "y", x: col, y: y(unit, columns[col].units),
        sizex: 0.62, sizey: 0.62, sizing: "contain", xanchor: "center", yanchor: "middle", layer: "above", opacity: 0.95 });
    });
    return images;
  }

  highlight(phase, columnOfEntry, nColumns, widest, shapes, annotations) {
    const half = ((widest - 1) / 2) * (widest > 8 ? 1 : 1.4) + 1.2;
    const box = (x0, x1, color) => shapes.push({ type: "rect", x0, x1, y0: -half, y1: half, fillcolor: color,
      line: { width: 0 }, layer: "below" });
    let text;
    if (phase.phase === "update") {
      box(-0.5, nColumns - 0.5, "rgba(0,158,115,0.10)");
      text = "update: every weight moves by ΔW";
    } else if (phase.phase === "loss") {
      box(nColumns - 1.5, nColumns - 0.5, "rgba(213,94,0,0.12)");
      text = "loss: compare the output with the labels";
    } else {
      const c = columnOfEntry[phase.layer];
      box(c - 0.5, c + 0.5, phase.phase === "forward" ? "rgba(0,114,178,0.12)" : "rgba(213,94,0,0.12)");
      text = phase.phase === "forward" ? `forward → ${phase.layer_name}` : `← backward ${phase.layer_name}`;
    }
    annotations.push({ x: (nColumns - 1) / 2, y: half - 0.2, text, showarrow: false, font: { size: 12, color: "#1d2330" } });
  }
}
