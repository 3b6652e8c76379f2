"""The packed and quantized arrays of frames: quantizing a stack at once equals one by one."""
import numpy as np
import pytest

from server.encoding import QUANT_LEVELS, quantize, quantize_each, unpack

RNG = np.random.default_rng(7)
STACKS = {
    "random": RNG.normal(size=(5, 4, 3)),
    "constant maps": np.stack([np.full((2, 2), 3.5), np.zeros((2, 2)), RNG.normal(size=(2, 2))]),
    "non-finite values": np.array([[np.nan, 1.0, -2.0], [np.inf, -np.inf, 0.5], [np.nan, np.nan, np.nan]]),
    "huge and tiny": np.array([[1e300, -1e300, 0.0], [1e-300, 2e-300, 3e-300]]),
    "one map": RNG.uniform(-1, 1, size=(1, 20, 20)),
}


@pytest.mark.parametrize("name", STACKS)
def test_quantize_each_is_quantize_of_each(name):
    stack = STACKS[name]
    assert quantize_each(stack) == [quantize(a) for a in stack]


def test_quantized_values_are_within_half_a_level_and_non_finite_is_nan():
    stack = STACKS["non-finite values"]
    for encoded, original in zip(quantize_each(stack), stack):
        back = unpack(encoded)
        finite = np.isfinite(original)
        assert np.array_equal(np.isnan(back), ~finite)
        if finite.any():
            step = (encoded["max"] - encoded["min"]) / QUANT_LEVELS
            assert np.all(np.abs(back[finite] - original[finite]) <= step / 2 + 1e-12)
