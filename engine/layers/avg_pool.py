"""Average pooling: each window's mean (torch's avg_pool2d with kernel_size = stride = size); its
gradient shares dz equally over the window."""
import numpy as np

from .pooling import Pool, unwindow, windows


class AvgPool(Pool):
    """z[b, c, i, j] = mean of window (i, j); it keeps no cache."""
    kind = prefix = "avg_pool"
    description = "average pooling: the mean of each size × size window"

    def forward(self, x, params, mode):
        return windows(x, self.size).mean(axis=-1), None

    def backward(self, dz, cache, params, grads, need_dx=True):
        if not need_dx:
            return None
        share = dz / (self.size * self.size)
        terms = np.broadcast_to(share[..., None], dz.shape + (self.size * self.size,))
        return unwindow(terms, (dz.shape[0], *self.in_shape), self.size)
