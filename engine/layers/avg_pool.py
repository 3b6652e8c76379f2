"""Average pooling: each window's mean (torch's avg_pool2d with kernel_size = stride = size); its
gradient shares dz equally over the window."""
import numpy as np

from .pooling import Pool, window_views


class AvgPool(Pool):
    """z[b, c, i, j] = mean of window (i, j), its pixels added in row-major order; it keeps no cache."""
    kind = prefix = "avg_pool"
    description = "average pooling: the mean of each size × size window"

    def forward(self, x, params, mode):
        views = window_views(x, self.size)
        total = views[0].copy()
        for view in views[1:]:
            total += view
        return total / (self.size * self.size), None

    def backward(self, dz, cache, params, grads, need_dx=True):
        if not need_dx:
            return None
        dx = np.zeros((dz.shape[0], *self.in_shape), dtype=dz.dtype)
        share = dz / (self.size * self.size)
        for view in window_views(dx, self.size):
            view[...] = share
        return dx
