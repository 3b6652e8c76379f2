"""Seeded 2-D toy datasets, modelled on TensorFlow Playground's ``dataset.ts``, and DATASETS,
the registry of every set of every input kind (the sequence sets are in ``sequences.py``, the
image sets in ``images.py``).

Every generator takes ``noise`` on Playground's slider scale (0..50) and divides it by 100.
Classification labels are int64 in 0..C-1 (Playground's -1 is 0, +1 is 1); regression targets
are float64.  All randomness comes from the ``np.random.Generator`` passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .images import IMAGES
from .sequences import SEQUENCES

Arrays = tuple[np.ndarray, np.ndarray]

_REGRESS_RADIUS = 6.0  # plane / multigauss points are uniform in [-6, 6]^2
_MOONS_SCALE = 10.0 / 3.0  # maps make_moons' x-extent [-1, 2] onto [-5, 5]
_MOONS_NOISE_STD = 2.0  # gaussian std (plot units) at noise/100 == 1, i.e. std 1.0 at slider 50
_BLOBS_RADIUS = 4.0
_MULTIGAUSS_CENTRES = np.array(
    [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]],
    dtype=np.float64,
)


@dataclass(frozen=True)
class DatasetSpec:
    """A registered set; make(n, noise, n_classes, rng) -> unshuffled (x (n, 2) float64, y (n,))."""

    name: str
    description: str
    task: str
    max_classes: int
    make: Callable[[int, float, int, np.random.Generator], Arrays]
    input_kind: str = "points"


def _class_sizes(n: int, n_classes: int) -> list[int]:
    """n split into n_classes counts differing by at most 1, extras on the first classes."""
    base, extra = divmod(n, n_classes)
    return [base + (k < extra) for k in range(n_classes)]


def _labels(sizes: list[int]) -> np.ndarray:
    """(sum(sizes),) int64 labels: k repeated sizes[k] times."""
    return np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)


def _gauss_std(noise: float) -> float:
    """Playground's gauss spread: variance linear from 0.5 (noise 0) to 4 (noise 50); returns std."""
    return float(np.sqrt(0.5 + 3.5 * (noise / 100) / 0.5))


def _circle(n: int, noise: float, n_classes: int, rng: np.random.Generator) -> Arrays:
    """Disk r < 2.5 (label 1) and ring 3.5..5 (label 0), labelled by the noisy point."""
    radius, level = 5.0, noise / 100
    parts = []
    for m, (r_lo, r_hi) in zip(_class_sizes(n, 2), [(radius * 0.7, radius), (0.0, radius * 0.5)]):
        r = rng.uniform(r_lo, r_hi, m)
        angle = rng.uniform(0.0, 2 * np.pi, m)
        parts.append(np.column_stack([r * np.sin(angle), r * np.cos(angle)]))
    x = np.concatenate(parts)
    noisy = x + rng.uniform(-radius, radius, x.shape) * level
    y = (np.hypot(noisy[:, 0], noisy[:, 1]) < radius * 0.5).astype(np.int64)
    return x, y


def _xor(n: int, noise: float, n_classes: int, rng: np.random.Generator) -> Arrays:
    """Uniform in +-5 pushed 0.3 off the axes; label 1 where x*y >= 0 for the noisy point."""
    sizes = _class_sizes(n, 2)
    quadrant_sign = np.where(_labels(sizes) == 1, 1.0, -1.0)  # sign(x*y) wanted per class
    magnitude = rng.uniform(0.0, 5.0, (n, 2)) + 0.3
    sign_x = rng.choice([-1.0, 1.0], n)
    x = magnitude * np.column_stack([sign_x, sign_x * quadrant_sign])
    noisy = x + rng.uniform(-5.0, 5.0, x.shape) * (noise / 100)
    y = (noisy[:, 0] * noisy[:, 1] >= 0).astype(np.int64)
    return x, y


def _gauss(n: int, noise: float, n_classes: int, rng: np.random.Generator) -> Arrays:
    """Two gaussians: label 0 at (-2, -2), label 1 at (2, 2)."""
    y = _labels(_class_sizes(n, 2))
    centres = np.array([[-2.0, -2.0], [2.0, 2.0]])[y]
    return centres + rng.normal(0.0, _gauss_std(noise), (n, 2)), y


def _spiral(n: int, noise: float, n_classes: int, rng: np.random.Generator) -> Arrays:
    """C interleaved arms; label k has deltaT = 2pi(k+1)/C, so C=2 matches Playground's labels."""
    sizes = _class_sizes(n, n_classes)
    parts = []
    for k, m in enumerate(sizes):
        frac = np.arange(m) / m
        t = 1.75 * frac * 2 * np.pi + 2 * np.pi * (k + 1) / n_classes
        parts.append(np.column_stack([5 * frac * np.sin(t), 5 * frac * np.cos(t)]))
    x = np.concatenate(parts)
    return x + rng.uniform(-1.0, 1.0, x.shape) * (noise / 100), _labels(sizes)


