"""Convolution and pooling layers (issue 15, point 1): torch's conventions checked against the
definitions written out as loops, gradients against centred finite differences in float64
(relative error < 1e-6), the first maximum's gradient, float32, and how kernels start."""
import numpy as np
import pytest

from engine.inits import INITS
from engine.layers import AvgPool, Conv2d, MaxPool
from gradcheck import assert_close_grad, numeric_grad

pytestmark = pytest.mark.filterwarnings("error")

TOLERANCE = 1e-6  # per-tensor relative error, as the issue asks


def conv_by_definition(x, K, b, stride, padding):
    """torch's conv2d written out: z[n, o, i, j] = b[o] + Σ_c,u,v K[o, c, u, v]·xp[n, c, i·s + u, j·s + v]."""
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    C_out, _, k, _ = K.shape
    rows = (xp.shape[2] - k) // stride + 1
    cols = (xp.shape[3] - k) // stride + 1
    z = np.empty((x.shape[0], C_out, rows, cols))
    for n in range(x.shape[0]):
        for o in range(C_out):
            for i in range(rows):
                for j in range(cols):
                    patch = xp[n, :, i * stride:i * stride + k, j * stride:j * stride + k]
                    z[n, o, i, j] = b[o] + np.sum(K[o] * patch)
    return z


def params_of(layer, rng):
    """Random parameters and zeroed gradients of a layer, by key."""
    params = {s.key: rng.normal(size=s.shape) for s in layer.params}
    return params, {s.key: np.zeros(s.shape) for s in layer.params}


def check_layer(layer, x, rng):
    """Backward of loss = Σ z·R against finite differences, for every parameter and the input."""
    params, grads = params_of(layer, rng)
    R = rng.normal(size=(x.shape[0], *layer.out_shape))

    def loss():
        return float(np.sum(layer.forward(x, params, "eval")[0] * R))

    z, cache = layer.forward(x, params, "train")
    dx = layer.backward(R, cache, params, grads)
    assert z.shape == (x.shape[0], *layer.out_shape) and dx.shape == x.shape
    for key in params:
        assert_close_grad(grads[key], numeric_grad(loss, params[key]), key, TOLERANCE)
    assert_close_grad(dx, numeric_grad(loss, x), "dx", TOLERANCE)
    return params, z


CONVS = [(stride, padding, c_in, c_out, k, side) for stride, padding, c_in, c_out, k, side in [
    (1, 0, 1, 3, 3, 6), (1, 1, 2, 3, 3, 6), (2, 0, 3, 2, 3, 7), (2, 1, 2, 4, 3, 6), (1, 2, 2, 2, 5, 5),
    (2, 1, 3, 2, 2, 5)]]


