// Edits of the config's hidden layers, as the setup panel and the network diagram make them: each
// returns the new `network.hidden` list to configure (a rebuild).

const FIRST_LAYER = { units: 4, activation: "tanh" }; // a net with no hidden layer gains this one

/** One more layer at the end, like the last one. */
export function withLayerAdded(hidden) {
  return [...hidden, { ...(hidden[hidden.length - 1] || FIRST_LAYER) }];
}

/** Without the last layer. */
export function withLayerRemoved(hidden) {
  return hidden.slice(0, -1);
}

/** Layer k with `delta` more units, kept within 1 .. maxUnits. */
export function withUnits(hidden, k, delta, maxUnits) {
  return hidden.map((l, j) => (j === k ? { ...l, units: Math.min(maxUnits, Math.max(1, l.units + delta)) } : l));
}
