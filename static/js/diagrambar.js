// The bar over the network diagram: remove or add a hidden layer, and a − / + pair over each
// hidden column to take a neuron away or add one. Each click sends the new hidden layers (a
// rebuild, as the setup panel's buttons do).

import { withLayerAdded, withLayerRemoved, withUnits } from "./hiddenlayers.js";

const STACK_BELOW_PX = 46; // columns closer than this get their − / + one above the other

/** A small button with its data-action. */
function button(text, action, onclick) {
  const b = Object.assign(document.createElement("button"), { type: "button", textContent: text, onclick, className: "diagram-button" });
  b.dataset.action = action;
  return b;
}

export class DiagramBar {
  /** @param send: (hidden) => void, configures `network.hidden` */
  constructor(element, send) {
    this.send = send;
    this.hidden = [];
    this.limits = null;
    this.count = Object.assign(document.createElement("span"), { className: "diagram-count" });
    this.count.dataset.testid = "diagram-layer-count";
    this.remove = button("− layer", "diagram-remove-layer", () => this.send(withLayerRemoved(this.hidden)));
    this.add = button("+ layer", "diagram-add-layer", () => this.send(withLayerAdded(this.hidden)));
    const layers = Object.assign(document.createElement("div"), { className: "diagram-layers" });
    layers.append(this.remove, this.add, this.count);
    this.units = Object.assign(document.createElement("div"), { className: "diagram-units" });
    element.append(layers, this.units);
  }

  /** Show the hidden layers (the config's `network.hidden`) within the catalog's `limits`;
   * `enabled` false (a trace on view) disables every button. */
  render(hidden, limits, enabled) {
    [this.hidden, this.limits] = [hidden, limits];
    const most = limits.max_hidden_layers;
    this.add.disabled = !enabled || hidden.length >= most;
    this.add.title = hidden.length >= most ? `${most} hidden layers is the most the lab trains` : "Add a hidden layer like the last one";
    this.remove.disabled = !enabled || !hidden.length;
    this.remove.title = "Remove the last hidden layer";
    this.count.textContent = `${hidden.length} hidden layer${hidden.length === 1 ? "" : "s"}`;
    this.units.replaceChildren(...hidden.map((layer, k) => {
      const group = Object.assign(document.createElement("span"), { className: "diagram-neurons", hidden: true });
      group.dataset.layer = k;
      const fewer = button("−", "diagram-remove-neuron", () => this.send(withUnits(this.hidden, k, -1, limits.max_units)));
      const more = button("+", "diagram-add-neuron", () => this.send(withUnits(this.hidden, k, 1, limits.max_units)));
      fewer.disabled = !enabled || layer.units <= 1;
      more.disabled = !enabled || layer.units >= limits.max_units;
      fewer.title = `layer ${k + 1}: one neuron fewer (${layer.units} now)`;
      more.title = `layer ${k + 1}: one neuron more (${layer.units} now)`;
      group.append(fewer, more);
      return group;
    }));
  }

  /** Centre each hidden layer's − / + over its column: `columns` [{column, x (CSS px)}] are the
   * diagram's drawn columns (0 the inputs, then hidden layer k at k + 1) of `total` columns. */
  place(columns, total) {
    const xOf = new Map(columns.map((c) => [c.column, c.x]));
    const spacing = Math.min(...columns.slice(1).map((c, k) => c.x - columns[k].x));
    const stacked = spacing < STACK_BELOW_PX; // too narrow for − and + side by side: one above the other
    if (this.units.classList.contains("stacked") !== stacked) this.units.classList.toggle("stacked", stacked);
    for (const group of this.units.children) {
      const column = Number(group.dataset.layer) + 1;
      const hidden = !xOf.has(column) || column >= total - 1; // not drawn, or the net lags the config
      const left = hidden ? group.style.left : `${xOf.get(column)}px`;
      if (group.hidden !== hidden) group.hidden = hidden; // each paint: touch the page only on a change
      if (group.style.left !== left) group.style.left = left;
    }
  }
}
