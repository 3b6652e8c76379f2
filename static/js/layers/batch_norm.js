// A batch-norm layer in the network view: no column of its own; it tags the dense column it
// normalizes ("dense1+BN"), and its γ and β are not drawn as links.

/** The batch-norm layer's view (see index.js). */
export const batchNorm = {
  params: ["gamma", "beta"],
  tensors: { x_hat: "normalized z" },
  symbols: { gamma: "γ", beta: "β" },
  links: false,
  tag: "BN",
  column: null,
};
