// One hidden layer's card in the network setup: its number, − / + neurons, its kind (among those
// the data allows, from the catalog's layer kinds) and its activation (among those its kind takes).

import { el } from "./dom.js";
import { withUnits } from "./hiddenlayers.js";
import { choices } from "./schema.js";

/** The hidden-layer kinds a set of `inputKind` allows, from the catalog: [{name, recurrent, image,
 * activations}]: image kinds on images only, recurrent ones on sequences only. */
export function allowedKinds(catalog, inputKind) {
  return catalog.choices.layer_kinds.filter((k) => k.in_hidden
    && (k.image ? inputKind === "image" : inputKind === "sequence" || !k.recurrent));
}

/** The activations a layer of `kind` takes (names): its kind's own list, else every activation. */
export function kindActivations(catalog, kind) {
  const spec = catalog.choices.layer_kinds.find((k) => k.name === (kind ?? "dense"));
  return spec.activations ?? choices(catalog, "network.hidden.activation").map((c) => c.name);
}

/** The most units a layer of `kind` may have. */
function mostUnits(catalog, kind) {
  const spec = catalog.choices.layer_kinds.find((k) => k.name === (kind ?? "dense"));
  return spec.recurrent ? catalog.limits.max_recurrent_units : catalog.limits.max_units;
}

/** Layer `layer` as a layer of `kind`: its units within the kind's limit, an activation it takes. */
function asKind(catalog, layer, kind) {
  const units = Math.min(layer.units, mostUnits(catalog, kind));
  const takes = kindActivations(catalog, kind);
  if (!takes.length) return { kind, units };
  return { kind, units, activation: takes.includes(layer.activation ?? "tanh") ? (layer.activation ?? "tanh") : takes[0] };
}

/** Layer k's card; `sendHidden(hidden)` configures a new hidden list. */
export function layerCard(catalog, inputKind, hidden, k, sendHidden) {
  const layer = hidden[k];
  const replace = (next) => sendHidden(hidden.map((l, j) => (j === k ? next : l)));
  const resize = (delta) => sendHidden(withUnits(hidden, k, delta, mostUnits(catalog, layer.kind)));
  const kinds = allowedKinds(catalog, inputKind);
  const kind = el("select", { "data-layer-kind": k, "aria-label": `layer ${k + 1} kind` },
    ...kinds.map((c) => el("option", { value: c.name, text: c.name, title: c.description })));
  kind.value = layer.kind ?? "dense";
  kind.hidden = kinds.length < 2;
  kind.addEventListener("change", () => replace(asKind(catalog, layer, kind.value)));
  const takes = kindActivations(catalog, layer.kind);
  const activation = el("select", { "data-layer": k, "aria-label": `layer ${k + 1} activation` },
    ...choices(catalog, "network.hidden.activation").filter((c) => takes.includes(c.name))
      .map((c) => el("option", { value: c.name, text: c.name, title: c.description })));
  activation.value = layer.activation ?? "tanh";
  activation.hidden = !takes.length;
  activation.addEventListener("change", () => replace({ ...layer, activation: activation.value }));
  return el("div", { class: "net-layer", "data-layer": k },
    el("span", { class: "layer-number", text: `layer ${k + 1}` }),
    el("div", { class: "row" },
      el("button", { text: "−", title: "fewer neurons", "data-action": "remove-neuron", onclick: () => resize(-1) }),
      el("span", { class: "units", text: `${layer.units}`, title: `${layer.units} neurons` }),
      el("button", { text: "+", title: "more neurons", "data-action": "add-neuron", onclick: () => resize(1) })),
    activation, kind);
}
