"""Activation functions as a registry of (forward, derivative) pairs, PyTorch's definitions."""
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

GELU_K = math.sqrt(2.0 / math.pi)
GELU_C = 0.044715
LEAKY_SLOPE = 0.01


def sigmoid(z):
    """Logistic function computed stably for any z: (...) -> (...)."""
    return np.exp(-np.logaddexp(0.0, -z))


@dataclass(frozen=True)
class Activation:
    name: str
    description: str
    forward: Callable  # z -> a
    backward: Callable  # (z, a, da) -> dz
    saturates: bool = False  # sigmoid and tanh: saturated_fraction applies
    rectifies: bool = False  # relu: dead_fraction applies
    kinked: bool = False  # relu, leaky_relu: the slope jumps at z = 0 (differences across it mislead)


def _gelu(z):
    """GELU, tanh approximation: (...) -> (...)."""
    return 0.5 * z * (1.0 + np.tanh(GELU_K * (z + GELU_C * z**3)))


def _gelu_backward(z, a, da):
    """dL/dz of GELU (tanh approximation) from dL/da: (...) -> (...)."""
    t = np.tanh(GELU_K * (z + GELU_C * z**3))
    return da * (0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * GELU_K * (1.0 + 3.0 * GELU_C * z * z))


def _silu_backward(z, a, da):
    """dL/dz of SiLU from dL/da: (...) -> (...)."""
    s = sigmoid(z)
    return da * (s * (1.0 + z * (1.0 - s)))


ACTIVATIONS = {a.name: a for a in [
    Activation("linear", "identity: a = z", lambda z: z, lambda z, a, da: da),
    Activation("sigmoid", "1 / (1 + e^-z); saturates at 0 and 1, derivative at most 0.25",
               sigmoid, lambda z, a, da: da * (a * (1.0 - a)), saturates=True),
    Activation("tanh", "hyperbolic tangent; saturates at ±1", np.tanh,
               lambda z, a, da: da * (1.0 - a * a), saturates=True),
    Activation("relu", "max(0, z); units stuck below zero stop learning (dead)",
               lambda z: np.maximum(z, 0.0), lambda z, a, da: da * (z > 0), rectifies=True, kinked=True),
    Activation("leaky_relu", "z for z > 0, 0.01·z otherwise",
               lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
               lambda z, a, da: np.where(z > 0, da, LEAKY_SLOPE * da), kinked=True),
    Activation("elu", "z for z > 0, e^z − 1 otherwise (alpha 1)",
               lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0))),
               lambda z, a, da: np.where(z > 0, da, da * (a + 1.0))),
    Activation("gelu", "z·Φ(z), tanh approximation as in GPT-2", _gelu, _gelu_backward),
    Activation("softplus", "log(1 + e^z), a smooth relu (beta 1)",
               lambda z: np.logaddexp(0.0, z), lambda z, a, da: da * sigmoid(z)),
    Activation("silu", "z·sigmoid(z) (swish)", lambda z: z * sigmoid(z), _silu_backward),
]}
