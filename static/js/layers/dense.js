// A dense layer in the network view: a column of its fan_out units, its weights W drawn as links
// from the column before, labelled with its name and activation.

/** The dense layer's view (see index.js). */
export const dense = {
  params: ["W", "b"],
  tensors: {},
  symbols: {},
  links: true,
  /** Its own column of units. */
  column: (layer, entry) => ({ label: layer.name, units: layer.fan_out, entry, tags: [],
    subtitle: layer.activation && layer.activation !== "linear" ? layer.activation : "" }),
};
