// Wires the page: transport -> state -> panels, and the controls back to the transport.

import { ClipNormChart } from "./charts/clipnorm.js";
import { DistributionOverTime } from "./charts/distribution.js";
import { FlowMap } from "./charts/flowmap.js";
import { HistogramGrid } from "./charts/histgrid.js";
import { HealthBadges } from "./health.js";
import { layerLegend, LayerSeriesChart } from "./charts/layerseries.js";
import { LossChart } from "./charts/loss.js";
import { NetworkChart } from "./charts/network.js";
import { OutputChart } from "./charts/output.js";
import { PhasePanel } from "./charts/phase.js";
import { Controls } from "./controls.js";
import { History } from "./history.js";
import { Panels } from "./panels.js";
import { diff, merge } from "./schema.js";
import { getState, setState, subscribe } from "./state.js";
import { fromTrace, TraceError, validateTrace } from "./trace.js";
import { Transport } from "./transport.js";

const $ = (selector) => document.querySelector(selector);
// acks pace the frames to the drawing; the panels that draw `detail` redraw a few times a second,
// so it comes only with the heavy parts (4 a second), not in every frame (docs/protocol.md)
const transport = new Transport(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws?ack=1&detail=heavy`);
const panels = new Panels();
const lossChart = new LossChart($("#chart-loss"));
const outputChart = new OutputChart($("#chart-output"));
let live = new History(); // the live run's every-step scalars
let controls = null;
let lostAtStep = null; // the step the last lost connection had reached
let resumeWhenVisible = false;
const MAX_TRACE_BYTES = 256 * 2 ** 20; // as engine/trace_loader.py
const READOUT_MS = 100; // the step counter and metrics are rewritten at most this often while playing
const PAUSE_HOLD_MS = 500; // longest a pause click holds the drawing while it waits for the reply
const stats = { framesApplied: 0, applyMs: [] }; // read by tests and bench/browser.py

// ---- panels ---------------------------------------------------------------------------------
/** What the panels show: the live run, or the imported trace at the chosen snapshot. */
function view() {
  const s = getState();
  if (s.replay) {
    const snapshot = s.replay.snapshots[s.replay.index];
    const detail = snapshot?.detail ?? null;
    return { history: s.replay.history, layers: s.replay.trace.layers, detail, config: s.replay.trace.config,
      grid: detail?.output_grid, maps: detail?.neuron_maps, points: s.replay.points, phase: null };
  }
  return { history: live, layers: s.layers, detail: s.detail, config: s.config, grid: s.grid, maps: s.maps,
    points: s.points, phase: s.phase };
}

const charts = {
  loss: lossChart,
  output: outputChart,
  network: new NetworkChart($("#chart-network"), (layer, row, column) => transport.send("explain", { layer, row, column, example: 0 })),
  phase: new PhasePanel($("#chart-phase"), $("#explain")),
  flow: new LayerSeriesChart($("#chart-flow"), { stat: "grad_norm", title: "‖dL/dW‖", log: true }),
  flowmap: new FlowMap($("#chart-flowmap")),
  ratio: new LayerSeriesChart($("#chart-ratio"), { stat: "update_ratio", title: "‖ΔW‖/‖W‖", log: true, reference: [1e-4, 1e-3, 1e-2] }),
  saturated: new LayerSeriesChart($("#chart-saturated"), { stat: "saturated_fraction", title: "saturated", yRange: [0, 1.05], empty: "no tanh or sigmoid layers" }),
  dead: new LayerSeriesChart($("#chart-dead"), { stat: "dead_fraction", title: "dead", yRange: [0, 1.05], empty: "no ReLU layers" }),
  clip: new ClipNormChart($("#chart-clip")),
  hist: new HistogramGrid($("#chart-hist")),
  dist: new DistributionOverTime($("#chart-dist")),
};

const mark = {
  loss: panels.add($("#panel-loss"), 300, () => lossChart.draw(view().history, getState().ghost)),
  output: panels.add($("#panel-output"), 300, () => {
    const v = view();
    if (v.config) outputChart.draw(v.grid, v.points, classesOf(v.config));
  }),
  network: panels.add($("#panel-network"), 300, () => {
    const v = view();
    if (!v.config || !v.layers.length) return;
    charts.network.draw(v.layers, v.detail, featureLabels(v.config), v.maps, v.phase, getState().highlight);
    $("#network-summary").textContent = charts.network.summary ? `Summarized: ${charts.network.summary}.` : "";
  }),
  flow: panels.add($("#chart-flow"), 500, () => charts.flow.draw(view().history, view().layers, getState().highlight)),
  flowmap: panels.add($("#chart-flowmap"), 500, () => charts.flowmap.draw(view().history, view().layers)),
  ratio: panels.add($("#panel-ratio"), 1000, () => charts.ratio.draw(view().history, view().layers, getState().highlight)),
  saturated: panels.add($("#panel-saturated"), 1000, () => charts.saturated.draw(view().history, view().layers, getState().highlight)),
  dead: panels.add($("#panel-dead"), 1000, () => charts.dead.draw(view().history, view().layers, getState().highlight)),
  clip: panels.add($("#panel-clip"), 1000, () => charts.clip.draw(view().history)),
  hist: panels.add($("#chart-hist"), 2000, () => {
    charts.hist.draw(view().layers, view().detail);
    $("#hist-note").textContent = charts.hist.note;
  }),
  dist: panels.add($("#chart-dist"), 2000, () => charts.dist.draw(view().history, view().layers)),
};
const badges = new HealthBadges($("#badges"), (layers) => setState({ highlight: layers }));

const markHistoryPanels = () => ["loss", "flow", "flowmap", "ratio", "saturated", "dead", "clip", "dist"].forEach((k) => mark[k]());

function featureLabels(config) {
  const labels = Object.fromEntries(getState().catalog.choices.features.map((f) => [f.name, f.label]));
  return config.dataset.features.map((f) => labels[f]);
}

function classesOf(config) {
  const spec = getState().catalog.choices.datasets.find((d) => d.name === config.dataset.name);
  return spec.task === "regression" ? 0 : config.dataset.n_classes;
}

// ---- what the page shows when the state changes -----------------------------------------------
subscribe((s, changed) => {
  if (["step", "epoch", "metrics", "replay", "status"].some((k) => changed.has(k))) {
    showReadouts(s.status !== "running" || changed.has("status") || changed.has("replay"));
  }
  if (changed.has("status") || changed.has("connection")) showStatus(s);
  if (changed.has("status") && s.status !== "running") panels.release();
  if (changed.has("historyVersion") || changed.has("replay")) markHistoryPanels();
  if (changed.has("ghost")) mark.loss();
  if (changed.has("grid") || changed.has("points") || changed.has("replay")) mark.output();
  if (changed.has("detail") || changed.has("maps") || changed.has("phase") || changed.has("replay")) {
    mark.network();
    mark.hist();
  }
  if (changed.has("layers") || changed.has("replay")) fillLayerSelect(view().layers);
  if (changed.has("layers") || changed.has("replay") || changed.has("highlight")) layerLegend($("#layer-legend"), view().layers, s.highlight);
  if (changed.has("config") && controls) controls.render(s.config);
  if (changed.has("phase") && s.phase) showPhase(s.phase);
  if (changed.has("health")) badges.draw(s.health);
  if (changed.has("highlight")) ["network", "flow", "ratio", "saturated", "dead"].forEach((k) => mark[k]());
  if (changed.has("catalog") && s.catalog) fillPresets(s.catalog.presets);
});

let readoutsDue = null; // a pending write of the step, epoch and metrics readouts

/** Write the step, epoch and metrics readouts: at once, or within READOUT_MS while training runs
 * (a counter changing 30 times a second cannot be read, and each change repaints the page). */
function showReadouts(now) {
  if (!now) {
    readoutsDue ??= setTimeout(() => showReadouts(true), READOUT_MS);
    return;
  }
  clearTimeout(readoutsDue);
  readoutsDue = null;
  const s = getState();
  const step = s.replay ? s.replay.snapshots[s.replay.index]?.step ?? 0 : s.step;
  $("#step").textContent = step.toLocaleString("en-US");
  $("#epoch").textContent = s.epoch.toLocaleString("en-US");
  if (s.metrics) $("#metrics").textContent = formatMetrics(s.metrics);
}

function showStatus(s) {
  const status = s.connection !== "open" ? s.connection : s.status;
  const badge = $("#status");
  badge.textContent = status === "diverged" && s.diverged
    ? `diverged: step ${s.diverged.step} refused (${s.diverged.layer_name ?? s.diverged.phase} ${s.diverged.quantity})` : status;
  badge.className = `status ${status}`;
  const running = s.status === "running" && s.connection === "open";
  $("[data-action=play]").hidden = running;
  $("[data-action=pause]").hidden = !running;
}

function formatMetrics(m) {
  const parts = [`train loss ${fmt(m.train_loss)}`, `test loss ${fmt(m.test_loss)}`];
  if (m.test_accuracy !== null && m.test_accuracy !== undefined) parts.push(`test accuracy ${(100 * m.test_accuracy).toFixed(1)}%`);
  return parts.join(" · ");
}

function fmt(v) {
  return v === null || v === undefined ? "—" : Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : v.toFixed(4);
}

function fillLayerSelect(layers) {
  const select = $("#dist-layer");
  const chosen = select.value;
  select.replaceChildren(...layers.map((l, i) => Object.assign(document.createElement("option"), { value: i, textContent: l.name })));
  if (chosen && Number(chosen) < layers.length) select.value = chosen;
  charts.dist.layer = Number(select.value || 0);
}

function showPhase(p) {
  const chart = $("#chart-phase");
  if (chart.hidden) {
    chart.hidden = false;
    Plotly.Plots.resize(chart);
  }
  charts.phase.draw(p);
  const log = $("#phase-readout");
  if (p.phase === "forward" && p.layer === 0) log.replaceChildren();
  const shapes = Object.entries(p.tensors).map(([name, t]) => `${name} [${t.shape.join("×")}]`).join(", ");
  const item = document.createElement("div");
  item.dataset.phase = p.phase;
  item.dataset.layer = p.layer ?? "";
  item.textContent = `step ${p.step} · ${p.phase}${p.layer_name ? ` · ${p.layer_name}` : ""}: ${shapes}`;
  log.append(item);
}

// ---- messages from the server -----------------------------------------------------------------
transport.on("open", ({ reconnected }) => {
  setState({ connection: "open" });
  if (reconnected) {
    banner(`Reconnected. The server lost the previous session${lostAtStep ? ` at step ${lostAtStep}` : ""}; a new run started with the same setup (export a run to keep it).`);
  }
});

transport.on("close", () => {
  const s = getState();
  lostAtStep = s.step;
  setState({ connection: "closed" });
  banner(`Connection lost at step ${s.step}: reconnecting…`, true);
});

transport.on("hello", (m) => {
  const first = !controls;
  const previous = getState().config;
  live = new History(); // a new session: its runs start from 1 again
  setState({ catalog: m.catalog, limits: m.limits, config: m.config, status: "paused", diverged: null,
    run: 0, phase: null, historyVersion: getState().historyVersion + 1 });
  if (first) {
    controls = new Controls(m.catalog, (partial) => transport.configure(partial));
    controls.render(m.config);
    const fromHash = readHash();
    if (fromHash) transport.configure(fromHash);
  } else if (previous) {
    transport.configure(diff(previous, m.catalog.defaults)); // restore the setup after a reconnect
  }
});

transport.on("frame", (f) => {
  const started = performance.now();
  const s = getState();
  const newRun = f.run !== s.run;
  if (newRun) live = new History(s.catalog.layer_stats, f.layers.length);
  live.appendFrame(f.scalars);
  live.appendMetrics(f.step, f.metrics);
  stats.framesApplied += 1;
  const sameLayers = JSON.stringify(f.layers) === JSON.stringify(s.layers); // keep the object: no "layers" change
  const patch = { run: f.run, step: f.step, epoch: f.epoch, layers: sameLayers ? s.layers : f.layers,
    metrics: f.metrics, historyVersion: s.historyVersion + 1 };
  if (f.detail) {
    patch.detail = f.detail;
    if (f.detail.output_grid) patch.grid = f.detail.output_grid;
    if (f.detail.neuron_maps) patch.maps = f.detail.neuron_maps;
    live.appendHistograms(f.step, f.detail.layers);
  }
  if (f.health) patch.health = f.health;
  if (f.status === "running" || f.run !== s.run) patch.phase = null; // no phase highlight while playing
  if (f.points) patch.points = f.points;
  if (newRun) patch.exportedStep = 0; // a new run has not been exported
  if (!(s.status === "diverged" && f.status === "paused")) patch.status = f.status;
  if (f.status === "running") patch.diverged = null;
  setState(patch);
  transport.ack();
  stats.applyMs.push(performance.now() - started);
  if (stats.applyMs.length > 500) stats.applyMs.shift();
});

transport.on("status", (m) => {
  if (m.status === "diverged") {
    setState({ status: "diverged", diverged: m });
    banner(`Diverged at step ${m.step}: a non-finite ${m.quantity} appeared in ${m.layer_name ?? m.phase} (${m.phase}). The step was refused and the weights kept: ${m.advice}.`, true);
  } else {
    setState({ status: m.status });
    if (m.status === "paused" && m.reason === "idle") banner("Paused: no activity for a while.");
  }
});

transport.on("config", (m) => {
  setState({ config: m.config });
  writeHash(m.config);
  if (m.reset && m.fields.length) toast(`Rebuilt the network (${m.fields.join(", ")} changed): a new run from step 0`);
  else if (m.pending) toast("Applies after this step's update");
  if (m.reset) setState({ status: "paused", diverged: null });
});

transport.on("phase", (m) => setState({ phase: m }));

transport.on("explain", (m) => charts.phase.explain(m));

transport.on("error", (m) => {
  toast(m.message, true);
  if (controls) controls.render(getState().config); // show the config in force again
});

transport.on("trace", (m) => {
  const blob = new Blob([JSON.stringify(m.trace)], { type: "application/json" });
  const a = document.createElement("a");
  const last = m.trace.steps.length ? m.trace.steps[m.trace.steps.length - 1].step : 0;
  a.href = URL.createObjectURL(blob);
  a.download = `backprop-lab-${m.trace.config.dataset.name}-step${last}.json`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  setState({ exportedStep: last });
});

// ---- user actions -------------------------------------------------------------------------------
const actions = {
  play: () => transport.play(),
  pause: () => {
    panels.hold(PAUSE_HOLD_MS); // no drawing between the click and the reply: it is not delayed
    transport.pause();
  },
  step: () => transport.step(1),
  phase: () => transport.phase(),
  reset: () => transport.reset(),
  export: () => transport.exportTrace(),
  import: () => $("#import-file").click(),
};
for (const [name, fn] of Object.entries(actions)) $(`[data-action=${name}]`).addEventListener("click", fn);

document.addEventListener("keydown", (e) => {
  if (e.target.closest("input, select, textarea")) return;
  if (e.key === " ") {
    e.preventDefault();
    (getState().status === "running" ? actions.pause : actions.play)();
  } else if (e.key === "ArrowRight") {
    e.preventDefault();
    (e.shiftKey ? actions.phase : actions.step)();
  }
});

$("#speed").addEventListener("change", (e) => transport.speed({ steps_per_second: e.target.value ? Number(e.target.value) : null }));
$("#show-test").addEventListener("change", (e) => { outputChart.showTest = e.target.checked; mark.output(); });
$("#discretize").addEventListener("change", (e) => { outputChart.discretize = e.target.checked; mark.output(); });
$("#loss-log").addEventListener("change", (e) => { lossChart.log = e.target.checked; mark.loss(); });
$("#network-mode").addEventListener("change", (e) => { charts.network.mode = e.target.value; mark.network(); });
$("#neuron-mode").addEventListener("change", (e) => { charts.network.neuronMode = e.target.value; mark.network(); });
$("#show-maps").addEventListener("change", (e) => { charts.network.showMaps = e.target.checked; mark.network(); });
$("#flow-stat").addEventListener("change", (e) => {
  charts.flow.options = { ...charts.flow.options, stat: e.target.value, title: e.target.value === "grad_norm" ? "‖dL/dW‖" : "‖dL/da‖" };
  mark.flow();
});
$("#hist-log").addEventListener("change", (e) => { charts.hist.logMagnitude = e.target.checked; mark.hist(); });
$("#dist-layer").addEventListener("change", (e) => { charts.dist.layer = Number(e.target.value); mark.dist(); });
$("#dist-key").addEventListener("change", (e) => { charts.dist.key = e.target.value; mark.dist(); });

// ---- presets -----------------------------------------------------------------------------------
function fillPresets(presets) {
  const select = $("#preset");
  select.replaceChildren(select.options[0], ...presets.map((p) =>
    Object.assign(document.createElement("option"), { value: p.id, textContent: p.title })));
}

$("#preset").addEventListener("change", (e) => {
  const s = getState();
  const preset = s.catalog.presets.find((p) => p.id === e.target.value);
  e.target.value = "";
  if (!preset) return;
  transport.configure(merge(s.catalog.defaults, preset.config)); // the whole setup, nothing left over
  transport.reset(); // a new run even when only live settings differ (e.g. just the optimizer)
  const note = $("#preset-note");
  note.hidden = false;
  note.dataset.preset = preset.id;
  const run = Object.assign(document.createElement("button"), { textContent: `Run ${preset.steps} steps` });
  run.dataset.action = "preset-run";
  run.addEventListener("click", () => transport.step(preset.steps));
  note.replaceChildren(Object.assign(document.createElement("b"), { textContent: `${preset.title}. ` }), preset.watch, " ", run);
});

// ---- import and replay --------------------------------------------------------------------------
$("#import-file").addEventListener("change", async (e) => {
  const file = e.target.files[0];
  e.target.value = "";
  if (!file) return;
  if (file.size > MAX_TRACE_BYTES) {
    banner(`${file.name} is ${(file.size / 2 ** 20).toFixed(0)} MB; traces are limited to ${MAX_TRACE_BYTES / 2 ** 20} MB.`, true);
    return;
  }
  let trace;
  try {
    let raw;
    try {
      raw = JSON.parse(await file.text());
    } catch (err) {
      throw new TraceError(`not valid JSON (${err.message})`);
    }
    trace = validateTrace(raw, getState().catalog);
  } catch (err) {
    const what = err instanceof TraceError ? err.message : `unreadable (${err.message})`;
    banner(`${file.name} is not a valid Backprop Lab trace: ${what}`, true);
    return;
  }
  if (getState().status === "running") transport.pause();
  const replay = { trace, name: file.name, ...fromTrace(trace, getState().catalog.layer_stats, file.name) };
  replay.index = Math.max(0, replay.snapshots.length - 1);
  setState({ replay });
  showReplayBar(replay);
  banner(`Viewing ${file.name}: ${replay.history.n.toLocaleString("en-US")} recorded steps, ${replay.snapshots.length} snapshots. Nothing trains while you look.`);
});

function showReplayBar(replay) {
  $("#replay-bar").hidden = false;
  $("#replay-title").textContent = replay.name;
  const slider = $("#replay-slider");
  slider.max = Math.max(0, replay.snapshots.length - 1);
  slider.value = replay.index;
  $("#replay-step").textContent = `step ${replay.snapshots[replay.index]?.step ?? "—"}`;
}

$("#replay-slider").addEventListener("input", (e) => {
  const replay = { ...getState().replay, index: Number(e.target.value) };
  setState({ replay });
  $("#replay-step").textContent = `step ${replay.snapshots[replay.index]?.step ?? "—"}`;
});

$("#ghost-toggle").addEventListener("change", (e) => {
  const replay = getState().replay;
  setState({ ghost: e.target.checked && replay ? replay.history : null });
});

$("#replay-close").addEventListener("click", () => {
  setState({ replay: null });
  $("#replay-bar").hidden = true;
  banner(null);
});

// ---- care for the run -------------------------------------------------------------------------
window.addEventListener("beforeunload", (e) => {
  const s = getState();
  if (s.step > 0 && s.step !== s.exportedStep) {
    e.preventDefault();
    e.returnValue = "";
  }
});

document.addEventListener("visibilitychange", () => {
  if (document.hidden && getState().status === "running") {
    resumeWhenVisible = true;
    transport.pause();
  } else if (!document.hidden && resumeWhenVisible) {
    resumeWhenVisible = false;
    transport.play();
  }
});

// ---- the URL hash holds the setup -------------------------------------------------------------
function readHash() {
  const match = location.hash.match(/config=([^&]*)/);
  if (!match) return null;
  try {
    return JSON.parse(decodeURIComponent(match[1]));
  } catch {
    banner("The link's config could not be read; starting from the defaults.", true);
    return null;
  }
}

function writeHash(config) {
  const changes = diff(config, getState().catalog.defaults);
  const url = Object.keys(changes).length ? `#config=${encodeURIComponent(JSON.stringify(changes))}` : location.pathname;
  window.history.replaceState(null, "", url);
}

// ---- messages to the person -----------------------------------------------------------------
function banner(text, error = false) {
  const b = $("#banner");
  b.hidden = !text;
  b.textContent = text || "";
  b.classList.toggle("error", error);
}

function toast(text, error = false) {
  const t = document.createElement("div");
  t.className = `toast${error ? " error" : ""}`;
  t.textContent = text;
  t.dataset.testid = "toast";
  document.body.append(t);
  setTimeout(() => t.remove(), 4000);
}

window.backpropLab = { getState, history: () => live, stats, transport, charts, drawTimings: () => panels.timings() };
transport.connect();
