"""The network: entries walked forward and backward over one flat parameter store."""
import numpy as np

from .activations import ACTIVATIONS
from .config import NetworkConfig
from .inits import INITS
from .layers import (BN_MOMENTUM, Entry, Post, batch_norm_backward, batch_norm_eval,
                     batch_norm_train, dense_backward, dense_forward)
from .params import ParamStore


def build_entries(n_inputs: int, n_outputs: int, net: NetworkConfig) -> list[Entry]:
    """The trace's `layers` for a config: dense (and batch norm) per hidden layer, then the output."""
    entries, width = [], n_inputs
    for k, layer in enumerate(net.hidden, start=1):
        start = len(entries)
        entries.append(Entry(f"dense{k}", "dense", width, layer.units, layer.activation, start))
        if net.batch_norm:
            entries.append(Entry(f"bn{k}", "batch_norm", layer.units, layer.units, None, start))
        residual = net.residual and k > 1 and width == layer.units
        entries[-1].post = Post(ACTIVATIONS[layer.activation], residual, net.dropout)
        width = layer.units
    output = Entry(f"dense{len(net.hidden) + 1}", "dense", width, n_outputs, "linear", len(entries))
    output.post = Post(ACTIVATIONS["linear"])
    return entries + [output]


class Network:
    """Forward and backward one entry at a time, caching what backward needs per entry."""

    def __init__(self, entries: list[Entry], net: NetworkConfig, rng, dtype):
        self.entries = entries
        shapes = {}
        for e in entries:
            weight, bias = e.param_names
            shapes[weight] = (e.fan_in, e.fan_out) if e.kind == "dense" else (e.fan_out,)
            shapes[bias] = (e.fan_out,)
        self.store = ParamStore(shapes, dtype)
        self.dtype = np.dtype(dtype)
        self.weight_mask = self.store.mask(e.param_names[0] for e in entries if e.kind == "dense")
        self._initialize(net, rng)
        p, g = self.store.params, self.store.grads
        self._views = [tuple(store[name] for store in (p, g) for name in e.param_names)
                       for e in entries]
        self.cache = [dict() for _ in entries]
        # block start -> the entry whose residual add reads that block's input
        self.residual_end = {e.block_start: j for j, e in enumerate(entries)
                             if e.post is not None and e.post.residual}

    def _initialize(self, net: NetworkConfig, rng) -> None:
        """Draw dense weights in entry order from the init stream; biases, gamma, beta as set."""
        p = self.store.params
        for e in self.entries:
            weight, bias = e.param_names
            if e.kind == "dense":
                p[weight][...] = INITS[net.init].sample(rng, e.fan_in, e.fan_out, net.init_gain)
                p[bias][...] = net.bias_init
            else:
                p[weight][...], p[bias][...] = 1.0, 0.0
                e.running = {"mean": np.zeros(e.fan_out, self.dtype),
                             "var": np.ones(e.fan_out, self.dtype)}

    def layer(self, i: int) -> tuple:
        """(weight, bias, dweight, dbias) views of entry i."""
        return self._views[i]

    def forward_entry(self, i: int, x, rng=None):
        """Train-mode forward of entry i, cached: (B, fan_in) -> (B, fan_out) for the next entry."""
        e, c = self.entries[i], self.cache[i]
        c.clear()
        c["x"] = x
        W, b, _, _ = self._views[i]
        if e.kind == "dense":
            z = dense_forward(x, W, b)
        else:
            z, c["x_hat"], c["inv_std"], c["mean"], c["var"] = batch_norm_train(x, W, b)
        c["z"] = z
        if e.post is None:
            return z
        a = c["a"] = e.post.activation.forward(z)
        h = a + self.cache[e.block_start]["x"] if e.post.residual else a
        if e.post.dropout and rng is not None:
            keep = rng.random(a.shape, dtype=self.dtype) >= e.post.dropout
            c["mask"] = np.multiply(keep, 1.0 / (1.0 - e.post.dropout), dtype=self.dtype)
            h = h * c["mask"]
        return h

    def backward_entry(self, i: int, dh):
        """Backward of entry i: dL/d(its output) (B, fan_out) -> dL/d(its input) (B, fan_in)."""
        e, c = self.entries[i], self.cache[i]
        if e.post is not None:
            if "mask" in c:
                dh = dh * c["mask"]
            c["da"] = dh
            dz = e.post.activation.backward(c["z"], c["a"], dh)
        else:
            dz = dh
        c["dz"] = dz
        W, _, dW, db = self._views[i]
        if e.kind == "dense":
            dx = dense_backward(dz, c["x"], W, dW, db, need_dx=i > 0)
        else:
            dx = batch_norm_backward(dz, c["x_hat"], c["inv_std"], W, dW, db)
        if i in self.residual_end:
            dx = dx + self.cache[self.residual_end[i]]["da"]
        if dx is not None:
            c["dx"] = dx
        return dx

    def batch_statistics_finite(self) -> bool:
        """Whether every batch norm's cached batch mean and variance are finite."""
        return all(np.isfinite(c["var"]).all() and np.isfinite(c["mean"]).all()
                   for e, c in zip(self.entries, self.cache) if e.kind == "batch_norm")

    def commit_running_stats(self) -> None:
        """Fold the cached batch statistics into batch norm's running mean and (unbiased) var."""
        for e, c in zip(self.entries, self.cache):
            if e.kind == "batch_norm":
                n = c["x"].shape[0]
                r = e.running
                r["mean"] = (1.0 - BN_MOMENTUM) * r["mean"] + BN_MOMENTUM * c["mean"]
                r["var"] = (1.0 - BN_MOMENTUM) * r["var"] + BN_MOMENTUM * (c["var"] * (n / (n - 1)))

    def evaluate(self, x, keep_hidden=False):
        """Eval-mode forward, uncached: (N, inputs) -> (output (N, K), [a (N, units) per hidden block])."""
        hidden, h, block_input = [], x, x
        for i, e in enumerate(self.entries):
            if e.block_start == i:
                block_input = h
            W, b, _, _ = self._views[i]
            if e.kind == "dense":
                h = dense_forward(h, W, b)
            else:
                h = batch_norm_eval(h, W, b, e.running["mean"], e.running["var"])
            if e.post is None:
                continue
            a = e.post.activation.forward(h)
            if keep_hidden and i < len(self.entries) - 1:
                hidden.append(a)
            h = a + block_input if e.post.residual else a
        return h, hidden
