// What the network view shows, in diagram units and without the DOM: columns of neurons, one
// link per drawn weight (its sign, its width relative to the largest or on a log scale, its hover
// text), labels, and boxes.
// Column k sits at x = k; units are spaced along y, the first on top.

import { layerView } from "../layers/index.js";
import { decode } from "../packed.js";

const MAX_NODES = 12; // a wider layer shows its first 6 and last 5 units, and says so
const MAX_COLUMNS = 13; // a deeper net shows its first 6 and last 6 columns, and says so
const HEAD_COLUMNS = 6; // even: the gap's slot falls where a label is drawn when every other is
const DECADES = 6; // log link widths span this many orders of magnitude below the largest

/** Which units of an n-wide layer are drawn. */
function drawnUnits(n) {
  if (n <= MAX_NODES) return [...Array(n).keys()];
  return [...Array(6).keys(), ...Array.from({ length: 5 }, (_, k) => n - 5 + k)];
}

/** Where each of n columns sits along x (null: not drawn), how many x slots there are, and
 * the slot that stands for the columns not drawn ({x, from, to}, or null when all are drawn). */
function columnSlots(n) {
  if (n <= MAX_COLUMNS) return { xOf: [...Array(n).keys()], slots: n, gap: null };
  const tail = MAX_COLUMNS - HEAD_COLUMNS - 1;
  const xOf = Array.from({ length: n }, (_, k) => (k < HEAD_COLUMNS ? k : k >= n - tail ? k - (n - tail) + HEAD_COLUMNS + 1 : null));
  return { xOf, slots: MAX_COLUMNS, gap: { x: HEAD_COLUMNS, from: HEAD_COLUMNS, to: n - tail - 1 } };
}

/** Columns of the diagram: inputs (every feature offered, `unitOfRow`: the unit fed to each row of
 * the first W), then one per entry whose kind has a column of its own; the others (batch norm) tag
 * the column before. */
function columnsOf(layers, inputs) {
  const unitOfRow = [];
  inputs.forEach((f, j) => { if (f.row >= 0) unitOfRow[f.row] = j; });
  const columns = [{ label: "inputs", units: inputs.length, inputs, unitOfRow, entry: null, tags: [], subtitle: "" }];
  const columnOfEntry = [];
  layers.forEach((l, i) => {
    const view = layerView(l.kind);
    const previous = columns[columns.length - 1];
    if (view.column) columns.push(view.column(l, i, previous));
    else previous.tags.push(view.tag);
    columnOfEntry[i] = columns.length - 1;
  });
  return { columns, columnOfEntry };
}

/** What the links show of parameter `p` in each mode: weights W, gradients dL/dW, updates ΔW. */
const linkLabel = (mode, p) => ({ weights: p, grads: `dL/d${p}`, updates: `Δ${p}` })[mode];

/** A link's width in 0..1 for |v| against `largest`, the largest finite magnitude in view:
 * `relative` |v| / largest (dominant weights stand out); `log` 0 at DECADES below the largest,
 * 1 at it (tiny values still show: vanishing gradients). Zero and non-finite values: 0. */
function linkWidth(v, largest, widthScale) {
  const m = Math.abs(v);
  if (!(m > 0) || !Number.isFinite(m)) return 0;
  if (widthScale === "relative") return Math.min(1, m / largest);
  return Math.max(0, Math.min(1, (Math.log10(m / largest) + DECADES) / DECADES));
}

/** What the link widths mean, said in words for the panel. */
function widthNote(widthScale, largest, mode, param) {
  const what = `|${linkLabel(mode, param)}|`;
  if (!(largest > 0)) return `Link width: every ${what} in view is 0.`;
  if (widthScale === "relative") return `Link width ∝ ${what}, relative to the largest in view (${largest.toPrecision(3)}).`;
  return `Link width ∝ log₁₀ ${what}, over ${DECADES} decades: ${(largest / 10 ** DECADES).toPrecision(3)} to ${largest.toPrecision(3)}.`;
}

const show = (v) => (v === null || v === undefined ? "—" : Number.isFinite(v) ? v.toPrecision(4) : "non-finite");

/**
 * The scene for a trace's `layers` and a frame's `detail`:
 * {columns, half, links: [{cd: [layer, row, column], param, x0, y0, x1, y1, x, y, value, width, text}],
 *  neurons: [{column, unit, x, y, value, text, feature? (an input's {name, label, row})}], scale, labels: [{x, y, text, always?, size? (px)}],
 *  rects: [{kind: "phase"|"highlight", x0, x1}], caption, summary, widthNote, slots (x runs over 0 .. slots − 1),
 *  xOf: each column's x (null: not drawn)}
 * A net deeper than MAX_COLUMNS columns is drawn as its first and last columns around one slot
 * that stands for the rest (their links and neurons are not drawn; the summary says which).
 * `mode` picks the links' tensor (weights | grads | updates), `neuronMode` the neurons' mean
 * (neuron_act | neuron_signal), `widthScale` the links' widths (relative | log); `phase` and
 * `highlight` (layer names) add boxes.
 */
