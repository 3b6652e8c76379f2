"""A run's data: the seeded dataset, split, and as the network sees it (points expanded into
features and optionally standardized; sequences as they are)."""
from dataclasses import dataclass

import numpy as np

from .config import DatasetConfig
from .datasets import CUSTOM, DATASETS, make_dataset, split, task_of
from .features import expand_features, standardization
from .images import make_images
from .sequences import make_sequences


@dataclass
class Data:
    """Train and test inputs as the network sees them ((N, F) points, (N, T, C) sequences or
    (N, C, H, W) images),
    targets (N,) or, many-to-many, (N, T), and for points the raw 2-D points."""
    task: str
    n_classes: int  # 0 for regression
    points_train: np.ndarray | None  # (N, 2), None for sequences and images
    points_test: np.ndarray | None
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    features: list  # the input features, or a sequence's or an image's channels
    dtype: np.dtype
    shift: np.ndarray  # (F,) subtracted before scaling (zeros without standardization)
    scale: np.ndarray  # (F,) divided by (ones without standardization)
    input_kind: str = "points"
    many_to_many: bool = False  # a target per time step

    def inputs(self, points) -> np.ndarray:
        """Network inputs for raw 2-D points, as the training data was made: (N, 2) -> (N, F)."""
        return ((expand_features(points, self.features) - self.shift) / self.scale).astype(self.dtype)


def load_data(dataset: DatasetConfig, seed: int, stream: int, dtype) -> Data:
    """Generate and split the configured set from its own seeded stream."""
    spec = DATASETS[dataset.name]
    rng = np.random.default_rng([seed, stream])
    if spec.input_kind == "sequence":
        return _sequences(dataset, spec, rng, dtype)
    if spec.input_kind == "image":
        return _images(dataset, spec, rng, dtype)
    task = task_of(dataset.name, dataset.task)
    if dataset.name == CUSTOM.name:
        points, labels = custom_points(dataset.points, task)
    else:
        points, labels = make_dataset(dataset.name, dataset.n_samples, dataset.noise,
                                      dataset.n_classes, rng)
    p_train, y_train, p_test, y_test = split(points, labels, dataset.train_fraction, rng)
    raw_train = expand_features(p_train, dataset.features)
    shift, scale = np.zeros(raw_train.shape[1]), np.ones(raw_train.shape[1])
    if dataset.standardize:
        shift, scale = standardization(raw_train)
    data = Data(task=task,
                n_classes=dataset.n_classes if task == "classification" else 0,
                points_train=p_train, points_test=p_test, x_train=None, y_train=y_train,
                x_test=None, y_test=y_test, features=list(dataset.features),
                dtype=np.dtype(dtype), shift=shift, scale=scale)
    data.x_train, data.x_test = data.inputs(p_train), data.inputs(p_test)
    return data


def custom_points(points: list, task: str) -> tuple[np.ndarray, np.ndarray]:
    """The custom set's config points [[x1, x2, y], ...] as (points (n, 2) float64, labels (n,)
    int64 classes or float64 values), in the config's order (the split shuffles them)."""
    table = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    labels = table[:, 2].astype(np.int64) if task == "classification" else table[:, 2].copy()
    return table[:, :2].copy(), labels


def _sequences(dataset: DatasetConfig, spec, rng, dtype) -> Data:
    """A sequence set, split like the points sets; its inputs are used as generated."""
    x, y = make_sequences(dataset.name, dataset.n_samples, dataset.seq_len, dataset.noise, rng)
    x_train, y_train, x_test, y_test = split(x, y, dataset.train_fraction, rng)
    channels = len(spec.channels)
    return Data(task=spec.task, n_classes=2 if spec.task == "classification" else 0,
                points_train=None, points_test=None, x_train=x_train.astype(dtype), y_train=y_train,
                x_test=x_test.astype(dtype), y_test=y_test, features=list(spec.channels),
                dtype=np.dtype(dtype), shift=np.zeros(channels), scale=np.ones(channels),
                input_kind="sequence", many_to_many=spec.many_to_many)


def _images(dataset: DatasetConfig, spec, rng, dtype) -> Data:
    """An image set, split like the points sets; its pixels are used as made."""
    x, y = make_images(dataset.name, dataset.n_samples, dataset.noise, rng)
    x_train, y_train, x_test, y_test = split(x, y, dataset.train_fraction, rng)
    channels = len(spec.channels)
    return Data(task=spec.task, n_classes=spec.max_classes, points_train=None, points_test=None,
                x_train=x_train.astype(dtype), y_train=y_train, x_test=x_test.astype(dtype), y_test=y_test,
                features=list(spec.channels), dtype=np.dtype(dtype), shift=np.zeros(channels),
                scale=np.ones(channels), input_kind="image")


def input_shape(dataset: DatasetConfig) -> tuple:
    """One example as the network sees it: (features,) for points, (T, channels) for sequences,
    (C, H, W) for images."""
    spec = DATASETS[dataset.name]
    if spec.input_kind == "image":
        return tuple(spec.shape)
    return (dataset.seq_len, len(spec.channels)) if spec.input_kind == "sequence" else (len(dataset.features),)


def target_shape(dataset: DatasetConfig) -> tuple:
    """One example's target: () or, for a many-to-many sequence set, (T,)."""
    return (dataset.seq_len,) if getattr(DATASETS[dataset.name], "many_to_many", False) else ()
