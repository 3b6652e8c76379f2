"""The rules of a network on images: image layers (conv2d, pools) first, then dense layers that
flatten; how many and how large; and each layer's shape walked from the image, so a kernel
larger than its padded input or a pool that leaves no pixels is named with the shapes."""
from .config_errors import ConfigError
from .layers.conv2d import out_side
from .layers.pooling import pooled_side
from .limits import LIMITS


def _map(C: int, H: int, W: int) -> str:
    """A map's shape as the errors write it: `8 channels of 4×4`."""
    return f"{C} channel{'s' * (C != 1)} of {H}×{W}"


def check_image_layers(network, kinds, shape: tuple) -> None:
    """The hidden layers of a net on images of shape (C, H, W), in order, against the limits."""
    image = [k for k, kind in enumerate(kinds) if kind.image]
    after_dense = next((k for k in image if k > 0 and not kinds[k - 1].image), None)
    if after_dense is not None:
        raise ConfigError(f"network.hidden.{after_dense}.kind", f"a {kinds[after_dense].kind} layer cannot "
                          "follow a dense one (a dense layer flattens the maps)")
    convs = [k for k in image if kinds[k].kind == "conv2d"]
    if len(convs) > LIMITS["max_conv_layers"]:
        raise ConfigError("network.hidden", f"at most {LIMITS['max_conv_layers']} conv2d layers "
                          f"(got {len(convs)})")
    C, H, W = shape
    for k in image:
        layer = network.hidden[k]
        if kinds[k].kind == "conv2d":
            C, H, W = _conv_shape(k, layer, C, H, W)
        else:
            if pooled_side(H, layer.size) == 0 or pooled_side(W, layer.size) == 0:
                raise ConfigError(f"network.hidden.{k}", f"{layer.kind} of size {layer.size} on a {H}×{W} "
                                  "map leaves nothing")
            H, W = pooled_side(H, layer.size), pooled_side(W, layer.size)


def _conv_shape(k: int, layer, C: int, H: int, W: int) -> tuple:
    """The (C, H, W) a conv2d layer makes of its input's, or the ConfigError that it cannot."""
    where = f"network.hidden.{k}"
    if layer.padding > layer.kernel // 2:
        raise ConfigError(f"{where}.padding", f"padding {layer.padding} is more than half the "
                          f"{layer.kernel}×{layer.kernel} kernel (at most {layer.kernel // 2}, as torch)")
    padded = (H + 2 * layer.padding, W + 2 * layer.padding)
    if layer.kernel > min(padded):
        raise ConfigError(f"{where}.kernel", f"a {layer.kernel}×{layer.kernel} kernel is larger than "
                          f"its padded input {padded[0]}×{padded[1]} ({_map(C, H, W)}, padding {layer.padding})")
    return (layer.channels, out_side(H, layer.kernel, layer.stride, layer.padding),
            out_side(W, layer.kernel, layer.stride, layer.padding))
