"""Weight initializers as a registry, the formulas of DESIGN.md, each scaled by a gain g."""
from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Init:
    name: str
    description: str
    sample: Callable  # (rng, fan_in, fan_out, gain, shape=None) -> W (fan_in, fan_out), or `shape`, float64


def _uniform(bound):
    """An initializer drawing U(±bound(fan_in, fan_out, g))."""
    def sample(rng, fan_in, fan_out, gain, shape=None):
        limit = bound(fan_in, fan_out, gain)
        return rng.uniform(-limit, limit, size=shape or (fan_in, fan_out))
    return sample


def _normal(std):
    """An initializer drawing N(0, std(fan_in, fan_out, g)^2)."""
    def sample(rng, fan_in, fan_out, gain, shape=None):
        return rng.normal(0.0, std(fan_in, fan_out, gain), size=shape or (fan_in, fan_out))
    return sample


def _orthogonal(rng, fan_in, fan_out, gain, shape=None):
    """g·Q with orthonormal rows or columns (whichever the shape allows): (fan_in, fan_out); a
    kernel `shape` (C_out, C_in, k, k) is Q of (C_out, C_in·k·k) reshaped, as torch's orthogonal_."""
    if shape is not None:
        flat = (shape[0], int(np.prod(shape[1:])))
        return _orthogonal(rng, *flat, gain).reshape(shape)
    rows, cols = max(fan_in, fan_out), min(fan_in, fan_out)
    q, r = np.linalg.qr(rng.normal(size=(rows, cols)))
    q = q * np.sign(np.diag(r))
    return gain * (q if fan_in >= fan_out else q.T)


INITS = {i.name: i for i in [
    Init("zeros", "all weights 0: every unit in a layer stays identical (symmetry never breaks)",
         lambda rng, fan_in, fan_out, gain, shape=None: np.zeros(shape or (fan_in, fan_out))),
    Init("uniform", "U(±g/√fan_in), the 'standard' init (PyTorch Linear's default at g = 1)",
         _uniform(lambda i, o, g: g / np.sqrt(i))),
    Init("normal", "N(0, g²), a fixed std whatever the width", _normal(lambda i, o, g: g)),
    Init("xavier_uniform", "U(±g·√(6/(fan_in+fan_out))), Glorot: keeps variance for tanh",
         _uniform(lambda i, o, g: g * np.sqrt(6.0 / (i + o)))),
    Init("xavier_normal", "N(0, g²·2/(fan_in+fan_out)), Glorot",
         _normal(lambda i, o, g: g * np.sqrt(2.0 / (i + o)))),
    Init("he_uniform", "U(±g·√(6/fan_in)), He: keeps variance for relu",
         _uniform(lambda i, o, g: g * np.sqrt(6.0 / i))),
    Init("he_normal", "N(0, g²·2/fan_in), He", _normal(lambda i, o, g: g * np.sqrt(2.0 / i))),
    Init("lecun_normal", "N(0, g²/fan_in), LeCun", _normal(lambda i, o, g: g * np.sqrt(1.0 / i))),
    Init("orthogonal", "g·Q, Q orthogonal (Saxe et al.)", _orthogonal),
]}