export function networkScene(layers, detail, inputs, { mode, neuronMode, widthScale = "relative", phase = null, highlight = null }) {
  const { columns, columnOfEntry } = columnsOf(layers, inputs);
  const { xOf, slots, gap } = columnSlots(columns.length);
  const xOfEntry = (i) => xOf[columnOfEntry[i]] ?? gap.x;
  const widest = Math.min(MAX_NODES, Math.max(...columns.map((c) => c.units)));
  const spacing = widest > 8 ? 1 : 1.4;
  const y = (j, n) => ((Math.min(n, MAX_NODES) - 1) / 2 - drawnUnits(n).indexOf(j)) * spacing;
  const half = ((widest - 1) / 2) * spacing;

  const matrices = [];
  for (const [i, l] of layers.entries()) {
    const view = layerView(l.kind);
    if (!view.links || xOf[columnOfEntry[i]] === null || xOf[columnOfEntry[i] - 1] === null) continue;
    const t = detail.layers[i][mode];
    const decoded = decode(t.values);
    const rows = t.summarized ? t.summarized.rows : [...Array(t.shape[0]).keys()];
    const cols = t.summarized ? t.summarized.cols : [...Array(t.shape[1]).keys()];
    matrices.push({ i, param: view.params[0], decoded, rows, cols });
  }
  const links = [];
  for (const m of matrices) {
    const to = columnOfEntry[m.i];
    const fanIn = columns[to - 1].units;
    const fanOut = columns[to].units;
    const drawnIn = new Set(drawnUnits(fanIn));
    const drawnOut = new Set(drawnUnits(fanOut));
    const unitOf = columns[to - 1].unitOfRow ?? null; // the inputs: a row's feature sits among all offered
    const width = m.decoded.shape[1];
    m.rows.forEach((r, ri) => {
      const from = unitOf ? unitOf[r] : r;
      if (!drawnIn.has(from)) return;
      m.cols.forEach((c, ci) => {
        if (!drawnOut.has(c)) return;
        const value = m.decoded.values[ri * width + ci];
        const [x0, y0, x1, y1] = [xOf[to - 1], y(from, fanIn), xOf[to], y(c, fanOut)];
        const t = 0.3 + (0.4 * (ci + 0.5)) / m.cols.length; // a distinct point on each link
        links.push({ cd: [m.i, r, c], param: m.param, x0, y0, x1, y1, x: x0 + t * (x1 - x0), y: y0 + t * (y1 - y0), value,
          text: `${layers[m.i].name} ${m.param}[${r}, ${c}]\n${linkLabel(mode, m.param)} = ${show(value)}` });
      });
    });
  }
  const largest = links.reduce((top, l) => (Number.isFinite(l.value) ? Math.max(top, Math.abs(l.value)) : top), 0);
  for (const l of links) l.width = linkWidth(l.value, largest, widthScale);

  const neurons = [];
  const notes = [];
  let scale = 0;
  columns.forEach((col, k) => {
    if (xOf[k] === null) return;
    const values = col.entry === null ? null : detail.layers[col.entry][neuronMode];
    for (const j of drawnUnits(col.units)) {
      const value = values ? values[j] ?? null : null;
      if (value !== null && Number.isFinite(value)) scale = Math.max(scale, Math.abs(value));
      const feature = col.inputs?.[j];
      const text = feature ? `input ${feature.label}: ${feature.row >= 0 ? "fed to the net" : "off"}`
        : `${col.label} unit ${j}\n${neuronMode === "neuron_act" ? "mean a" : "mean dL/da"} = ${show(value)}`;
      neurons.push({ column: k, unit: j, x: xOf[k], y: y(j, col.units), value, text, ...(feature && { feature }) });
    }
    if (col.units > MAX_NODES) notes.push(`${col.label}: ${col.units} units, ${MAX_NODES - 1} drawn`);
  });

  const labels = columns.flatMap((col, k) => (xOf[k] === null ? [] : [{ x: xOf[k], y: -half - 0.7,
    text: `${col.label}${col.tags.map((t) => `+${t}`).join("")}${col.subtitle ? `\n${col.subtitle}` : ""}` }]));
  if (gap) {
    const skipped = gap.to - gap.from + 1;
    labels.push({ x: gap.x, y: 0.45, text: "⋯", always: true, size: 24 },
      { x: gap.x, y: -half - 0.7, text: `${skipped} more`, always: true });
    notes.unshift(`${columns[gap.from].label} to ${columns[gap.to].label} (${skipped} of ${columns.length - 1} layers) not drawn`);
  }
  const rects = [];
  let caption = null;
  if (phase) caption = phaseBox(phase, xOfEntry, slots, rects);
  if (highlight) {
    const boxed = new Set(layers.flatMap((l, i) => (highlight.includes(l.name) ? [xOfEntry(i)] : [])));
    for (const x of boxed) rects.push({ kind: "highlight", x0: x - 0.45, x1: x + 0.45 });
  }
  const note = widthNote(widthScale, largest, mode, matrices[0]?.param ?? "W");
  return { columns, half, links, neurons, scale, labels, rects, caption, summary: notes.join("; "), widthNote: note, slots, xOf };
}

/** Adds the box of a step-through phase to `rects` (xOfEntry: an entry's slot, of `slots`);
 * returns its caption. */
function phaseBox(phase, xOfEntry, nColumns, rects) {
  if (phase.phase === "update") {
    rects.push({ kind: "phase", x0: -0.5, x1: nColumns - 0.5, color: "rgba(0,158,115,0.10)" });
    return "update: every weight moves by ΔW";
  }
  if (phase.phase === "loss") {
    rects.push({ kind: "phase", x0: nColumns - 1.5, x1: nColumns - 0.5, color: "rgba(213,94,0,0.12)" });
    return "loss: compare the output with the labels";
  }
  const c = xOfEntry(phase.layer);
  const forward = phase.phase === "forward";
  rects.push({ kind: "phase", x0: c - 0.5, x1: c + 0.5, color: forward ? "rgba(0,114,178,0.12)" : "rgba(213,94,0,0.12)" });
  return forward ? `forward → ${phase.layer_name}` : `← backward ${phase.layer_name}`;
}
