// The panels: every chart, what it draws from the view, how often it may redraw, which state
// changes mark it for a redraw, and the options that change how it draws.

import { ClipNormChart } from "./charts/clipnorm.js";
import { DistributionOverTime } from "./charts/distribution.js";
import { FlowMap } from "./charts/flowmap.js";
import { GradcheckTable } from "./charts/gradcheck.js";
import { HistogramGrid } from "./charts/histgrid.js";
import { layerLegend, LayerSeriesChart } from "./charts/layerseries.js";
import { LossChart } from "./charts/loss.js";
import { LossLineChart } from "./charts/lossline.js";
import { NetworkChart } from "./charts/network.js";
import { networkKey } from "./charts/networkkey.js";
import { OutputChart } from "./charts/output.js";
import { PhasePanel } from "./charts/phase.js";
import { SharpnessChart } from "./charts/sharpness.js";
import { HealthBadges } from "./health.js";
import { classCount, inputFeatures } from "./schema.js";
import { getState, setState, subscribe, view } from "./state.js";

const $ = (selector) => document.querySelector(selector);
const HISTORY_PANELS = ["loss", "flow", "flowmap", "ratio", "saturated", "dead", "clip", "dist"];
const LAYER_PANELS = ["network", "flow", "ratio", "saturated", "dead"]; // those that highlight layers
const SMOOTHED_PANELS = ["loss", "flow", "ratio", "clip"]; // those the smoothing control smooths
const INSTRUMENT_PANELS = ["gradcheck", "line", "sharpness"]; // each drawn from its state key

/** Every chart, on its element. */
function makeCharts() {
  return {
    loss: new LossChart($("#chart-loss")),
    output: new OutputChart($("#chart-output")),
    network: new NetworkChart($("#chart-network")),
    phase: new PhasePanel($("#chart-phase"), $("#explain")),
    flow: new LayerSeriesChart($("#chart-flow"), { stat: "grad_norm", title: "‖dL/dW‖", log: true, smooth: true }),
    flowmap: new FlowMap($("#chart-flowmap")),
    ratio: new LayerSeriesChart($("#chart-ratio"), { stat: "update_ratio", title: "‖ΔW‖/‖W‖", log: true, reference: [1e-4, 1e-3, 1e-2], smooth: true }),
    saturated: new LayerSeriesChart($("#chart-saturated"), { stat: "saturated_fraction", title: "saturated", yRange: [0, 1.05], empty: "no tanh or sigmoid layers" }),
    dead: new LayerSeriesChart($("#chart-dead"), { stat: "dead_fraction", title: "dead", yRange: [0, 1.05], empty: "no ReLU layers" }),
    clip: new ClipNormChart($("#chart-clip")),
    hist: new HistogramGrid($("#chart-hist")),
    dist: new DistributionOverTime($("#chart-dist")),
    gradcheck: new GradcheckTable($("#gradcheck-table"), $("#gradcheck-note")),
    line: new LossLineChart($("#chart-line"), $("#line-note")),
    sharpness: new SharpnessChart($("#chart-sharpness"), $("#sharpness-note")),
  };
}

/** Register each chart's redraw (its panel element, least interval in ms, draw); returns the markers. */
function registerRedraws(redraws, charts) {
  const highlight = () => getState().highlight;
  const smoothing = () => getState().smoothing;
  return {
    loss: redraws.add($("#panel-loss"), 300, () => charts.loss.draw(view().history, getState().ghost, smoothing())),
    output: redraws.add($("#panel-output"), 300, () => {
      const v = view();
      const { catalog } = getState();
      if (v.config) charts.output.draw(v.grid, v.points, classCount(catalog, v.config), catalog.plane.extent);
    }),
    network: redraws.add($("#panel-network"), 300, () => {
      const v = view();
      if (!v.config || !v.layers.length) return;
      charts.network.draw(v.layers, v.detail, inputFeatures(getState().catalog, v.config), v.maps, v.phase, highlight());
      $("#network-summary").textContent = charts.network.summary ? `Summarized: ${charts.network.summary}.` : "";
      $("#link-width-note").textContent = charts.network.scene.widthNote;
      networkKey($("#network-key"), charts.network);
    }),
    flow: redraws.add($("#chart-flow"), 500, () => charts.flow.draw(view().history, view().layers, highlight(), smoothing())),
    flowmap: redraws.add($("#chart-flowmap"), 500, () => charts.flowmap.draw(view().history, view().layers)),
    ratio: redraws.add($("#panel-ratio"), 1000, () => charts.ratio.draw(view().history, view().layers, highlight(), smoothing())),
    saturated: redraws.add($("#panel-saturated"), 1000, () => charts.saturated.draw(view().history, view().layers, highlight())),
    dead: redraws.add($("#panel-dead"), 1000, () => charts.dead.draw(view().history, view().layers, highlight())),
    clip: redraws.add($("#panel-clip"), 1000, () => charts.clip.draw(view().history, smoothing())),
    hist: redraws.add($("#chart-hist"), 2000, () => {
      charts.hist.draw(view().layers, view().detail);
      $("#hist-note").textContent = charts.hist.note;
    }),
    dist: redraws.add($("#chart-dist"), 2000, () => charts.dist.draw(view().history, view().layers)),
    // the instruments measure the live run (a reply may come before its run's frame: drawn with it)
    gradcheck: redraws.add($("#panel-gradcheck"), 300, () => charts.gradcheck.draw(ofThisRun(getState().gradcheck))),
    line: redraws.add($("#panel-line"), 300, () => charts.line.draw(ofThisRun(getState().line))),
    sharpness: redraws.add($("#panel-sharpness"), 500, () => {
      const { sharpness, run } = getState();
      charts.sharpness.draw(sharpness.run === run ? sharpness.points : []);
    }),
  };
}

