"""Every step's per-layer scalars: parameter norms grouped by precomputed index arrays over the
flat buffers, activation statistics per block, columns addressed by name."""
import math

import numpy as np

LAYER_STATS = ("grad_norm", "bias_grad_norm", "signal_norm", "weight_norm", "update_norm",
               "update_ratio", "act_mean", "act_std", "saturated_fraction", "dead_fraction")
COLUMN = {name: k for k, name in enumerate(LAYER_STATS)}
SATURATION = {"tanh": (0.0, 0.97), "sigmoid": (0.5, 0.47)}  # |a − centre| > half-width

GRAD, BIAS_GRAD, SIGNAL, WEIGHT, UPDATE, RATIO = (COLUMN[k] for k in LAYER_STATS[:6])
MEAN, STD, SATURATED, DEAD = (COLUMN[k] for k in LAYER_STATS[6:])


class LayerStats:
    """DESIGN.md's scalars for one network, its groupings computed once: (n_entries, 10) a step.

    Parameter norms are summed per tensor over the flat buffers and grouped by entry with index
    arrays; activation statistics are taken block by block, on the row of the block's first
    entry."""

    def __init__(self, net):
        self.net = net
        roles = [(i, spec.primary) for i, e in enumerate(net.entries) for spec in e.layer.params]
        owner = np.array([i for i, _ in roles], dtype=np.intp)
        primary = np.array([p for _, p in roles], dtype=bool)
        self.n = len(net.entries)
        self.primary, self.primary_owner = np.flatnonzero(primary), owner[primary]
        self.bias, self.bias_owner = np.flatnonzero(~primary), owner[~primary]
        self.no_primary = np.setdiff1d(np.arange(self.n), self.primary_owner)
        self.no_bias = np.setdiff1d(np.arange(self.n), self.bias_owner)
        self.blocks = [(e.block_start, i, _rule(e.end.activation, net.entries[e.block_start].layer))
                       for i, e in enumerate(net.entries) if e.end is not None]

    def _by_entry(self, sums, tensors, owners, missing) -> np.ndarray:
        """Per-tensor sums grouped by entry, NaN for entries with no such tensor: (n_entries,)."""
        out = np.bincount(owners, sums[tensors], minlength=self.n)
        out[missing] = np.nan
        return out

    def __call__(self, update) -> np.ndarray:
        """The scalars of the step just computed (update = its Δθ (P,)): (n_entries, 10)."""
        store, out = self.net.store, np.full((self.n, len(LAYER_STATS)), np.nan)
        grad_sq = store.sums_of_squares(store.grad)
        out[:, GRAD] = self._by_entry(grad_sq, self.primary, self.primary_owner, self.no_primary)
        out[:, BIAS_GRAD] = self._by_entry(grad_sq, self.bias, self.bias_owner, self.no_bias)
        for column, flat in ((WEIGHT, store.theta), (UPDATE, update)):
            out[:, column] = self._by_entry(store.sums_of_squares(flat), self.primary,
                                            self.primary_owner, self.no_primary)
        np.sqrt(out[:, :RATIO], out=out[:, :RATIO])
        out[:, RATIO] = out[:, UPDATE] / out[:, WEIGHT]
        self._activation_stats(out)
        return out

    def _activation_stats(self, out) -> None:
        """signal_norm, act_mean, act_std, saturated and dead fractions of every block into out."""
        tapes = self.net.tapes
        for row, i, rule in self.blocks:
            _block_stats(out[row], rule, tapes[i].a, tapes[i].da)


def _rule(activation, layer) -> tuple:
    """(saturation centre and half-width or None; the layer, when dead units count) of a block."""
    return (SATURATION.get(activation.name) if activation.saturates else None,
            layer if activation.rectifies else None)


def _sum_of_squares(v) -> float:
    """Σv² of any array (a BLAS dot), redone in float64 if a float32 sum overflows."""
    flat = v.ravel()
    total = float(np.dot(flat, flat))
    return total if math.isfinite(total) else float(np.dot(*(2 * [flat.astype(np.float64)])))


def _block_stats(row, rule, a, da) -> None:
    """signal_norm, act_mean, act_std, saturated and dead fractions of one block into row (10,)."""
    n = a.size
    mean = float(a.sum(dtype=np.float64)) / n
    centred = np.subtract(a, mean, dtype=np.float64).ravel()
    row[SIGNAL] = _sum_of_squares(da) ** 0.5
    row[MEAN] = mean
    row[STD] = (float(np.dot(centred, centred)) / n) ** 0.5
    saturation, rectified = rule
    if saturation is not None:
        centre, half_width = saturation
        row[SATURATED] = np.count_nonzero(np.abs(a - centre if centre else a) > half_width) / n
    if rectified is not None:  # a unit is dead when it is 0 for the whole batch
        peaks = a.max(axis=rectified.other_axes(a.ndim))
        row[DEAD] = np.count_nonzero(peaks <= 0.0) / peaks.size
