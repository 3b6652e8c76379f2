"""TensorFlow Playground's input features as a registry, plus train-statistics standardisation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FeatureSpec:
    """A named input feature; fn maps (n, 2) raw points to an (n,) column."""

    name: str
    label: str
    description: str
    fn: Callable[[np.ndarray], np.ndarray]


FEATURES: dict[str, FeatureSpec] = {
    spec.name: spec
    for spec in [
        FeatureSpec("x1", "x₁", "First coordinate.", lambda x: x[:, 0]),
        FeatureSpec("x2", "x₂", "Second coordinate.", lambda x: x[:, 1]),
        FeatureSpec("x1_sq", "x₁²", "First coordinate squared.", lambda x: x[:, 0] ** 2),
        FeatureSpec("x2_sq", "x₂²", "Second coordinate squared.", lambda x: x[:, 1] ** 2),
        FeatureSpec("x1x2", "x₁x₂", "Product of the two coordinates.", lambda x: x[:, 0] * x[:, 1]),
        FeatureSpec("sin_x1", "sin(x₁)", "Sine of the first coordinate.", lambda x: np.sin(x[:, 0])),
        FeatureSpec("sin_x2", "sin(x₂)", "Sine of the second coordinate.", lambda x: np.sin(x[:, 1])),
    ]
}


def expand_features(x: np.ndarray, names: list[str]) -> np.ndarray:
    """(n, 2) raw points -> (n, len(names)) feature matrix, columns in the order given."""
    x = np.asarray(x, dtype=np.float64)
    out = np.empty((len(x), len(names)), dtype=np.float64)
    for j, name in enumerate(names):
        out[:, j] = FEATURES[name].fn(x)
    return out


def standardization(train: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shift and scale (F,) that bring the training columns (n, F) to zero mean, unit std."""
    # A constant column's float std can come out as ~1e-17 rather than 0, so test the spread exactly.
    return train.mean(axis=0), np.where(np.ptp(train, axis=0) > 0, train.std(axis=0), 1.0)
