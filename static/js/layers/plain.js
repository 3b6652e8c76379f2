// A layer of a kind the page has no view for: a plain column labelled with its name and kind, as
// wide as its fan_out (else as the column before), with no links.

/** The fallback view (see index.js). */
export const plain = {
  params: [],
  tensors: {},
  symbols: {},
  links: false,
  /** A column of its own; `previous` is the column before it. */
  column: (layer, entry, previous) => ({ label: layer.name, units: layer.fan_out ?? previous.units, entry, tags: [],
    subtitle: layer.kind }),
};
