"""All parameters in one flat buffer, all gradients in another, with named per-tensor views."""
import numpy as np

FUSED_LIMIT = 32768  # parameters up to which one fused reduceat beats a dot per tensor


class ParamStore:
    """Flat `theta` and `grad` vectors (P,) with views `params[name]`, `grads[name]` of each shape."""

    def __init__(self, shapes: dict, dtype):
        self.shapes = dict(shapes)
        sizes = [int(np.prod(shape)) for shape in self.shapes.values()]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.intp)
        self.slices = {name: slice(int(start), int(stop)) for name, start, stop
                       in zip(self.shapes, self.offsets[:-1], self.offsets[1:])}
        self.size = int(self.offsets[-1])
        self.theta = np.zeros(self.size, dtype=dtype)
        self.grad = np.zeros(self.size, dtype=dtype)
        self.params = self.views(self.theta)
        self.grads = self.views(self.grad)

    def views(self, flat) -> dict:
        """Name -> view of the tensor's shape, for any (P,) vector laid out like theta."""
        return {name: flat[self.slices[name]].reshape(shape) for name, shape in self.shapes.items()}

    def segment_sums(self, values) -> np.ndarray:
        """Per-tensor sums of a (P,) vector, in one reduceat: (P,) -> (n_tensors,)."""
        return np.add.reduceat(values, self.offsets[:-1])

    def sums_of_squares(self, flat) -> np.ndarray:
        """Per-tensor Σv² of a (P,) vector, in float64: (P,) -> (n_tensors,).

        Small stores take one fused reduceat; large ones one BLAS dot per tensor, which makes no
        temporary (a float32 dot that overflows is redone in float64)."""
        if self.size <= FUSED_LIMIT:
            return self.segment_sums(np.multiply(flat, flat, dtype=np.float64))
        sums = np.array([np.dot(flat[s], flat[s]) for s in self.slices.values()], dtype=np.float64)
        for k in np.flatnonzero(~np.isfinite(sums)):
            part = flat[list(self.slices.values())[k]].astype(np.float64)
            sums[k] = np.dot(part, part)
        return sums

    def mask(self, names) -> np.ndarray:
        """(P,) vector of ones on the named tensors and zeros elsewhere."""
        mask = np.zeros(self.size, dtype=self.theta.dtype)
        for name in names:
            mask[self.slices[name]] = 1
        return mask
