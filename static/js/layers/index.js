// The layer views by kind: how each kind of layer shows in the network view and the step-through
// (its column, links, labels, parameters and tensors). A new kind is one module in this folder
// and one line here; a kind with no view draws as a plain labelled column.
// A view is {params: its parameter names in order, symbols: {name: "γ"} for titles,
//   tensors: {name: title} of what its forward phase computes beyond the input, z and a,
//   links: true when params[0] is a (fan_in, fan_out) matrix drawn as links from the column before,
//   column(layer, entry, previous): its own column {label, units, entry, tags, subtitle},
//   or column null and a `tag`: no column of its own, it tags the one before ("dense1+BN")}.

import { batchNorm } from "./batch_norm.js";
import { dense } from "./dense.js";
import { plain } from "./plain.js";
import { lstm, rnn } from "./recurrent.js";

export const LAYER_VIEWS = {
  dense,
  batch_norm: batchNorm,
  rnn,
  lstm,
};

/** The view of a trace `layers` entry's kind (the plain column for a kind the page does not know). */
export function layerView(kind) {
  return LAYER_VIEWS[kind] ?? plain;
}

/** The parameter each kind shows first (W, gamma): the update phase's heatmaps. */
export const SHOWN_PARAMS = new Set(Object.values(LAYER_VIEWS).map((v) => v.params[0]));

/** The titles of the kinds' own forward tensors (x_hat: "normalized z"), in the registry's order. */
export const KIND_TENSORS = Object.assign({}, ...Object.values(LAYER_VIEWS).map((v) => v.tensors));

/** Greek and other symbols of parameter names, for titles (gamma -> γ); names without one stand as they are. */
export const PARAM_SYMBOLS = Object.assign({}, ...Object.values(LAYER_VIEWS).map((v) => v.symbols));
