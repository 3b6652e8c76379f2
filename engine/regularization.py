"""Penalties on dense weights and gradient clipping, on the flat gradient vector."""
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

CLIP_EPS = 1e-6  # torch.nn.utils.clip_grad_norm_ adds it to the norm


def global_norm(g) -> float:
    """‖g‖₂ of a (P,) vector, rescaled when the plain sum of squares would overflow."""
    with np.errstate(over="ignore"):
        total = float(np.dot(g, g))
    if math.isfinite(total):
        return math.sqrt(total)
    largest = float(np.max(np.abs(g)))
    if not math.isfinite(largest):
        return largest
    scaled = g / largest
    return largest * math.sqrt(float(np.dot(scaled, scaled)))


def penalize(grad, theta, weight_mask, l1, l2):
    """Add l1·sign(W) + l2·W on dense weights only: (P,) -> (P,) (a new array when a penalty is on)."""
    if l1 == 0.0 and l2 == 0.0:
        return grad
    penalty = l2 * theta
    if l1:
        penalty = penalty + l1 * np.sign(theta)
    return grad + penalty * weight_mask


@dataclass(frozen=True)
class Clip:
    name: str
    description: str
    apply: Callable  # (g (P,), norm, threshold) -> clipped g (P,)


def _clip_norm(g, norm, threshold):
    """Rescale all gradients together when their global norm exceeds the threshold."""
    factor = threshold / (norm + CLIP_EPS)
    return g * factor if factor < 1.0 else g


CLIPS = {c.name: c for c in [
    Clip("none", "no clipping", lambda g, norm, threshold: g),
    Clip("norm", "rescale all gradients together to a global norm of at most the threshold",
         _clip_norm),
    Clip("value", "clamp each gradient element to ±threshold",
         lambda g, norm, threshold: np.clip(g, -threshold, threshold)),
]}
