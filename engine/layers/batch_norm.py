"""Batch norm as torch's BatchNorm1d: batch statistics in training, running ones in evaluation."""
from dataclasses import dataclass

import numpy as np

from .base import BIAS, SCALE, Layer, ParamSpec, factored

BN_EPS = 1e-5
BN_MOMENTUM = 0.1


def batch_norm_train(z, gamma, beta):
    """Normalize with the batch's biased variance: (B, n) -> (y (B, n), x_hat, inv_std (n,), mean, var)."""
    mean = z.mean(axis=0)
    var = z.var(axis=0)
    inv_std = 1.0 / np.sqrt(var + BN_EPS)
    x_hat = (z - mean) * inv_std
    return gamma * x_hat + beta, x_hat, inv_std, mean, var


def batch_norm_eval(z, gamma, beta, running_mean, running_var):
    """Normalize with running statistics: (B, n) -> (B, n)."""
    return gamma * ((z - running_mean) / np.sqrt(running_var + BN_EPS)) + beta


def batch_norm_backward(dy, x_hat, inv_std, gamma, dgamma, dbeta):
    """Fill dgamma, dbeta (n,) from dy (B, n); return dz (B, n)."""
    np.add.reduce(dy * x_hat, axis=0, out=dgamma)
    np.add.reduce(dy, axis=0, out=dbeta)
    dx_hat = dy * gamma
    batch = dy.shape[0]
    return (inv_std / batch) * (batch * dx_hat - dx_hat.sum(axis=0)
                                - x_hat * (dx_hat * x_hat).sum(axis=0))


@dataclass
class BatchNormCache:
    """What batch norm's backward and its running statistics need from a training forward."""
    x_hat: np.ndarray  # (B, n)
    inv_std: np.ndarray  # (n,)
    mean: np.ndarray  # (n,) the batch's
    var: np.ndarray  # (n,) the batch's, biased
    batch: int


class BatchNorm(Layer):
    """Normalizes each unit over the batch, then scales by γ and shifts by β."""
    kind, prefix, in_hidden = "batch_norm", "bn", False
    keeps_statistics = True
    description = "normalizes each unit over the batch, then γ·x̂ + β (a dense layer's option)"

    def __init__(self, units: int):
        super().__init__((units,), (units,))
        self.units = units
        self.running = {}  # mean and var, (units,) each, set by initialize

    @property
    def params(self) -> tuple:
        return (ParamSpec("gamma", (self.units,), SCALE), ParamSpec("beta", (self.units,), BIAS))

    def initialize(self, params, rng, net) -> None:
        params["gamma"][...], params["beta"][...] = 1.0, 0.0
        dtype = params["gamma"].dtype
        self.running = {"mean": np.zeros(self.units, dtype), "var": np.ones(self.units, dtype)}

    def forward(self, x, params, mode):
        if mode == "eval":
            return batch_norm_eval(x, params["gamma"], params["beta"], self.running["mean"],
                                   self.running["var"]), None
        y, x_hat, inv_std, mean, var = batch_norm_train(x, params["gamma"], params["beta"])
        return y, BatchNormCache(x_hat, inv_std, mean, var, x.shape[0])

    def backward(self, dz, cache, params, grads, need_dx=True):
        return batch_norm_backward(dz, cache.x_hat, cache.inv_std, params["gamma"],
                                   grads["gamma"], grads["beta"])

    def statistics_finite(self, cache) -> bool:
        return bool(np.isfinite(cache.var).all() and np.isfinite(cache.mean).all())

    def commit(self, cache) -> None:
        n, r = cache.batch, self.running
        r["mean"] = (1.0 - BN_MOMENTUM) * r["mean"] + BN_MOMENTUM * cache.mean
        r["var"] = (1.0 - BN_MOMENTUM) * r["var"] + BN_MOMENTUM * (cache.var * (n / (n - 1)))

    def forward_checks(self, cache) -> dict:
        return {"mean": cache.mean, "var": cache.var}

    def shown(self, cache) -> dict:
        """Tensors a forward phase shows besides x and z: {x_hat (B, n)}."""
        return {"x_hat": cache.x_hat}

    def per_example(self, key, index, cache, dz):
        batch = dz.shape[0]
        delta = dz[:, index[0]].astype(np.float64) * batch
        a = cache.x_hat[:, index[0]] if key == "gamma" else np.ones(batch)
        return factored(a, delta)

    def settings(self) -> dict:
        return {"fan_in": self.units, "fan_out": self.units}

    def buffers(self) -> dict:
        return self.running