@pytest.mark.parametrize("stride,padding,c_in,c_out,k,side", CONVS)
def test_conv2d_is_torchs_cross_correlation_and_its_gradients_match_finite_differences(
        stride, padding, c_in, c_out, k, side):
    rng = np.random.default_rng(stride * 10 + padding)
    layer = Conv2d((c_in, side, side), c_out, k, stride, padding)
    x = rng.normal(size=(3, c_in, side, side))
    params, z = check_layer(layer, x, rng)
    assert np.allclose(z, conv_by_definition(x, params["K"], params["b"], stride, padding), rtol=0, atol=1e-12)
    assert layer.out_shape == (c_out, (side + 2 * padding - k) // stride + 1, (side + 2 * padding - k) // stride + 1)


def test_a_non_square_map_keeps_rows_and_columns_apart():
    rng = np.random.default_rng(7)
    layer = Conv2d((2, 5, 8), 3, 3, 2, 1)
    x = rng.normal(size=(2, 2, 5, 8))
    params, z = check_layer(layer, x, rng)
    assert z.shape == (2, 3, 3, 4)
    assert np.allclose(z, conv_by_definition(x, params["K"], params["b"], 2, 1), rtol=0, atol=1e-12)


@pytest.mark.parametrize("kind", [MaxPool, AvgPool])
@pytest.mark.parametrize("size,shape", [(2, (3, 6, 6)), (2, (2, 5, 7)), (3, (2, 7, 6))])
def test_pools_gradients_match_finite_differences_with_floor(kind, size, shape):
    rng = np.random.default_rng(size)
    layer = kind(shape, size)
    x = rng.normal(size=(2, *shape))  # distinct values: no ties, so max pool is differentiable here
    _, z = check_layer(layer, x, rng)
    C, H, W = shape
    assert layer.out_shape == (C, H // size, W // size)
    windows = x[:, :, :H // size * size, :W // size * size].reshape(2, C, H // size, size, W // size, size)
    expected = windows.max(axis=(3, 5)) if kind is MaxPool else windows.mean(axis=(3, 5))
    assert np.allclose(z, expected, rtol=0, atol=1e-15)


def test_max_pool_sends_the_gradient_to_the_first_maximum_in_row_major_order():
    x = np.array([[[[1.0, 3.0, 0.0, 0.0],
                    [3.0, 3.0, 0.0, 0.0],
                    [2.0, 2.0, 5.0, 1.0],
                    [2.0, 2.0, 1.0, 5.0]]]])
    layer = MaxPool((1, 4, 4), 2)
    z, cache = layer.forward(x, {}, "train")
    dx = layer.backward(np.array([[[[10.0, 20.0], [30.0, 40.0]]]]), cache, {}, {})
    assert np.array_equal(z, [[[[3.0, 0.0], [2.0, 5.0]]]])
    assert np.array_equal(dx, [[[[0, 10, 20, 0], [0, 0, 0, 0], [30, 0, 40, 0], [0, 0, 0, 0]]]])


def test_a_nan_in_a_window_is_its_maximum_as_in_torch():
    x = np.array([[[[1.0, np.nan, 7.0, 2.0], [np.nan, 9.0, 0.0, 1.0]]]])
    layer = MaxPool((1, 2, 4), 2)
    z, cache = layer.forward(x, {}, "train")
    dx = layer.backward(np.array([[[[3.0, 4.0]]]]), cache, {}, {})
    assert np.isnan(z[0, 0, 0, 0]) and z[0, 0, 0, 1] == 7.0
    assert np.array_equal(dx, [[[[0, 3, 4, 0], [0, 0, 0, 0]]]])  # to the first NaN


def test_the_layers_keep_float32():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 2, 6, 6)).astype(np.float32)
    for layer in (Conv2d((2, 6, 6), 3, 3, 1, 1), MaxPool((2, 6, 6), 2), AvgPool((2, 6, 6), 3)):
        params = {s.key: rng.normal(size=s.shape).astype(np.float32) for s in layer.params}
        grads = {s.key: np.zeros(s.shape, np.float32) for s in layer.params}
        z, cache = layer.forward(x, params, "train")
        dx = layer.backward(np.ones_like(z), cache, params, grads)
        assert z.dtype == dx.dtype == np.float32 and all(g.dtype == np.float32 for g in grads.values())


class Net:
    """What Conv2d.initialize reads of the network config."""
    init, init_gain, bias_init = "he_uniform", 1.0, 0.5


def test_kernels_start_from_init_with_torchs_conv_fans():
    layer = Conv2d((3, 8, 8), 16, 5)
    params = {"K": np.empty((16, 3, 5, 5)), "b": np.empty(16)}
    layer.initialize(params, np.random.default_rng(0), Net)
    bound = np.sqrt(6.0 / (3 * 5 * 5))  # He uniform: fan_in = C_in·k·k
    assert np.abs(params["K"]).max() <= bound and np.abs(params["K"]).max() > 0.9 * bound
    assert np.array_equal(params["b"], np.full(16, 0.5))
    Q = INITS["orthogonal"].sample(np.random.default_rng(0), 75, 400, 1.0, (16, 3, 5, 5)).reshape(16, -1)
    assert np.allclose(Q @ Q.T, np.eye(16), atol=1e-12)  # torch's orthogonal_: rows of (C_out, C_in·k·k)
    xavier = INITS["xavier_uniform"].sample(np.random.default_rng(0), 75, 400, 1.0, (16, 3, 5, 5))
    assert np.abs(xavier).max() <= np.sqrt(6.0 / (75 + 400))  # fan_out = C_out·k·k
