"""The dense layer: z = x @ W + b, W of shape (fan_in, fan_out), as torch's Linear with W = weight.T."""
import numpy as np

from ..inits import INITS
from .base import BIAS, WEIGHT, Layer, ParamSpec, factored


def dense_forward(x, W, b):
    """z = x @ W + b: (B, fan_in), (fan_in, fan_out), (fan_out,) -> (B, fan_out)."""
    return x @ W + b


def dense_backward(dz, x, W, dW, db, need_dx=True):
    """Fill dW (fan_in, fan_out) and db (fan_out,) from dz (B, fan_out); return dx (B, fan_in).
    Over sequences (B, T, ·) every time step counts as an example."""
    if x.ndim > 2:
        x, dz_rows = x.reshape(-1, x.shape[-1]), dz.reshape(-1, dz.shape[-1])
    else:
        dz_rows = dz
    np.matmul(x.T, dz_rows, out=dW)
    np.add.reduce(dz_rows, axis=0, out=db)
    return dz @ W.T if need_dx else None


class Dense(Layer):
    """A fully connected layer; its cache is its input x (B, fan_in). After image layers it reads
    their maps (B, C, H, W) flattened in torch's (C, H, W) order."""
    kind = prefix = "dense"
    description = "fully connected: z = x @ W + b, then the activation"

    def __init__(self, fan_in: int, fan_out: int, image_shape: tuple | None = None):
        super().__init__(image_shape or (fan_in,), (fan_out,))
        self.fan_in, self.fan_out = fan_in, fan_out
        self.image_shape = image_shape  # the (C, H, W) maps it flattens, if it follows image layers

    @classmethod
    def reading(cls, in_shape: tuple, fan_out: int) -> "Dense":
        """A dense layer of fan_out units after a layer whose per-example output is in_shape:
        it acts on the last axis of (features,) or (T, H), and flattens (C, H, W)."""
        if len(in_shape) == 3:
            return cls(int(np.prod(in_shape)), fan_out, tuple(in_shape))
        return cls(in_shape[-1], fan_out)

    @classmethod
    def from_config(cls, spec, in_shape, net, ends_sequence=False) -> "Dense":
        return cls.reading(in_shape, spec.units)

    @property
    def params(self) -> tuple:
        return (ParamSpec("W", (self.fan_in, self.fan_out), WEIGHT),
                ParamSpec("b", (self.fan_out,), BIAS))

    def initialize(self, params, rng, net) -> None:
        params["W"][...] = INITS[net.init].sample(rng, self.fan_in, self.fan_out, net.init_gain)
        params["b"][...] = net.bias_init

    def forward(self, x, params, mode):
        if self.image_shape is not None:
            x = x.reshape(x.shape[0], self.fan_in)
        return dense_forward(x, params["W"], params["b"]), x

    def backward(self, dz, cache, params, grads, need_dx=True):
        dx = dense_backward(dz, cache, params["W"], grads["W"], grads["b"], need_dx)
        if dx is not None and self.image_shape is not None:
            return dx.reshape(dz.shape[0], *self.image_shape)
        return dx

    def per_example(self, key, index, cache, dz):
        if cache.ndim > 2:
            return None  # over sequences a weight's term sums over time steps: not itemized
        batch = dz.shape[0]
        column = index[-1]
        delta = dz[:, column].astype(np.float64) * batch
        a = cache[:, index[0]] if key == "W" else np.ones(batch)
        return factored(a, delta)

    def settings(self) -> dict:
        flattens = {} if self.image_shape is None else {"in_shape": list(self.image_shape)}
        return {"fan_in": self.fan_in, "fan_out": self.fan_out, **flattens}
