"""Max pooling: each window's largest value; its gradient goes to the first maximum in row-major
order (torch's max_pool2d with kernel_size = stride = size)."""
import numpy as np

from .pooling import Pool, unwindow, windows


class MaxPool(Pool):
    """z[b, c, i, j] = max of window (i, j); its cache is each window's argmax (B, C, H_out, W_out)."""
    kind = prefix = "max_pool"
    description = "max pooling: the largest value of each size × size window"

    def forward(self, x, params, mode):
        cut = windows(x, self.size)
        z = cut.max(axis=-1)  # NaN where a window holds one, as in torch
        if mode != "train":
            return z, None
        return z, cut.argmax(axis=-1)  # the first maximum (or the first NaN)

    def backward(self, dz, cache, params, grads, need_dx=True):
        if not need_dx:
            return None
        terms = np.zeros(dz.shape + (self.size * self.size,), dtype=dz.dtype)
        np.put_along_axis(terms, cache[..., None], dz[..., None], axis=-1)
        return unwindow(terms, (dz.shape[0], *self.in_shape), self.size)
