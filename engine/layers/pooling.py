"""What the pooling kinds share: non-overlapping size × size windows (stride = size, no padding,
the rows and columns that do not fill a window dropped, as torch's floor mode)."""
import numpy as np

from .base import Layer


def pooled_side(side: int, size: int) -> int:
    """Output rows (or columns) of a pool: ⌊side / size⌋."""
    return side // size


def windows(x, size: int):
    """x (B, C, H, W) cut into its windows: (B, C, H_out, W_out, size·size), each window's pixels
    in row-major order (a copy where the rows and columns cut away leave x non-contiguous)."""
    B, C, H, W = x.shape
    rows, cols = pooled_side(H, size), pooled_side(W, size)
    kept = x[:, :, :rows * size, :cols * size]
    return kept.reshape(B, C, rows, size, cols, size).transpose(0, 1, 2, 4, 3, 5).reshape(
        B, C, rows, cols, size * size)


def unwindow(terms, shape: tuple, size: int):
    """The adjoint of windows: terms (B, C, H_out, W_out, size·size) put back at their pixels, zero
    where no window reads: (B, C, H, W)."""
    B, C, rows, cols, _ = terms.shape
    out = np.zeros(shape, dtype=terms.dtype)
    out[:, :, :rows * size, :cols * size] = terms.reshape(B, C, rows, cols, size, size).transpose(
        0, 1, 2, 4, 3, 5).reshape(B, C, rows * size, cols * size)
    return out


class Pool(Layer):
    """A pooling layer: (B, C, H, W) -> (B, C, ⌊H/size⌋, ⌊W/size⌋), no parameters, no activation."""
    units_axis = 1
    activations = ()
    image = True
    config_fields = {"size": 2}

    def __init__(self, in_shape: tuple, size: int):
        C, H, W = in_shape
        super().__init__(in_shape, (C, pooled_side(H, size), pooled_side(W, size)))
        self.size = size

    @classmethod
    def from_config(cls, spec, in_shape, net, ends_sequence=False) -> "Pool":
        return cls(in_shape, spec.size)

    def multiply_adds(self) -> int:
        """About one example's forward work: one operation per input pixel."""
        C, H, W = self.in_shape
        return C * H * W

    def settings(self) -> dict:
        return {"in_shape": list(self.in_shape), "out_shape": list(self.out_shape), "size": self.size}
