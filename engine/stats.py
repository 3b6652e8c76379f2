"""Every step's per-layer scalars, with the reductions fused over the flat buffers."""
import numpy as np

LAYER_STATS = ("grad_norm", "bias_grad_norm", "signal_norm", "weight_norm", "update_norm",
               "update_ratio", "act_mean", "act_std", "saturated_fraction", "dead_fraction")
COLUMN = {name: k for k, name in enumerate(LAYER_STATS)}
SATURATION = {"tanh": (0.0, 0.97), "sigmoid": (0.5, 0.47)}  # |a − centre| > half-width


def layer_stats(net, update) -> np.ndarray:
    """Scalars of DESIGN.md per entry of `layers`, NaN where one does not apply: (n_entries, 10)."""
    store = net.store
    out = np.full((len(net.entries), len(LAYER_STATS)), np.nan)
    grad_sq = store.segment_sums(store.grad * store.grad).reshape(-1, 2)
    weight_sq = store.segment_sums(store.theta * store.theta)[0::2]
    update_sq = store.segment_sums(update * update)[0::2]
    norms = np.sqrt(np.column_stack([grad_sq, weight_sq, update_sq]))
    out[:, [0, 1, 3, 4]] = norms
    with np.errstate(divide="ignore", invalid="ignore"):
        out[:, 5] = norms[:, 3] / norms[:, 2]
    for e, c in zip(net.entries, net.cache):
        if e.post is not None:
            _fill_activation_stats(out[e.block_start], e.post.activation, c["a"], c["da"])
    return out


def _fill_activation_stats(row, activation, a, da) -> None:
    """signal_norm, act_mean, act_std, saturated and dead fractions of one block into row (10,)."""
    n = a.size
    mean = float(a.sum()) / n
    row[2] = np.sqrt(float(np.vdot(da, da)))
    row[6] = mean
    row[7] = np.sqrt(max(float(np.vdot(a, a)) / n - mean * mean, 0.0))
    if activation.saturates:
        centre, half_width = SATURATION[activation.name]
        row[8] = np.count_nonzero(np.abs(a - centre) > half_width) / n
    if activation.rectifies:
        row[9] = np.count_nonzero(a.max(axis=0) <= 0.0) / a.shape[1]
