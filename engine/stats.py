"""Every step's per-layer scalars, with the reductions fused over the flat buffers."""
import numpy as np

LAYER_STATS = ("grad_norm", "bias_grad_norm", "signal_norm", "weight_norm", "update_norm",
               "update_ratio", "act_mean", "act_std", "saturated_fraction", "dead_fraction")
SATURATION = {"tanh": (0.0, 0.97), "sigmoid": (0.5, 0.47)}  # |a − centre| > half-width


def layer_stats(net, update) -> np.ndarray:
    """DESIGN.md's scalars per entry of `layers`, NaN where one does not apply: (n_entries, 10)."""
    store = net.store
    out = np.empty((len(net.entries), len(LAYER_STATS)))
    out[:, 2:] = np.nan
    with np.errstate(all="ignore"):
        grad_sq = store.sums_of_squares(store.grad)
        out[:, 0] = grad_sq[0::2]
        out[:, 1] = grad_sq[1::2]
        out[:, 3] = store.sums_of_squares(store.theta)[0::2]
        out[:, 4] = store.sums_of_squares(update)[0::2]
        np.sqrt(out[:, :5], out=out[:, :5])
        out[:, 5] = out[:, 4] / out[:, 3]
        for e, c in zip(net.entries, net.cache):
            if e.post is not None:
                _activation_stats(out[e.block_start], e.post.activation, c["a"], c["da"])
    return out


def _sum_of_squares(v) -> float:
    """Σv² of any array, redone in float64 if a float32 sum overflows."""
    total = float(np.vdot(v, v))
    return total if np.isfinite(total) else float(np.vdot(*(2 * [v.astype(np.float64)])))


def _activation_stats(row, activation, a, da) -> None:
    """signal_norm, act_mean, act_std, saturated and dead fractions of one block into row (10,)."""
    n = a.size
    mean = float(a.sum(dtype=np.float64)) / n
    centred = np.subtract(a, mean, dtype=np.float64)
    row[2] = _sum_of_squares(da) ** 0.5
    row[6] = mean
    row[7] = (float(np.vdot(centred, centred)) / n) ** 0.5
    if activation.saturates:
        centre, half_width = SATURATION[activation.name]
        row[8] = np.count_nonzero(np.abs(a - centre if centre else a) > half_width) / n
    if activation.rectifies:
        row[9] = np.count_nonzero(a.max(axis=0) <= 0.0) / a.shape[1]
