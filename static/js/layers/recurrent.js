// An rnn or lstm layer in the network view: a column of its units (h_t, shown at the last time
// step), labelled with its kind; its weights W_x (one block per gate) and W_h are not drawn as
// links: the unrolled view shows the layer through time. Its step-through shows h_t, dL/dh_t and
// dL/d(pre-activation) one time step a phase.

/** A recurrent kind's view (see index.js). */
function recurrentView(kind) {
  return {
    params: ["W_x", "W_h", "b"],
    tensors: { h: "h_t", dh: "dL/dh_t", dpre: "dL/d(pre-activation)" },
    symbols: {},
    links: false,
    /** Its own column of units. */
    column: (layer, entry) => ({ label: layer.name, units: layer.units, entry, tags: [],
      subtitle: `${kind}${layer.activation ? ` ${layer.activation}` : ""}, through time` }),
  };
}

export const rnn = recurrentView("rnn");
export const lstm = recurrentView("lstm");
