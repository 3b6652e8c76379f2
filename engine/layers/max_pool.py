"""Max pooling: each window's largest value; its gradient goes to the first maximum in row-major
order (torch's max_pool2d with kernel_size = stride = size; a NaN in a window is its maximum)."""
import numpy as np

from .pooling import Pool, window_views


class MaxPool(Pool):
    """z[b, c, i, j] = max of window (i, j); its cache is each window's first maximum, as its
    offset u·size + v (B, C, H_out, W_out)."""
    kind = prefix = "max_pool"
    description = "max pooling: the largest value of each size × size window"

    def forward(self, x, params, mode):
        views = window_views(x, self.size)
        z = views[0].copy()
        first = np.zeros(z.shape, dtype=np.intp)
        for k, view in enumerate(views[1:], start=1):
            wins = ~(view <= z) & (z == z)  # larger, or a NaN where z is not one yet
            np.copyto(z, view, where=wins)
            np.copyto(first, k, where=wins)
        return z, (first if mode == "train" else None)

    def backward(self, dz, cache, params, grads, need_dx=True):
        if not need_dx:
            return None
        dx = np.zeros((dz.shape[0], *self.in_shape), dtype=dz.dtype)
        for k, view in enumerate(window_views(dx, self.size)):
            view[...] = np.where(cache == k, dz, 0.0)
        return dx
