"""Pure kernels for the layers (each gradient-checkable alone) and the trace's layer entries."""
from dataclasses import dataclass, field

import numpy as np

from .activations import Activation

BN_EPS = 1e-5
BN_MOMENTUM = 0.1


def dense_forward(x, W, b):
    """z = x @ W + b: (B, fan_in), (fan_in, fan_out), (fan_out,) -> (B, fan_out)."""
    return x @ W + b


def dense_backward(dz, x, W, dW, db, need_dx=True):
    """Fill dW (fan_in, fan_out) and db (fan_out,) from dz (B, fan_out); return dx (B, fan_in)."""
    np.matmul(x.T, dz, out=dW)
    np.add.reduce(dz, axis=0, out=db)
    return dz @ W.T if need_dx else None


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
class Post:
    """What ends a hidden block (or the output): activation, residual add, dropout."""
    activation: Activation
    residual: bool = False  # h = a + block input
    dropout: float = 0.0


@dataclass
class Entry:
    """One entry of the trace's `layers`: a dense layer or a batch norm, with named parameters."""
    name: str
    kind: str  # "dense" or "batch_norm"
    fan_in: int
    fan_out: int
    activation: str | None  # names the activation applied after this entry's block
    block_start: int  # index of the dense entry that starts this entry's block
    post: Post | None = None  # set on the last entry of each block
    running: dict = field(default_factory=dict)  # batch norm's running mean and var
    param_names: tuple = ()  # this entry's tensors in the ParamStore, weight first

    def __post_init__(self):
        keys = ("W", "b") if self.kind == "dense" else ("gamma", "beta")
        self.param_names = tuple(f"{self.name}.{key}" for key in keys)

    def describe(self) -> dict:
        """The entry as the trace's `layers` lists it."""
        return {"name": self.name, "kind": self.kind, "fan_in": self.fan_in,
                "fan_out": self.fan_out, "activation": self.activation}
