"""What the pooling kinds share: non-overlapping size × size windows (stride = size, no padding,
the rows and columns that do not fill a window dropped, as torch's floor mode), read as size²
strided views of the input, one per offset in the window."""
from .base import Layer


def pooled_side(side: int, size: int) -> int:
    """Output rows (or columns) of a pool: ⌊side / size⌋."""
    return side // size


def window_views(x, size: int) -> list:
    """The pixel at each offset (u, v) of every window, row-major in (u, v): size² strided views
    (B, C, H_out, W_out) of x (B, C, H, W), no copy."""
    rows, cols = pooled_side(x.shape[2], size), pooled_side(x.shape[3], size)
    return [x[:, :, u:rows * size:size, v:cols * size:size] for u in range(size) for v in range(size)]


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
