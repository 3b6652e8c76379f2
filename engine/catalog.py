"""The catalog: every choice, default, limit and description, derived from the registries."""
import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from .activations import ACTIVATIONS
from .config import CUSTOM_LIVE, DEFAULT_SEQ_LEN, LIMITS, LIVE_FIELDS, RECURRENT_INITS, Config, merge, validate_config
from .custom_points import HEADERS, MAX_COORDINATE, MAX_CSV_BYTES
from .datasets import CUSTOM, DATASETS, make_dataset
from .panel_data import EXTENT, GRID, MAP_GRID, feature_maps
from .features import FEATURES
from .health import RULES
from .health_time import TIME_RULES
from .inits import INITS
from .layers import LAYERS
from .losses import LOSSES
from .optimizers import OPTIMIZERS
from .recorder import STEP_SCALARS
from .images import make_images
from .sequences import make_sequences
from .regularization import CLIPS
from .stats import LAYER_STATS
from .time_stats import TIME_STATS
from .trace_loader import MAX_TRACE_BYTES


def _described(registry, **extra) -> list[dict]:
    """[{name, description, ...extra(item)}] in registry order."""
    return [{"name": name, "description": item.description,
             **{key: get(item) for key, get in extra.items()}} for name, item in registry.items()]


PREVIEW_POINTS = 120


PREVIEW_SEQUENCES = 4
PREVIEW_IMAGES = 4  # images of the first classes, one each


def _preview(spec) -> dict | None:
    """A small seeded sample of a dataset for its thumbnail: points {x, y, label}; sequences
    {sequences (n, T, C), targets (n,) or (n, T)} at the default length; images {images (n, C, H, W),
    labels (n,)}, one of each of the first classes; none for the custom set."""
    if spec is CUSTOM:
        return None  # its points are a person's: the page draws an upload tile
    if spec.input_kind == "image":
        x, y = make_images(spec.name, PREVIEW_IMAGES * spec.max_classes, 0.0, np.random.default_rng(0))
        first = [int(np.flatnonzero(y == c)[0]) for c in range(min(PREVIEW_IMAGES, spec.max_classes))]
        return {"images": x[first].round(3).tolist(), "labels": y[first].tolist()}
    if spec.input_kind == "sequence":
        x, y = make_sequences(spec.name, PREVIEW_SEQUENCES, DEFAULT_SEQ_LEN, 0.0, np.random.default_rng(0))
        return {"sequences": x.round(3).tolist(), "targets": np.round(y, 3).tolist()}
    classes = min(spec.max_classes, 3) if spec.task == "classification" else 2
    points, labels = make_dataset(spec.name, PREVIEW_POINTS, 0.0, max(classes, 2),
                                  np.random.default_rng(0))
    return {"x": points[:, 0].round(3).tolist(), "y": points[:, 1].round(3).tolist(),
            "label": labels.round(3).tolist()}


def _presets() -> list[dict]:
    """The presets, each with `full_config`: its config merged into the defaults, as the page applies it."""
    presets = json.loads((Path(__file__).parent / "presets.json").read_text())["presets"]
    defaults = Config().model_dump()
    return [{**p, "full_config": validate_config(merge(defaults, p["config"])).model_dump()}
            for p in presets]


@lru_cache(maxsize=1)
def _cached() -> dict:
    """The catalog, built once per process (it never changes)."""
    return _build()


def catalog() -> dict:
    """Everything the UI's menus and the server's validation read: choices, defaults, limits."""
    return _cached()


def _build() -> dict:
    """Everything the UI's menus and the server's validation read: choices, defaults, limits."""
    return {
        "choices": {
            "activations": _described(ACTIVATIONS),
            "inits": _described(INITS),
            "losses": _described(LOSSES, tasks=lambda l: list(l.tasks),
                                 max_classes=lambda l: l.max_classes),
            "optimizers": _described(OPTIMIZERS, reads=lambda o: list(o.reads)),
            "clips": _described(CLIPS),
            "datasets": _described(DATASETS, task=lambda d: d.task, input_kind=lambda d: d.input_kind,
                                   max_classes=lambda d: d.max_classes, preview=_preview,
                                   channels=lambda d: list(getattr(d, "channels", ())) or None,
                                   image_shape=lambda d: list(d.shape) if d.input_kind == "image" else None),
            "features": _described(FEATURES, label=lambda f: f.label),
            "layer_kinds": _described(LAYERS, in_hidden=lambda layer: layer.in_hidden,
                                      recurrent=lambda layer: layer.recurrent, image=lambda layer: layer.image,
                                      fields=lambda layer: list(layer.config_fields),
                                      activations=lambda layer: layer.activations),
            "recurrent_inits": list(RECURRENT_INITS),
        },
        "defaults": Config().model_dump(),
        "limits": dict(LIMITS),
        "live_fields": {section: sorted(fields) for section, fields in LIVE_FIELDS.items()},
        "layer_stats": list(LAYER_STATS),
        "time_stats": list(TIME_STATS),
        "step_scalars": list(STEP_SCALARS),
        "plane": {"extent": list(EXTENT), "grid": GRID, "map_grid": MAP_GRID,
                  "feature_maps": {name: m.round(4).tolist() for name, m in feature_maps().items()}},
        "max_trace_bytes": MAX_TRACE_BYTES,
        "custom_points": {"name": CUSTOM.name, "max_csv_bytes": MAX_CSV_BYTES, "max_coordinate": MAX_COORDINATE,
                          "headers": HEADERS, "live_fields": sorted(CUSTOM_LIVE)},
        "presets": _presets(),
        "health_rules": {rule: {k: v for k, v in spec.items()} for rule, spec in RULES.items()},
        "health_rules_through_time": {rule: dict(spec) for rule, spec in TIME_RULES.items()},
        "schema": Config.model_json_schema(),
    }
