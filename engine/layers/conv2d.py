"""The convolutional layer: torch's conv2d (cross-correlation) with kernels K (C_out, C_in, k, k),
bias b (C_out,), zero `padding` and `stride`, as im2col through stride tricks and one matmul."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..inits import INITS
from .base import BIAS, WEIGHT, Layer, ParamSpec


def out_side(side: int, kernel: int, stride: int, padding: int) -> int:
    """Output rows (or columns) of a convolution: ⌊(side + 2·padding − kernel) / stride⌋ + 1."""
    return (side + 2 * padding - kernel) // stride + 1


def padded(x, padding: int):
    """x (B, C, H, W) with `padding` zeros around each map: (B, C, H + 2p, W + 2p) (x itself at 0)."""
    if not padding:
        return x
    B, C, H, W = x.shape
    out = np.zeros((B, C, H + 2 * padding, W + 2 * padding), dtype=x.dtype)
    out[:, :, padding:padding + H, padding:padding + W] = x
    return out


def im2col(x, kernel: int, stride: int, padding: int):
    """Every receptive field of x (B, C, H, W), zero-padded, as rows: (B·H_out·W_out, C·k·k),
    rows ordered (b, i, j) and columns (c, u, v), as K.reshape(C_out, −1) reads them."""
    windows = sliding_window_view(padded(x, padding), (kernel, kernel), axis=(2, 3))[:, :, ::stride, ::stride]
    B, C, rows, cols = windows.shape[:4]
    return windows.transpose(0, 2, 3, 1, 4, 5).reshape(B * rows * cols, C * kernel * kernel)


def col2im(dcols, shape: tuple, kernel: int, stride: int, padding: int):
    """The adjoint of im2col: each row's terms (B·H_out·W_out, C·k·k) added back onto the pixels
    they were read from, padding cut away: (B, C, H, W)."""
    B, C, H, W = shape
    rows, cols = out_side(H, kernel, stride, padding), out_side(W, kernel, stride, padding)
    terms = dcols.reshape(B, rows, cols, C, kernel, kernel).transpose(0, 3, 4, 5, 1, 2)
    padded = np.zeros((B, C, H + 2 * padding, W + 2 * padding), dtype=dcols.dtype)
    for u in range(kernel):
        for v in range(kernel):
            padded[:, :, u:u + stride * rows:stride, v:v + stride * cols:stride] += terms[:, :, u, v]
    return padded[:, :, padding:padding + H, padding:padding + W]


class Conv2d(Layer):
    """z[b, o] = b[o] + Σ_c K[o, c] ⋆ x[b, c] (cross-correlation), then the activation: (B, C_in, H, W)
    -> (B, C_out, H_out, W_out); its cache is the receptive fields as rows (im2col)."""
    kind = "conv2d"
    prefix = "conv"
    description = "convolution: each of C_out kernels K (C_in × k × k) slid over the image, plus b"
    units_axis = 1  # channels: a channel is a unit for activation statistics
    image = True
    config_fields = {"channels": 8, "kernel": 3, "stride": 1, "padding": 0}

    def __init__(self, in_shape: tuple, channels: int, kernel: int, stride: int = 1, padding: int = 0):
        C, H, W = in_shape
        super().__init__(in_shape, (channels, out_side(H, kernel, stride, padding),
                                    out_side(W, kernel, stride, padding)))
        self.channels, self.kernel, self.stride, self.padding = channels, kernel, stride, padding

    @classmethod
    def from_config(cls, spec, in_shape, net, ends_sequence=False) -> "Conv2d":
        return cls(in_shape, spec.channels, spec.kernel, spec.stride, spec.padding)

    @property
    def params(self) -> tuple:
        return (ParamSpec("K", (self.channels, self.in_shape[0], self.kernel, self.kernel), WEIGHT),
                ParamSpec("b", (self.channels,), BIAS))

    def initialize(self, params, rng, net) -> None:
        """K from `init` with torch's fans: fan_in = C_in·k·k, fan_out = C_out·k·k."""
        area = self.kernel * self.kernel
        shape = params["K"].shape
        params["K"][...] = INITS[net.init].sample(rng, self.in_shape[0] * area, self.channels * area,
                                                  net.init_gain, shape)
        params["b"][...] = net.bias_init

    def forward(self, x, params, mode):
        cols = im2col(x, self.kernel, self.stride, self.padding)
        K = params["K"].reshape(self.channels, -1)
        rows = cols @ K.T + params["b"]  # (B·H_out·W_out, C_out)
        _, H_out, W_out = self.out_shape
        z = np.ascontiguousarray(rows.reshape(x.shape[0], H_out, W_out, self.channels).transpose(0, 3, 1, 2))
        return z, (cols if mode == "train" else None)

    def backward(self, dz, cache, params, grads, need_dx=True):
        rows = dz.transpose(0, 2, 3, 1).reshape(-1, self.channels)  # (B·H_out·W_out, C_out)
        np.matmul(rows.T, cache, out=grads["K"].reshape(self.channels, -1))
        np.add.reduce(rows, axis=0, out=grads["b"])
        if not need_dx:
            return None
        dcols = rows @ params["K"].reshape(self.channels, -1)
        return col2im(dcols, (dz.shape[0], *self.in_shape), self.kernel, self.stride, self.padding)

    def per_example(self, key, index, cache, dz):
        """A kernel weight's (or bias's) term sums over the positions it slid across:
        dL/dK[o, c, u, v] = (1/B)·Σ_b Σ_(i, j) x[b, c, i·s + u − p, j·s + v − p]·δ[b, o, i, j], δ = B·dL/dz
        (b: the input is 1); `positions` holds each position's a, delta and term (B, H_out, W_out)
        and, for K, the input row (in_rows) and column (in_cols) each output row and column reads."""
        batch, _, rows, cols = dz.shape
        delta = dz[:, index[0]].astype(np.float64) * batch
        positions = {"delta": delta, "in_rows": None, "in_cols": None}
        if key == "K":
            column = int(np.ravel_multi_index(index[1:], self.params[0].shape[1:]))
            positions["a"] = cache[:, column].astype(np.float64).reshape(batch, rows, cols)
            u, v = index[2:]  # the input pixel each position reads (outside the image: padding)
            positions["in_rows"] = [i * self.stride + u - self.padding for i in range(rows)]
            positions["in_cols"] = [j * self.stride + v - self.padding for j in range(cols)]
        else:
            positions["a"] = np.ones_like(delta)
        positions["terms"] = positions["a"] * delta
        return {"a": None, "delta": None, "terms": positions["terms"].sum(axis=(1, 2)), "positions": positions}

    def multiply_adds(self) -> int:
        """About one example's forward multiply-adds: K's size at every output position."""
        return self.channels * self.in_shape[0] * self.kernel ** 2 * self.out_shape[1] * self.out_shape[2]

    def settings(self) -> dict:
        return {"in_shape": list(self.in_shape), "out_shape": list(self.out_shape), "channels": self.channels,
                "kernel": self.kernel, "stride": self.stride, "padding": self.padding}
