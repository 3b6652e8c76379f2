// The panels of a sequence run (unrolled view, gradient through time, recurrent eigenvalues,
// predictions), and which parts of the page show for which input kind: the points-only parts (the
// output plane, neuron maps, the input features) hide for sequences and come back for points.

import { EigenChart } from "./charts/eigen.js";
import { GradTimeChart } from "./charts/gradtime.js";
import { PredictionsChart } from "./charts/predictions.js";
import { UnrolledChart } from "./charts/unrolled.js";
import { configKind } from "./inputkind.js";
import { getState, subscribe, view } from "./state.js";
import { unrolledShown } from "./unrolledsource.js";

const $ = (selector) => document.querySelector(selector);

/** The recurrent entries of `layers`: [{index, name}]. */
function recurrentLayers(layers) {
  const kinds = new Set(getState().catalog.choices.layer_kinds.filter((k) => k.recurrent).map((k) => k.name));
  return layers.flatMap((l, index) => (kinds.has(l.kind) ? [{ index, name: l.name }] : []));
}

/** The layer menu: the recurrent layers, keeping the chosen one where it still exists; returns the chosen index. */
function fillLayers(select, layers) {
  const chosen = select.value;
  const recurrent = recurrentLayers(layers);
  select.replaceChildren(...recurrent.map((l) => Object.assign(document.createElement("option"), { value: l.index, textContent: l.name })));
  if (recurrent.some((l) => String(l.index) === chosen)) select.value = chosen;
}

/** Build the sequence panels and redraw each when what it shows changes; returns their charts. */
export function installSequencePanels(redraws) {
  const charts = {
    unrolled: new UnrolledChart($("#chart-unrolled"), $("#unrolled-note")),
    gradtime: new GradTimeChart($("#chart-gradtime"), $("#gradtime-note")),
    eigen: new EigenChart($("#chart-eigen"), $("#eigen-note")),
    predictions: new PredictionsChart($("#chart-predictions"), $("#predictions-note")),
  };
  const select = $("#seq-layer");
  const chosen = () => Number(select.value);
  const recurrent = () => view().detail?.layers[chosen()]?.recurrent;
  const name = () => view().layers[chosen()]?.name ?? "";
  const sequenceRun = () => document.body.dataset.inputKind === "sequence"; // a points run has none of these panels
  const mark = {
    unrolled: redraws.add($("#panel-unrolled"), 250, () => {
      const v = view();
      if (select.value === "" || !v.layers[chosen()]) return;
      charts.unrolled.draw(chosen(), name(), v.layers[chosen()].units, unrolledShown(v, chosen(), charts.unrolled.mode, getState().pass));
    }, sequenceRun),
    gradtime: redraws.add($("#panel-gradtime"), 500, () => {
      if (view().history && select.value !== "") charts.gradtime.draw(view().history.time, view().layers, chosen());
    }, sequenceRun),
    eigen: redraws.add($("#panel-eigen"), 300, () => {
      if (recurrent()?.spectrum) charts.eigen.draw(chosen(), name(), recurrent().spectrum);
    }, sequenceRun),
    predictions: redraws.add($("#panel-predictions"), 500, () => {
      const predictions = view().detail?.sequence?.predictions;
      if (predictions) charts.predictions.draw(predictions, view().metrics);
    }, sequenceRun),
  };
  const all = () => Object.values(mark).forEach((m) => m());
  select.addEventListener("change", all);
  $("#unrolled-mode").addEventListener("change", (e) => {
    charts.unrolled.mode = e.target.value;
    mark.unrolled();
  });
  subscribe((s, changed) => {
    const any = (...keys) => keys.some((k) => changed.has(k));
    if (any("config", "replay") && view().config) document.body.dataset.inputKind = configKind(s.catalog, view().config);
    if (any("layers", "replay")) {
      fillLayers(select, view().layers);
      all();
    }
    if (any("detail", "replay")) {
      mark.unrolled();
      mark.eigen();
      mark.predictions();
    }
    if (any("phase", "pass", "step")) mark.unrolled();
    if (any("historyVersion", "replay")) mark.gradtime();
  });
  return charts;
}
