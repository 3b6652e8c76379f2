// A dataset's input kind (points or sequences; images the page does not draw yet) and the network
// that goes with it: a change to a set of another kind carries that kind's last network (else a
// default one), and drops the fields the other kind has no use for, so the page never asks for a
// config the engine refuses.

const SEQUENCE_NET = [{ kind: "lstm", units: 16 }]; // a sequence net, before a person made one

/** The input kinds this page draws. The catalog also lists image sets; until the page draws images,
 * its picker leaves them out (see `drawnSets`), so no click leads to a run it cannot show. */
export const DRAWN_KINDS = ["points", "sequence"];

/** The catalog's datasets whose input kind the page draws, in the catalog's order. */
export function drawnSets(catalog) {
  return catalog.choices.datasets.filter((d) => DRAWN_KINDS.includes(d.input_kind));
}

/** The input kind of dataset `name` ("points", "sequence" or "image"), from the catalog. */
export function inputKind(catalog, name) {
  return catalog.choices.datasets.find((d) => d.name === name).input_kind;
}

/** The input kind of the data a config trains on. */
export function configKind(catalog, config) {
  return inputKind(catalog, config.dataset.name);
}

/** The last network used with each input kind, and the change to a set of another kind. */
export class NetworkMemory {
  constructor(catalog) {
    this.catalog = catalog;
    this.last = { points: catalog.defaults.network.hidden, sequence: SEQUENCE_NET };
  }

  /** Keep the config's network as its input kind's last. */
  remember(config) {
    this.last[configKind(this.catalog, config)] = config.network.hidden;
  }

  /** `change` (a partial config) completed when it switches the data to another input kind: that
   * kind's last network, and no sequence length, recurrent init or forget bias on points. Returns
   * {change, notes: {path: what changed and why}}. */
  fit(config, change) {
    const name = change.dataset?.name;
    const was = configKind(this.catalog, config);
    if (!name || inputKind(this.catalog, name) === was) return { change, notes: {} };
    const kind = inputKind(this.catalog, name);
    const network = { ...change.network, hidden: this.last[kind] };
    const dataset = { ...change.dataset };
    if (kind === "points") Object.assign(network, { recurrent_init: null, forget_bias: null });
    if (kind === "points") dataset.seq_len = null;
    const layers = this.last[kind].map((l) => `${l.kind ?? "dense"} ${l.units}`).join(", ");
    return { change: { ...change, dataset, network },
      notes: { "network.hidden": `now ${layers}: ${name} is a ${kind === "points" ? "points" : "sequence"} set` } };
  }
}