def _moons(n: int, noise: float, n_classes: int, rng: np.random.Generator) -> Arrays:
    """scikit-learn's make_moons (random angles) scaled by 10/3 and centred on the origin."""
    y = _labels(_class_sizes(n, 2))
    t = rng.uniform(0.0, np.pi, n)
    upper = np.column_stack([np.cos(t), np.sin(t)])
    lower = np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)])
    unit = np.where(y[:, None] == 0, upper, lower) - [0.5, 0.25]
    return unit * _MOONS_SCALE + rng.normal(0.0, _MOONS_NOISE_STD * noise / 100, (n, 2)), y


def _blobs(n: int, noise: float, n_classes: int, rng: np.random.Generator) -> Arrays:
    """C gaussian blobs centred evenly on a circle of radius 4, spread as in gauss."""
    y = _labels(_class_sizes(n, n_classes))
    angle = 2 * np.pi * y / n_classes
    centres = _BLOBS_RADIUS * np.column_stack([np.cos(angle), np.sin(angle)])
    return centres + rng.normal(0.0, _gauss_std(noise), (n, 2)), y


def _regress_points(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(clean (n, 2), noisy (n, 2)) points uniform in [-6, 6]^2, noise uniform(-6, 6)*noise/100."""
    x = rng.uniform(-_REGRESS_RADIUS, _REGRESS_RADIUS, (n, 2))
    return x, x + rng.uniform(-_REGRESS_RADIUS, _REGRESS_RADIUS, (n, 2)) * (noise / 100)


def _plane(n: int, noise: float, n_classes: int, rng: np.random.Generator) -> Arrays:
    """Target (x + y) / 10 of the noisy point, unclamped (so within +-1.2 at noise 0)."""
    x, noisy = _regress_points(n, noise, rng)
    return x, noisy.sum(axis=1) / 10


def _multigauss(n: int, noise: float, n_classes: int, rng: np.random.Generator) -> Arrays:
    """Target: the largest-magnitude sign*clamp(1 - dist/2, 0, 1) over six signed centres."""
    x, noisy = _regress_points(n, noise, rng)
    dist = np.linalg.norm(noisy[:, None, :] - _MULTIGAUSS_CENTRES[:, :2], axis=2)
    values = _MULTIGAUSS_CENTRES[:, 2] * np.clip(1 - dist / 2, 0.0, 1.0)
    return x, values[np.arange(n), np.argmax(np.abs(values), axis=1)]


POINT_SETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in [
        DatasetSpec("circle", "Disk inside a ring; labelled by the noisy point, so roughly balanced at noise > 0.",
                    "classification", 2, _circle),
        DatasetSpec("xor", "Four quadrants, opposite corners share a class; roughly balanced at noise > 0.",
                    "classification", 2, _xor),
        DatasetSpec("gauss", "Two gaussian clusters on the diagonal; spread grows with noise.",
                    "classification", 2, _gauss),
        DatasetSpec("spiral", "Two to five interleaved spiral arms.", "classification", 5, _spiral),
        DatasetSpec("moons", "Two interleaving half-moons, as in scikit-learn.", "classification", 2, _moons),
        DatasetSpec("blobs", "Two to five gaussian blobs on a circle; spread grows with noise.",
                    "classification", 5, _blobs),
        DatasetSpec("plane", "Regression: target rises linearly along x + y.", "regression", 1, _plane),
        DatasetSpec("multigauss", "Regression: six signed bumps in a 3x2 grid.", "regression", 1, _multigauss),
    ]
}


def _given(n: int, noise: float, n_classes: int, rng: np.random.Generator) -> Arrays:
    """The custom set is not generated: its points come in the config (engine/data.py reads them)."""
    raise ValueError("the custom set's points come in its config")


# A person's own points, uploaded or drawn: the config carries them ([[x1, x2, y], ...]) and says
# its task, so a trace or a config replays the run exactly.
CUSTOM = DatasetSpec("custom", "Your own points, from a CSV file or drawn on the plane.",
                     "classification", 5, _given)
GENERATED_SETS = {**POINT_SETS, **SEQUENCES, **IMAGES}  # the seeded sets, of every input kind, by name
DATASETS = {**GENERATED_SETS, CUSTOM.name: CUSTOM}  # every set, by name


def task_of(name: str, task: str | None = None) -> str:
    """A set's task: the registry's, or for the custom set the one its config names."""
    return (task or "classification") if name == CUSTOM.name else DATASETS[name].task


def make_dataset(name: str, n_samples: int, noise: float, n_classes: int, rng: np.random.Generator) -> Arrays:
    """Return (x (n_samples, 2) float64, y (n_samples,)) for the named set, shuffled by rng."""
    x, y = POINT_SETS[name].make(n_samples, noise, n_classes, rng)
    order = rng.permutation(n_samples)
    return x[order], y[order]


def split(x: np.ndarray, y: np.ndarray, train_fraction: float, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """(x (n, ...), y (n, ...)) -> (x_train, y_train, x_test, y_test), a random split with both parts non-empty."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y)
    n = len(x)
    n_train = max(1, min(n - 1, round(n * train_fraction)))
    order = rng.permutation(n)
    train, test = order[:n_train], order[n_train:]
    return x[train], y[train], x[test], y[test]
