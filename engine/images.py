"""Image datasets for convolutional nets: inputs (n, C, H, W) in [0, 1] plus noise, labels (n,).
`digits` is real (engine/digits.py); `bars` and `tees` are drawn from the rng passed in, with
`noise` on the points sets' scale (0..50): gaussian pixel noise of std noise/100."""
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .digits import DIGITS_COUNT, load_digits

Arrays = tuple[np.ndarray, np.ndarray]
BAR_SIDE, BAR_LENGTH = 8, 4
TEE_SIDE, TEE_BAR, TEE_STEM = 12, 5, 3


@dataclass(frozen=True)
class ImageSpec:
    """A registered image set; make(n, noise, rng) -> (x (n, C, H, W) float64, y (n,) int64), in an
    order the split then shuffles. `samples` fixes n for a set of real images (None: n_samples)."""
    name: str
    description: str
    max_classes: int  # its classes: always all of them
    shape: tuple  # (C, H, W) of one image
    channels: tuple  # the name of each channel
    make: Callable[[int, float, np.random.Generator], Arrays]
    samples: int | None = None
    task: str = "classification"
    input_kind: str = "image"


def _digits(n: int, noise: float, rng: np.random.Generator) -> Arrays:
    """The 1,797 real digits, in the file's order (noise does not apply)."""
    return load_digits()


def _noisy(images, noise: float, rng) -> np.ndarray:
    """images plus gaussian pixel noise of std noise/100 (none at 0, so no draw)."""
    return images + rng.normal(0.0, noise / 100, images.shape) if noise else images


def _bars(n: int, noise: float, rng: np.random.Generator) -> Arrays:
    """A bar of BAR_LENGTH pixels at a random place in a BAR_SIDE² image: label 0 horizontal, 1
    vertical. One 3×3 kernel that answers a horizontal line and not a vertical one tells them apart."""
    y = rng.integers(0, 2, n)
    along = rng.integers(0, BAR_SIDE - BAR_LENGTH + 1, n)  # where the bar starts along its length
    across = rng.integers(0, BAR_SIDE, n)  # the row (horizontal) or column (vertical) it lies on
    images = np.zeros((n, 1, BAR_SIDE, BAR_SIDE))
    for k in range(n):
        span = slice(along[k], along[k] + BAR_LENGTH)
        if y[k] == 0:
            images[k, 0, across[k], span] = 1.0
        else:
            images[k, 0, span, across[k]] = 1.0
    return _noisy(images, noise, rng), y


TEE_STEMS = ((1, 0), (-1, 0), (0, 1), (0, -1))  # class -> the stem's direction (row, column): down, up, right, left


def _tees(n: int, noise: float, rng: np.random.Generator) -> Arrays:
    """A bar of TEE_BAR pixels and a stem of TEE_STEM from its middle, at a random place in a
    TEE_SIDE² image; the class is only where the stem sits: 0 below a horizontal bar (T), 1 above
    it (⊥), 2 right of a vertical bar (⊢), 3 left of it (⊣). Classes 0 and 1 hold the same two
    parts (a horizontal bar, a vertical stem) and differ in their arrangement alone."""
    y = rng.integers(0, 4, n)
    images = np.zeros((n, 1, TEE_SIDE, TEE_SIDE))
    half = TEE_BAR // 2
    for k in range(n):
        down, right = TEE_STEMS[y[k]]
        across = np.arange(-half, half + 1)  # the bar, centred on its middle pixel
        stem = np.arange(1, TEE_STEM + 1)
        rows = np.r_[across * 0, stem * down] if down else np.r_[across, stem * 0]
        cols = np.r_[across, stem * 0] if down else np.r_[across * 0, stem * right]
        top = rng.integers(-rows.min(), TEE_SIDE - rows.max())
        left = rng.integers(-cols.min(), TEE_SIDE - cols.max())
        images[k, 0, rows + top, cols + left] = 1.0
    return _noisy(images, noise, rng), y


IMAGES: dict[str, ImageSpec] = {spec.name: spec for spec in [
    ImageSpec("digits", "Handwritten digits 0-9, 8×8 (the UCI set as scikit-learn ships it, 1,797 "
              "images, CC BY 4.0).", 10, (1, 8, 8), ("ink",), _digits, samples=DIGITS_COUNT),
    ImageSpec("bars", f"A horizontal or a vertical bar at a random place, {BAR_SIDE}×{BAR_SIDE}: "
              "one 3×3 kernel tells them apart.", 2, (1, BAR_SIDE, BAR_SIDE), ("ink",), _bars),
    ImageSpec("tees", f"T shapes, {TEE_SIDE}×{TEE_SIDE}: the four classes differ only in where the "
              "stem sits on the bar (below, above, right, left), so the layers must keep where parts "
              "are, not just which.", 4, (1, TEE_SIDE, TEE_SIDE), ("ink",), _tees),
]}


def make_images(name: str, n: int, noise: float, rng: np.random.Generator) -> Arrays:
    """(x (n, C, H, W), y (n,)) for the named set (n is the set's own for real images)."""
    return IMAGES[name].make(n, noise, rng)
