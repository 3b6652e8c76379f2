"""A run's data: the seeded dataset, split, expanded into features and optionally standardized."""
from dataclasses import dataclass

import numpy as np

from .config import DatasetConfig
from .datasets import DATASETS, make_dataset, split
from .features import expand_features, standardization


@dataclass
class Data:
    """Train and test inputs (N, F) as the network sees them, labels (N,), and the raw 2-D points."""
    task: str
    n_classes: int  # 0 for regression
    points_train: np.ndarray
    points_test: np.ndarray
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    features: list
    dtype: np.dtype
    shift: np.ndarray  # (F,) subtracted before scaling (zeros without standardization)
    scale: np.ndarray  # (F,) divided by (ones without standardization)

    def inputs(self, points) -> np.ndarray:
        """Network inputs for raw 2-D points, as the training data was made: (N, 2) -> (N, F)."""
        return ((expand_features(points, self.features) - self.shift) / self.scale).astype(self.dtype)


def load_data(dataset: DatasetConfig, seed: int, stream: int, dtype) -> Data:
    """Generate and split the configured set from its own seeded stream."""
    spec = DATASETS[dataset.name]
    rng = np.random.default_rng([seed, stream])
    points, labels = make_dataset(dataset.name, dataset.n_samples, dataset.noise,
                                  dataset.n_classes, rng)
    p_train, y_train, p_test, y_test = split(points, labels, dataset.train_fraction, rng)
    raw_train = expand_features(p_train, dataset.features)
    shift, scale = np.zeros(raw_train.shape[1]), np.ones(raw_train.shape[1])
    if dataset.standardize:
        shift, scale = standardization(raw_train)
    data = Data(task=spec.task,
                n_classes=dataset.n_classes if spec.task == "classification" else 0,
                points_train=p_train, points_test=p_test, x_train=None, y_train=y_train,
                x_test=None, y_test=y_test, features=list(dataset.features),
                dtype=np.dtype(dtype), shift=shift, scale=scale)
    data.x_train, data.x_test = data.inputs(p_train), data.inputs(p_test)
    return data