/** An instrument's reply if it measured the run the page shows now, else null. */
function ofThisRun(reply) {
  return reply && reply.run === getState().run ? reply : null;
}

/** The distributions' layer menu, keeping the chosen layer where it still exists. */
function fillLayerSelect(layers, dist) {
  const select = $("#dist-layer");
  const chosen = select.value;
  select.replaceChildren(...layers.map((l, i) => Object.assign(document.createElement("option"), { value: i, textContent: l.name })));
  if (chosen && Number(chosen) < layers.length) select.value = chosen;
  dist.layer = Number(select.value || 0);
}

/** The panels' own options: each sets how its chart draws and redraws it. */
function wireOptions(charts, mark) {
  const option = (selector, apply, panel) => $(selector).addEventListener("change", (e) => {
    apply(e.target);
    mark[panel]();
  });
  option("#show-test", (t) => { charts.output.showTest = t.checked; }, "output");
  option("#discretize", (t) => { charts.output.discretize = t.checked; }, "output");
  option("#loss-log", (t) => { charts.loss.log = t.checked; }, "loss");
  option("#network-mode", (t) => { charts.network.mode = t.value; }, "network");
  option("#link-log", (t) => { charts.network.widthScale = t.checked ? "log" : "relative"; }, "network");
  option("#neuron-mode", (t) => { charts.network.neuronMode = t.value; }, "network");
  option("#show-maps", (t) => { charts.network.showMaps = t.checked; }, "network");
  option("#flow-stat", (t) => {
    charts.flow.options = { ...charts.flow.options, stat: t.value, title: t.value === "grad_norm" ? "‖dL/dW‖" : "‖dL/da‖" };
    charts.flowmap.stat = t.value;
    mark.flowmap();
  }, "flow");
  option("#hist-log", (t) => { charts.hist.logMagnitude = t.checked; }, "hist");
  option("#dist-layer", (t) => { charts.dist.layer = Number(t.value); }, "dist");
  option("#dist-key", (t) => { charts.dist.key = t.value; }, "dist");
}

/** Build the charts and health badges, and redraw each when what it shows changes; returns the charts. */
export function installDashboard(redraws) {
  const charts = makeCharts();
  const mark = registerRedraws(redraws, charts);
  const badges = new HealthBadges($("#badges"), (layers) => setState({ highlight: layers }));
  wireOptions(charts, mark);
  charts.network.onNeuronHover = (map) => charts.output.preview(map); // a neuron's map large, as Playground does
  subscribe((s, changed) => {
    const any = (...keys) => keys.some((k) => changed.has(k));
    if (changed.has("catalog")) charts.network.featureMaps = s.catalog.plane.feature_maps;
    if (changed.has("status") && s.status !== "running") redraws.release();
    if (any("historyVersion", "replay")) HISTORY_PANELS.forEach((k) => mark[k]());
    if (changed.has("ghost")) mark.loss();
    if (any("grid", "points", "replay")) mark.output();
    if (any("detail", "maps", "phase", "replay")) {
      mark.network();
      mark.hist();
    }
    if (any("layers", "replay")) fillLayerSelect(view().layers, charts.dist);
    if (any("layers", "replay", "highlight")) layerLegend($("#layer-legend"), view().layers, s.highlight);
    if (any("health", "replay")) badges.draw(view().health ?? []);
    if (changed.has("highlight")) LAYER_PANELS.forEach((k) => mark[k]());
    if (changed.has("smoothing")) SMOOTHED_PANELS.forEach((k) => mark[k]());
    for (const k of INSTRUMENT_PANELS) if (any(k, "run")) mark[k]();
  });
  return charts;
}
