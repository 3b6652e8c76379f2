"""The custom set's rules, which no single field's range can state: it needs its points, as many
as any set has, each within bounds, and a class label is one of its classes."""
from .config_errors import ConfigError
from .custom_points import MAX_COORDINATE
from .datasets import CUSTOM
from .limits import LIMITS


def check_custom_points(dataset) -> None:
    """Raise ConfigError naming the field (dataset.points.K for one point) of a DatasetConfig
    whose custom points break a rule."""
    if dataset.name != CUSTOM.name:
        return
    if dataset.points is None:
        raise ConfigError("dataset.points", "the custom set needs its points: [[x1, x2, y], ...]")
    low, high = LIMITS["min_samples"], LIMITS["max_samples"]
    if not low <= len(dataset.points) <= high:
        raise ConfigError("dataset.points", f"has {len(dataset.points)} points; a set has {low} to {high}")
    for k, point in enumerate(dataset.points):
        if max(map(abs, point)) > MAX_COORDINATE:
            raise ConfigError(f"dataset.points.{k}", f"{list(point)} has a value beyond ±{MAX_COORDINATE:g}")
        label = point[2]
        if dataset.task == "classification" and (label != int(label) or not 0 <= label < dataset.n_classes):
            raise ConfigError(f"dataset.points.{k}", f"class {label:g} is not one of the set's "
                                                     f"{dataset.n_classes} classes (dataset.n_classes)")
