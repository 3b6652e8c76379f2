"""Draw every registered dataset (500 points, noise 0, seed 0) into docs/datasets.png.

Needs the optional "docs" extra (matplotlib).  Run from anywhere: ``python docs/make_dataset_pictures.py``.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # so the script runs without installing the package

from engine.datasets import DATASETS, make_dataset  # noqa: E402

N_SAMPLES, NOISE, SEED = 500, 0, 0
PANELS = [("circle", 2), ("xor", 2), ("gauss", 2), ("spiral", 2), ("spiral", 5),
          ("moons", 2), ("blobs", 4), ("plane", 1), ("multigauss", 1)]
CLASS_COLOURS = ["#f59322", "#0877bd", "#2ca02c", "#d62728", "#9467bd"]  # Playground's orange/blue first


def draw(ax: plt.Axes, name: str, n_classes: int) -> None:
    """Scatter one dataset on ax, titled with its name and class counts (or target range)."""
    x, y = make_dataset(name, N_SAMPLES, NOISE, n_classes, np.random.default_rng(SEED))
    if DATASETS[name].task == "regression":
        limit = np.abs(y).max()
        points = ax.scatter(x[:, 0], x[:, 1], c=y, cmap="RdBu", vmin=-limit, vmax=limit, s=9)
        plt.colorbar(points, ax=ax, fraction=0.046, pad=0.04)
        ax.set_title(f"{name}: target {y.min():.2f}..{y.max():.2f}")
    else:
        ax.scatter(x[:, 0], x[:, 1], c=[CLASS_COLOURS[k] for k in y], s=9)
        counts = "/".join(str(c) for c in np.bincount(y, minlength=n_classes))
        ax.set_title(f"{name} (C={n_classes}): {counts}")
    ax.set(xlim=(-6.5, 6.5), ylim=(-6.5, 6.5), aspect="equal")


def main() -> None:
    """Write docs/datasets.png with one panel per dataset."""
    fig, axes = plt.subplots(3, 3, figsize=(13, 13))
    for ax, (name, n_classes) in zip(axes.flat, PANELS):
        draw(ax, name, n_classes)
    fig.suptitle(f"Backprop Lab datasets: {N_SAMPLES} points, noise {NOISE}, seed {SEED}")
    fig.tight_layout()
    fig.savefig(ROOT / "docs" / "datasets.png", dpi=80)


if __name__ == "__main__":
    main()
